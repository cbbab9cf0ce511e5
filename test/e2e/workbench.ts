/**
 * Page object for the VS Code web workbench (code-server), used the way a user would: activity
 * bar, command palette, views, notifications. Selectors use roles and labels where VS Code has them.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Frame, Locator, Page, Request } from 'playwright-core';
import { launchBrowser, startupCompletedAfterMs } from '../harness/browser';
import { startCodeServer, type CodeServer, type CodeServerOptions } from '../harness/codeServer';
import { SANDBOX_ENV, sandboxDescription, sandboxSettings } from '../harness/sandboxEnv';
import { resultsDir } from '../harness/toolchain';

/** The longest the webview host's service-worker stall was measured to last (146 s), and some margin. */
const WEBVIEW_HOST_WAIT_MS = 180_000;

export class Workbench {
  /** Starts code-server (pointed at the sandbox when `npm test` started one) and opens the workbench. */
  static async open(options: CodeServerOptions): Promise<Workbench> {
    const sandbox = process.env[SANDBOX_ENV] ? sandboxDescription() : undefined;
    const server = await startCodeServer({ ...options, settings: { ...(sandbox ? sandboxSettings(sandbox) : {}), ...options.settings } });
    try {
      return await Workbench.connect(server, server.url, { stopsServer: true });
    } catch (error) {
      await server.stop();
      throw error;
    }
  }

  /**
   * Opens `url` of a running code-server in a new browser, as a user opens the address they were
   * given. The browser trusts nothing beyond its own roots: everything a user's browser reaches
   * (the workbench, the sandbox's sign-in pages through the workbench's port forwarder) is plain
   * HTTP on loopback. `stopsServer`: close() also stops the server.
   */
  static async connect(server: CodeServer, url: string, options: { stopsServer: boolean }): Promise<Workbench> {
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      const workbench = new Workbench(server, browser, page, options.stopsServer);
      // What the browser said (every tab and frame), for the failure report.
      context.on('console', (m) => m.type() !== 'debug' && workbench.browserLog.push(`${m.type()}: ${m.text()}`.slice(0, 400)));
      context.on('weberror', (e) => workbench.browserLog.push(`page error: ${e.error().message}`.slice(0, 400)));
      context.on('requestfailed', (r) => workbench.browserLog.push(`error: request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`.slice(0, 400)));
      context.on('response', (r) => r.status() >= 400 && workbench.browserLog.push(`error: HTTP ${r.status()} ${r.url()}`.slice(0, 400)));
      // Requests not yet answered, for the failure report (a stalled request explains a stalled page).
      context.on('request', (r) => workbench.pending.set(r, Date.now()));
      context.on('requestfinished', (r) => workbench.pending.delete(r));
      context.on('requestfailed', (r) => workbench.pending.delete(r));
      if (process.env.M365MAIL_SWTRACE_DIR) await traceServiceWorkers(browser, page, process.env.M365MAIL_SWTRACE_DIR);
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
      return workbench;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  private constructor(
    readonly server: CodeServer,
    readonly browser: Browser,
    readonly page: Page,
    private readonly stopsServer: boolean,
    /** A tab opened by openTab(): closing it closes that tab only. */
    private readonly isTab = false
  ) {}

  /**
   * The same workbench in another tab of this browser, as a user opens it twice: its own window
   * (and extension host) on the same server, with the same browser storage.
   */
  async openTab(): Promise<Workbench> {
    const page = await this.page.context().newPage();
    await page.goto(this.server.url);
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    return new Workbench(this.server, this.browser, page, false, true);
  }

  /** The browser's console and page errors, newest last (errors and warnings are in failure reports). */
  readonly browserLog: string[] = [];

  /** Requests the browser has sent and not yet seen answered, with when they were sent. */
  readonly pending = new Map<Request, number>();

  /** Clicks the activity-bar entry with this name (e.g. "M365 Mail") and waits for its side bar. */
  async openViewContainer(name: string): Promise<void> {
    const entry = this.page.locator(`.activitybar .action-item a[aria-label^="${name}"], .activitybar [role="tab"][aria-label^="${name}"]`).first();
    await entry.waitFor({ state: 'visible', timeout: 60_000 });
    await entry.click();
    await this.page
      .locator('.sidebar .composite.title', { hasText: name.toUpperCase() })
      .or(this.page.locator('.sidebar .title-label', { hasText: name }))
      .first()
      .waitFor({ timeout: 30_000 });
  }

  /** F1, the command's title, Enter: as a user runs a command from the palette. */
  async runCommand(title: string): Promise<void> {
    await this.page
      .locator('.monaco-workbench')
      .click({ position: { x: 700, y: 450 }, force: true })
      .catch(() => undefined);
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.keyboard.press('Enter');
  }

  /**
   * Called at each step of a guided flow (answer, acceptDefault, pick, chooseFile) once the step is
   * on screen and before it is answered: a test that checks what every step shows sets it.
   */
  onQuickInputStep: ((quickInput: Locator) => Promise<void>) | undefined;

  /** The open quick input (input box or quick pick). */
  get quickInput() {
    return this.page.locator('.quick-input-widget');
  }

  /** Waits until the quick input moved past the step titled `previous` (or closed). */
  private async nextStep(previous: string | null): Promise<void> {
    await this.page.waitForFunction(
      (title) => {
        const widget = document.querySelector('.quick-input-widget') as HTMLElement | null;
        if (!widget || widget.style.display === 'none') return true;
        return (widget.querySelector('.quick-input-title')?.textContent ?? '') !== title;
      },
      previous ?? '',
      { timeout: 30_000 }
    );
  }

  /** Types into the open input box and presses Enter; waits for the next step (or the box to close). */
  async answer(text: string): Promise<void> {
    const input = this.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await this.onQuickInputStep?.(this.quickInput);
    const title = await this.quickInput
      .locator('.quick-input-title')
      .textContent()
      .catch(() => '');
    await input.fill(text);
    await this.page.keyboard.press('Enter');
    await this.nextStep(title);
  }

  /** Presses Enter in the open input box, keeping its prefilled value; waits for the next step. */
  async acceptDefault(): Promise<void> {
    const input = this.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await this.onQuickInputStep?.(this.quickInput);
    const title = await this.quickInput
      .locator('.quick-input-title')
      .textContent()
      .catch(() => '');
    await this.page.keyboard.press('Enter');
    await this.nextStep(title);
  }

  /**
   * Types a path into VS Code's own (simple) file dialog, as in a remote window, and confirms it
   * with its button (`Select`, or the dialog's own label such as "Save here" for a folder).
   */
  async chooseFile(file: string, options: { button?: string } = {}): Promise<void> {
    const input = this.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await this.onQuickInputStep?.(this.quickInput);
    const title = await this.quickInput
      .locator('.quick-input-title')
      .textContent()
      .catch(() => '');
    // The dialog fills in its starting folder and then lists it; typing before the listing is
    // there is overwritten when it arrives (seen on a loaded machine), so wait for both.
    await this.page.waitForFunction(
      () =>
        !!(document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value &&
        !!document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row'),
      undefined,
      { timeout: 30_000 }
    );
    await input.fill(file);
    // The dialog resolves the typed path as it changes; confirm once it shows the file selected.
    await this.quickInput
      .locator('.quick-input-list .monaco-list-row', { hasText: file.split('/').pop() ?? file })
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await this.quickInput.getByRole('button', { name: options.button ?? 'Select' }).click();
    await this.nextStep(title);
  }

  /** Picks the quick-pick item whose label contains `label`. */
  async pick(label: string, options: { exact?: boolean } = {}): Promise<void> {
    // By default any row whose text holds `label`; `exact` for a label another row's description may contain.
    const rows = this.quickInput.locator('.quick-input-list .monaco-list-row');
    const row = (
      options.exact
        ? rows.filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }) })
        : rows.filter({ hasText: label })
    ).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await this.onQuickInputStep?.(this.quickInput);
    const title = await this.quickInput
      .locator('.quick-input-title')
      .textContent()
      .catch(() => '');
    await row.click();
    await this.nextStep(title);
  }

  /**
   * Types into the open input box without submitting and waits until the box shows a validation
   * message matching `expected` (VS Code validates as the value changes, after a short debounce);
   * returns the message. Fails with the message last shown if none matches.
   */
  async expectValidation(text: string, expected: RegExp, timeout = 10_000): Promise<string> {
    await this.quickInput.locator('input.input').fill(text);
    const message = this.quickInput.locator('.quick-input-message');
    try {
      await message.filter({ hasText: expected }).waitFor({ state: 'visible', timeout });
    } catch {
      throw new Error(`after typing "${text}" the input box says "${((await message.textContent().catch(() => '')) ?? '').trim()}", not ${String(expected)}`);
    }
    return ((await message.textContent()) ?? '').trim();
  }

  /** A row of the Credentials tree by its label. */
  credentialRow(name: string) {
    return this.page.locator('.pane-body .monaco-list-row', { hasText: name }).first();
  }

  /** Right-clicks `target` and chooses `item` from its context menu. */
  async contextMenu(target: Locator, item: string): Promise<void> {
    await target.click({ button: 'right' });
    const entry = this.page.getByRole('menuitem', { name: item }).first();
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.hover();
    await entry.click();
  }

  /** The text of notifications currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-list-item').allTextContents();
  }

  /**
   * Waits for a notification whose text matches `pattern` and returns its text, where a user finds
   * it: its toast, or else the notification center behind the bell. VS Code does not show every
   * notification as a toast: it drops a toast beyond three within 800 ms (a fast failure right after
   * a cleared one and its progress notification), and shows none while the center is open. After
   * 10 s without the toast this looks in the center too, and says in the test output when it was
   * found there only.
   */
  async waitForNotification(pattern: RegExp, timeout = 60_000): Promise<string> {
    const deadline = Date.now() + timeout;
    let lookedInCenter = false;
    for (;;) {
      const slice = Math.max(1_000, Math.min(10_000, deadline - Date.now()));
      const toast = await this.page
        .waitForFunction(
          (source) => [...document.querySelectorAll('.notification-list-item')].map((n) => n.textContent ?? '').find((t) => new RegExp(source).test(t)),
          pattern.source,
          { timeout: slice }
        )
        .then(async (handle) => (await handle.jsonValue()) as string)
        .catch(() => undefined);
      if (toast) {
        if (lookedInCenter) console.log(`      (the notification ${pattern} was in the notification center, not shown as a toast)`);
        return toast;
      }
      if (Date.now() >= deadline) throw new Error(`no notification matches ${pattern} within ${timeout} ms, neither as a toast nor in the notification center`);
      if (!lookedInCenter && !(await this.page.locator('.notifications-center.visible').isVisible())) {
        lookedInCenter = true;
        await this.page.locator('[id="status.notifications"]').first().click();
      }
    }
  }

  /** The notification containing `text` (see waitForNotification for where it is looked for). */
  async findNotification(text: string, timeout = 30_000): Promise<Locator> {
    await this.waitForNotification(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), timeout);
    return this.page.locator('.notification-list-item', { hasText: text }).first();
  }

  /** Dismisses every notification on screen (the "Clear all" of the notification center). */
  async clearNotifications(): Promise<void> {
    await this.page.keyboard.press('Escape');
    for (const close of await this.page.locator('.notification-list-item .codicon-notifications-clear').all()) {
      await close.click({ force: true }).catch(() => undefined);
    }
  }

  /** The open modal dialog (e.g. `showInformationMessage(…, { modal: true })`): its text, then clicks `button`. */
  async answerDialog(button: string): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const text = (await dialog.textContent()) ?? '';
    await dialog
      .locator('.monaco-button', { hasText: new RegExp(`^${button}$`) })
      .first()
      .click();
    await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
    return text;
  }

  /**
   * Opens a workspace file by name through Quick Open (Ctrl+P), as a user does. Quick Open lists
   * from a file index that learns of a new file through the file watcher, which on a busy machine
   * can be seconds late ("No matching results" for a file just written): like a user, this opens
   * Quick Open again until the file is listed.
   */
  async openFile(name: string): Promise<void> {
    const row = this.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: name }).first();
    const deadline = Date.now() + 30_000;
    for (;;) {
      await this.page
        .locator('.monaco-workbench')
        .click({ position: { x: 700, y: 450 }, force: true })
        .catch(() => undefined);
      await this.page.keyboard.press('Control+P');
      const input = this.quickInput.locator('input.input');
      await input.waitFor({ state: 'visible' });
      await input.fill(name);
      const listed = await row.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false
      );
      if (listed) break;
      if (Date.now() > deadline) throw new Error(`Quick Open does not list ${name} after 30 s`);
      await this.page.keyboard.press('Escape');
    }
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /**
   * The text of the active editor as Monaco shows it (the lines on screen: a short file whole),
   * once it shows any, or once it matches `until`: right after a tab is clicked, Monaco may still
   * show the previous editor's lines for a moment, as a user would see.
   */
  async activeEditorText(until?: RegExp): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .editor-instance .monaco-editor .view-lines').first();
    await lines.waitFor({ state: 'visible', timeout: 30_000 });
    // The text is read in the same turn as it is matched: an editor opened a moment later in the
    // same group (the same Monaco widget, another model) must not be read in its place.
    const matched = await this.page.waitForFunction(
      ([el, source, flags]) => {
        const text = ((el as HTMLElement | null)?.innerText ?? '').replace(/\u00a0/g, ' ');
        const found = source === undefined ? text.trim().length > 0 : new RegExp(source, flags).test(text);
        return found ? text : false;
      },
      [await lines.elementHandle(), until?.source, until?.flags] as const,
      { timeout: 10_000 }
    );
    return (await matched.jsonValue()) as string;
  }

  /** The language of the active editor as the status bar shows it (e.g. "E-mail message"). */
  async editorLanguage(): Promise<string> {
    const item = this.page.locator('#status\\.editor\\.mode');
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    return ((await item.textContent()) ?? '').trim();
  }

  /**
   * The inbox preview of credential `name`, once its page shows. VS Code's webview host page
   * creates a webview's content only once its service worker is ready, which for a browser's first
   * webview waited on Chromium counting its start-up complete (see launchBrowser). This waits as long
   * as a user would, and says in the test output if it ever took over 20 s.
   */
  async inboxPreview(name: string): Promise<Frame> {
    return this.webviewFrame(`#title:text-is("${name}")`);
  }

  /**
   * The document frame of the webview whose content has `selector` (VS Code nests each webview's
   * content in an iframe inside an iframe), once it exists. Every webview (the inbox preview, the Markdown
   * preview of a connection report) goes through the same host page, so each waits as long as
   * `inboxPreview` does for its service worker, and says so when it took over 20 s.
   */
  async webviewFrame(selector: string, timeout = WEBVIEW_HOST_WAIT_MS): Promise<Frame> {
    const started = Date.now();
    const frame = await this.findWebviewFrame(selector, timeout);
    const took = Date.now() - started;
    if (took > 20_000) {
      // Reading Chromium's start-up time opens a tab of its own, which can move focus: only when diagnosing.
      const probe = !!(process.env.M365MAIL_NETLOG_DIR || process.env.M365MAIL_SWTRACE_DIR);
      const started = probe ? await startupCompletedAfterMs(this.page.context()).catch(() => undefined) : undefined;
      const when = !probe
        ? ''
        : started === undefined
          ? '; Chromium has not finished starting'
          : `; Chromium finished starting ${(started / 1000).toFixed(0)} s after launch`;
      console.log(`      (VS Code's webview host took ${(took / 1000).toFixed(0)} s to show ${selector}: the service-worker wait${when})`);
    }
    return frame;
  }

  private async findWebviewFrame(selector: string, timeout: number): Promise<Frame> {
    const deadline = Date.now() + timeout;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (frame.isDetached()) continue;
        if (await frame.$(selector).catch(() => null)) return frame;
      }
      await this.page.waitForTimeout(250);
    }
    const frames = await Promise.all(
      this.page
        .frames()
        .filter((f) => !f.isDetached() && f !== this.page.mainFrame())
        .map(async (f) => {
          const state = await f
            .evaluate(async () => {
              // A webview's outer frame waits for its service worker before it creates the page's frame.
              const workers = navigator.serviceWorker
                ? (await navigator.serviceWorker.getRegistrations()).map(
                    (r) => `${r.scope} installing=${r.installing?.state ?? '-'} waiting=${r.waiting?.state ?? '-'} active=${r.active?.state ?? '-'}`
                  )
                : [];
              const controller = navigator.serviceWorker?.controller;
              const controlled = controller ? `controlled by ${controller.scriptURL.replace(/\?.*/, '')} (${controller.state})` : 'not controlled';
              // VS Code's webview frames mark each stage of loading a page (performance.mark).
              const marks = performance
                .getEntriesByType('mark')
                .map((m) => `${m.name}@${Math.round(m.startTime)}`)
                .join(' ');
              // How long an update check and a plain fetch of the worker's script take from here.
              // (No named function here: the bundler would wrap it in a helper the page lacks.)
              const registration = navigator.serviceWorker ? await navigator.serviceWorker.getRegistration() : undefined;
              const started = performance.now();
              const timeout = new Promise<string>((resolve) =>
                setTimeout(() => resolve(`still waiting after ${Math.round(performance.now() - started)} ms`), 10_000)
              );
              const [updated, fetched] = registration
                ? await Promise.all([
                    Promise.race([
                      registration.update().then(
                        () => `done after ${Math.round(performance.now() - started)} ms`,
                        (e: Error) => `failed after ${Math.round(performance.now() - started)} ms (${e.message})`
                      ),
                      timeout
                    ]),
                    Promise.race([
                      fetch(registration.active?.scriptURL ?? location.href, { cache: 'no-store' }).then(
                        () => `done after ${Math.round(performance.now() - started)} ms`,
                        (e: Error) => `failed after ${Math.round(performance.now() - started)} ms (${e.message})`
                      ),
                      timeout
                    ])
                  ])
                : ['no registration', 'no registration'];
              const probes = `update() ${updated}; fetch ${fetched}`;
              return `${document.readyState}, ${controlled}, ${probes}, marks [${marks}], workers [${workers.join('; ')}], ${document.body?.innerHTML.length ?? 0} chars`;
            })
            .catch((e: Error) => `not readable: ${e.message.split('\n')[0]}`);
          return `        ${f.url().replace(/\?.*/, '')}: ${state}`;
        })
    );
    // Chromium's own view of the service workers (versions, running state, their console).
    const internals = await this.page
      .context()
      .newPage()
      .then(async (tab) => {
        await tab.goto('chrome://serviceworker-internals/');
        const text = (await tab.locator('body').innerText()).replace(/\s+\n/g, '\n').slice(0, 3000);
        await tab.close();
        return text;
      })
      .catch((e: Error) => `(serviceworker-internals not readable: ${e.message.split('\n')[0]})`);
    const now = Date.now();
    const stalled = [...this.pending]
      .filter(([, sent]) => now - sent > 5_000)
      .map(([request, sent]) => `        ${request.method()} ${request.url().slice(0, 200)} (${request.resourceType()}, ${Math.round((now - sent) / 1000)} s)`);
    throw new Error(
      `no webview shows ${selector} within ${timeout} ms; frames:\n${frames.join('\n')}\n      unanswered requests:\n${stalled.join('\n') || '        none'}\n      service workers:\n${internals}`
    );
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(resultsDir, 'screenshots', `${name}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await this.page.screenshot({ path: file });
    return file;
  }

  /** The text of the product's "M365 Mail" log file, written by its LogOutputChannel. */
  productLog(): string {
    const file = this.productLogFiles()[0];
    return file ? fs.readFileSync(file, 'utf8') : '';
  }

  /** The product's log of each window of this server (one per browser tab or reload), oldest first. */
  private productLogFiles(): string[] {
    return this.server
      .exthostLogFiles()
      .filter((f) => f.includes('m365mail.m365-mail') && f.endsWith('M365 Mail.log'))
      .sort((a, b) => fs.statSync(a).birthtimeMs - fs.statSync(b).birthtimeMs);
  }

  /** After a failed test: a screenshot, the notifications on screen and the end of the product's log. */
  async reportFailure(title: string): Promise<void> {
    const file = await this.screenshot(`failed-${title.replace(/[^\w]+/g, '-').slice(0, 60)}`).catch(() => '(no screenshot)');
    const notes = await this.notifications().catch(() => []);
    const browser = this.browserLog.filter((l) => /^(error|warning|page error)/.test(l)).slice(-15);
    console.log(`      browser said (errors and warnings, last 15):\n${browser.map((l) => `        ${l}`).join('\n')}`);
    const logs = this.productLogFiles().map((log, i, all) => {
      const tail = fs.readFileSync(log, 'utf8').split('\n').slice(-25);
      return `      product log${all.length > 1 ? ` of window ${i + 1}` : ''} (end):\n${tail.map((l) => `        ${l}`).join('\n')}`;
    });
    console.log(`      screenshot: ${file}\n      notifications: ${JSON.stringify(notes)}\n${logs.join('\n')}`);
  }

  async close(): Promise<void> {
    if (this.isTab) {
      await this.page.close().catch(() => undefined);
      return;
    }
    await this.browser.close().catch(() => undefined);
    if (this.stopsServer) await this.server.stop();
  }
}

/**
 * Diagnostic (M365MAIL_SWTRACE_DIR): Chromium's service-worker lifecycle (CDP ServiceWorker domain)
 * and its targets, each line with the milliseconds since the browser opened, into a file of its own.
 */
async function traceServiceWorkers(browser: Browser, page: Page, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `sw-${process.pid}-${Date.now()}.txt`);
  const t0 = Date.now();
  const line = (text: string) => fs.appendFileSync(file, `${Date.now() - t0} ${text}\n`);
  const cdp = await page.context().newCDPSession(page);
  cdp.on('ServiceWorker.workerVersionUpdated', (e) =>
    e.versions.forEach((v) =>
      line(
        `version ${v.versionId} reg ${v.registrationId} ${v.scriptURL.replace(/\?.*/, '').slice(-45)} ${v.status} ${v.runningStatus} clients=${(v.controlledClients ?? []).length}`
      )
    )
  );
  cdp.on('ServiceWorker.workerRegistrationUpdated', (e) =>
    e.registrations.forEach((r) => line(`registration ${r.registrationId} ${r.scopeURL} deleted=${r.isDeleted}`))
  );
  cdp.on('ServiceWorker.workerErrorReported', (e) => line(`error ${JSON.stringify(e)}`));
  await cdp.send('ServiceWorker.enable');
  const targets = await browser.newBrowserCDPSession();
  const target = (kind: string, t: { type: string; url: string; targetId: string }) =>
    line(`target ${kind} ${t.type} ${t.targetId.slice(0, 8)} ${t.url.slice(0, 160)}`);
  targets.on('Target.targetCreated', (e) => target('created', e.targetInfo));
  targets.on('Target.targetInfoChanged', (e) => target('changed', e.targetInfo));
  targets.on('Target.targetDestroyed', (e) => line(`target destroyed ${e.targetId.slice(0, 8)}`));
  await targets.send('Target.setDiscoverTargets', { discover: true });
}

/** For a suite sharing one workbench: after each failed test, its screenshot, notifications and log. */
export function reportFailures(workbench: () => Workbench | undefined): void {
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await workbench()?.reportFailure(this.currentTest.title);
  });
}

/** The VSIX under test: the one `npm test` packaged (M365MAIL_VSIX), or a fresh package. */
export function productVsix(): string {
  const vsix = process.env.M365MAIL_VSIX;
  if (!vsix || !fs.existsSync(vsix)) {
    throw new Error('M365MAIL_VSIX is not set: run the end-to-end tier through `npm test`');
  }
  return vsix;
}

export function recordMetric(name: string, value: number | string): void {
  const file = path.join(resultsDir, 'e2e-metrics.json');
  const metrics = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  metrics[name] = value;
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(metrics, null, 2));
}
