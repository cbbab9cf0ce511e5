import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame, Request } from 'playwright-core';
import { sandboxDescription } from '../harness/sandboxEnv';
import { HOSTILE_CANARY_HOST, HOSTILE_SUBJECTS, type SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { TcpCutter } from './tcpCutter';
import { messageBody, SandboxMailbox } from '../support/sandboxMailbox';
import { waitForRow } from './inboxPreviewPage';
import { productVsix, reportFailures, Workbench } from './workbench';

const ADELE = 'adele@contoso.test';
const MEGAN = 'megan@contoso.test';

/** A sample message as a user keeps it: CRLF lines, UTF-8 8bit text, a line starting with a dot, an attachment. */
function sampleEml(subject: string): string {
  const boundary = '=_e2e_sample_boundary';
  return [
    'From: "Adele Vance" <adele@contoso.test>',
    'To: "Someone Else" <someone@fabrikam.test>',
    'Cc: partner@tailspin.test',
    `Subject: ${subject}`,
    'Date: Mon, 30 Jun 2025 12:00:00 +0000',
    `Message-ID: <e2e.${Date.now()}@contoso.test>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    '',
    'This is a multi-part message in MIME format.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'Grüße aus Zürich — 会議の議事録.',
    '.a line that starts with a dot (SMTP dot-stuffing)',
    '.',
    'From the desk of Adele (a line an mbox would escape)',
    'trailing spaces   ',
    '',
    `--${boundary}`,
    'Content-Type: text/csv; name="order.csv"',
    'Content-Disposition: attachment; filename="order.csv"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('id,item,quantity\r\n1,Widget,3\r\n').toString('base64'),
    `--${boundary}--`,
    ''
  ].join('\r\n');
}

/**
 * Proof that a credential works, as a user sees it in a browser-based VS Code against the sandbox:
 * a test mail, the open .eml sent from the editor, the inbox preview (also with hostile mail), the
 * connection test, and a dropped IMAP connection. What arrived is checked from this process over
 * IMAP, independently of the extension.
 */
describe('end-to-end: mail flows against the sandbox', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let adeleBox: SandboxMailbox;
  let workspace: string;
  const canaryRequests: string[] = [];
  const dialogs: string[] = [];
  const consoleLines: string[] = [];
  const adele = 'Adele (mail)';
  const megan = 'Megan (SMTP AUTH off)';
  const emlSubject = `Sample .eml ${Date.now().toString(36)}`;

  before(async () => {
    sandbox = sandboxDescription();
    adeleBox = new SandboxMailbox(sandbox, ADELE);
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-mail-'));
    fs.writeFileSync(path.join(workspace, 'sample.eml'), sampleEml(emlSubject));
    fs.writeFileSync(path.join(workspace, 'empty.eml'), '');
    fs.writeFileSync(path.join(workspace, 'notes.eml'), 'Just some notes, not a message.\r\nSecond line.\r\n');
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-mail', folder: workspace });
    flows = new SandboxFlows(workbench, sandbox);
    const context = workbench.page.context();
    context.on('request', (request: Request) => {
      if (request.url().includes(HOSTILE_CANARY_HOST)) canaryRequests.push(request.url());
    });
    context.on('page', (page) => page.on('dialog', (dialog) => void dialog.dismiss().then(() => dialogs.push(dialog.message()))));
    context.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()} @ ${m.location().url}`));
    workbench.page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
    if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  });

  /**
   * What reached for the canary host. Requests from a webview's frames do not all surface as
   * Playwright request events (the webview's service worker stands between), but every failed
   * load is logged to the console with its URL, so both are watched. The remote-image test below
   * shows that an allowed load is seen.
   */
  function canaryHits(): string[] {
    return [...canaryRequests, ...consoleLines.filter((l) => l.includes(HOSTILE_CANARY_HOST))];
  }

  function resetCanary(): void {
    canaryRequests.length = 0;
    consoleLines.length = 0;
  }

  /**
   * The document of the inbox preview of credential `name` (VS Code nests it in two iframes), once
   * the page has its title (it has started and heard from the extension). A page that does not start
   * is set up again by the panel itself (see InboxPreviewPanel.render); if it still shows nothing,
   * the failure says what the browser and the extension logged about it.
   */
  async function preview(name = adele): Promise<Frame> {
    try {
      return await workbench.inboxPreview(name);
    } catch (error) {
      const browser = consoleLines.filter((l) => /webview|service ?worker/i.test(l)).slice(-10);
      const product = workbench
        .productLog()
        .split('\n')
        .filter((l) => l.includes('[preview]'));
      throw new Error(`${(error as Error).message}\n      browser said:\n${browser.join('\n')}\n      extension said:\n${product.join('\n')}`, {
        cause: error
      });
    }
  }

  /** "M365 Mail: Preview inbox folder" from the palette for credential `name`. */
  async function openPreview(name = adele): Promise<Frame> {
    await workbench.runCommand('M365 Mail: Preview inbox folder');
    await flows.pickCredentialIfAsked(name);
    return preview(name);
  }

  /** Shows the M365 Mail side bar unless it is showing (its activity-bar entry toggles). */
  async function showCredentials(): Promise<void> {
    if (!(await workbench.credentialRow(adele).isVisible())) await workbench.openViewContainer('M365 Mail');
  }

  /** Opens the listed message with this subject and waits until the message pane shows it. */
  async function openMessage(frame: Frame, subject: string): Promise<void> {
    await frame.locator('#envelopes tr', { hasText: subject }).first().click();
    await frame.locator('#message h2', { hasText: subject }).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** The message body frame (the sandboxed srcdoc iframe) of the open HTML message. */
  async function bodyFrame(frame: Frame): Promise<{ srcdoc: string; frame: Frame | null }> {
    const element = frame.locator('#message iframe.body');
    await element.waitFor({ state: 'attached', timeout: 10_000 });
    const srcdoc = (await element.getAttribute('srcdoc')) ?? '';
    const handle = await element.elementHandle();
    return { srcdoc, frame: handle ? await handle.contentFrame() : null };
  }

  it('sends a test mail with a credential authorized in the browser: the server reply and message ID are shown', async () => {
    await flows.addAuthorized(adele, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: ADELE
    });
    await workbench.runCommand('M365 Mail: Send test mail');
    await flows.pickCredentialIfAsked(adele);
    await workbench.pick(`Send to ${ADELE}`);
    const notice = await workbench.waitForNotification(/Server reply:/);
    assert.match(notice, /Sent with "Adele \(mail\)" to adele@contoso\.test\. Server reply: 250 /);
    const messageId = /Message-ID (<[^>\s]+>)/.exec(notice)?.[1];
    assert.ok(messageId, `the notification shows the message ID: ${notice}`);
    await workbench.screenshot('test-mail-sent');
    const subject = `M365 Mail test from "${adele}"`;
    await adeleBox.waitFor(subject);
    await new Promise((r) => setTimeout(r, 1500));
    const arrived = (await adeleBox.find(subject)).filter((m) => m.messageId === messageId);
    assert.equal(arrived.length, 1, 'the message ID shown is the one that arrived, once');
    assert.match(arrived[0]!.source.toString('utf8'), /Credential: Adele \(mail\)/);
    assert.doesNotMatch(workbench.productLog(), /eyJ[\w-]{10,}\.eyJ/, 'no token in the log');
    await workbench.clearNotifications();
  });

  it('lists that mail in the inbox preview and opens it: headers and text', async () => {
    const frame = await openPreview();
    const subject = `M365 Mail test from "${adele}"`;
    await waitForRow(frame, subject);
    assert.equal(await frame.locator('#mailbox').textContent(), ADELE);
    assert.ok((await frame.locator('#folders option').allTextContents()).includes('INBOX'), 'the folder list has INBOX');
    await openMessage(frame, subject);
    const headers = (await frame.locator('#message .header').allTextContents()).join('\n');
    assert.match(headers, /From: .*adele@contoso\.test/);
    assert.match(headers, /To: .*adele@contoso\.test/);
    const text = (await frame.locator('#message pre.text').textContent()) ?? '';
    assert.match(text, /This test message was sent by M365 Mail/);
    assert.match(text, /Credential: Adele \(mail\)/);
    assert.match(text, new RegExp(`SMTP server: ${sandbox.smtp.host}:${sandbox.smtp.port} \\(STARTTLS, SASL XOAUTH2\\)`));
    await workbench.screenshot('inbox-preview');
  });

  it('sends the open .eml from the editor title to the own mailbox; the body arrives byte-identical', async () => {
    await workbench.openFile('sample.eml');
    assert.equal(await workbench.editorLanguage(), 'E-mail message', 'the eml language is active');
    const before = await adeleBox.count();
    await workbench.page.locator('.editor-actions .action-label[aria-label*="Send this .eml file"]').first().click();
    await flows.pickCredentialIfAsked(adele);
    // The file's own recipients are offered, never chosen by default.
    const choices = await workbench.quickInput.locator('.quick-input-list .monaco-list-row').allTextContents();
    assert.match(choices[0] ?? '', /Send to adele@contoso\.test/, `first choice is the own mailbox: ${JSON.stringify(choices)}`);
    assert.ok(
      choices.some((c) => /file's recipients.*someone@fabrikam\.test/.test(c)),
      `the file's recipients are offered: ${JSON.stringify(choices)}`
    );
    await workbench.pick(`Send to ${ADELE}`);
    await workbench.page.locator('.monaco-dialog-box').waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.screenshot('send-eml');
    const detail = await workbench.answerDialog('Send');
    assert.match(detail, new RegExp(`Subject: ${emlSubject}`));
    assert.match(detail, /To: someone@fabrikam\.test/);
    assert.match(detail, /Attachments: order\.csv \(30 bytes\)/);
    assert.match(detail, /Envelope recipients: adele@contoso\.test/);
    assert.match(detail, /Credential: Adele \(mail\)/);
    const notice = await workbench.waitForNotification(/Server reply:/);
    assert.match(notice, /to adele@contoso\.test\. Server reply: 250 /);
    const arrived = await adeleBox.waitFor(emlSubject);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await adeleBox.find(emlSubject)).length, 1, 'sent exactly once');
    assert.equal(await adeleBox.count(), before + 1);
    const sent = fs.readFileSync(path.join(workspace, 'sample.eml'));
    const body = messageBody(arrived[0]!.source);
    assert.ok(
      body.equals(messageBody(sent)),
      `the body arrived byte-identical:\n--- sent\n${messageBody(sent).toString('latin1')}\n--- arrived\n${body.toString('latin1')}`
    );
    await workbench.clearNotifications();
  });

  it('refuses an empty .eml and one without headers with a clear reason, and sends nothing', async () => {
    const before = await adeleBox.count();
    await workbench.openFile('empty.eml');
    await workbench.page.locator('.editor-actions .action-label[aria-label*="Send this .eml file"]').first().click();
    const empty = await workbench.waitForNotification(/\.eml file is empty/);
    assert.match(empty, /there is no message to send/);
    await workbench.clearNotifications();
    // From the Explorer's context menu this time.
    await workbench.page.keyboard.press('Control+Shift+E');
    const entry = workbench.page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'notes.eml' }).first();
    await entry.waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.contextMenu(entry, 'Send this .eml file');
    const headerless = await workbench.waitForNotification(/does not start with a mail header/);
    assert.match(headerless, /From: …/);
    assert.equal(
      await workbench.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'Send to' }).first().isVisible(),
      false,
      'no recipient prompt'
    );
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(await adeleBox.count(), before, 'nothing was sent');
    await workbench.clearNotifications();
  });

  it('renders hostile messages without running a script or fetching anything', async () => {
    const subjects = await adeleBox.seedHostile();
    const frame = await openPreview();
    resetCanary();
    for (const subject of subjects) {
      await waitForRow(frame, subject);
      await openMessage(frame, subject);
      const { srcdoc } = await bodyFrame(frame);
      assert.doesNotMatch(srcdoc, /<script|<iframe|<form|<input|<object|<embed|http-equiv="?refresh/i, `${subject}: active elements removed`);
      assert.doesNotMatch(srcdoc, /\son\w+\s*=/i, `${subject}: no event handler attributes`);
      assert.doesNotMatch(srcdoc, /javascript:/i, `${subject}: no javascript: URLs`);
      assert.ok(!srcdoc.includes(HOSTILE_CANARY_HOST), `${subject}: no reference to ${HOSTILE_CANARY_HOST} left while remote content is blocked`);
    }
    // Links that survive are plain, open outside and carry no javascript: URL.
    await openMessage(frame, HOSTILE_SUBJECTS.javascriptLink);
    const { frame: linkFrame } = await bodyFrame(frame);
    if (linkFrame) {
      const hrefs = await linkFrame.evaluate(() => [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '')).catch(() => [] as string[]);
      assert.ok(
        hrefs.every((h) => !/^\s*javascript:/i.test(h)),
        `no javascript: link: ${JSON.stringify(hrefs)}`
      );
      await linkFrame
        .locator('a')
        .first()
        .click({ timeout: 2_000 })
        .catch(() => undefined);
    }
    await workbench.page.waitForTimeout(1500);
    // Nothing ran: no global set in any frame (those that cannot run scripts cannot be evaluated either).
    for (const f of workbench.page.frames()) {
      const marker = await f.evaluate(() => (window as unknown as { __hostile?: string }).__hostile).catch(() => undefined);
      assert.equal(marker, undefined, `a script from a mail ran in ${f.url()}`);
    }
    assert.deepEqual(dialogs, [], 'no dialog opened');
    assert.deepEqual(canaryHits(), [], `nothing was fetched from ${HOSTILE_CANARY_HOST}`);
    assert.equal(workbench.page.context().pages().length, 1, 'no window opened');
    await workbench.screenshot('inbox-preview-hostile');
  });

  it('blocks remote images until the user allows remote content for that message', async () => {
    const frame = await preview();
    resetCanary();
    await openMessage(frame, HOSTILE_SUBJECTS.remoteImage);
    const notice = frame.locator('#message .notice');
    await notice.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await notice.textContent()) ?? '', /Remote content blocked \(1\)/);
    await workbench.page.waitForTimeout(1000);
    assert.deepEqual(canaryHits(), [], 'the tracking pixel is not fetched before the user allows it');
    await notice.locator('button', { hasText: 'Allow remote content for this message' }).click();
    await frame.locator('#message .notice').waitFor({ state: 'detached', timeout: 10_000 });
    const { srcdoc } = await bodyFrame(frame);
    assert.match(srcdoc, /<img[^>]+src="https:\/\/evil\.invalid\/pixel\.gif/);
    const deadline = Date.now() + 10_000;
    while (!canaryHits().some((u) => u.includes('/pixel.gif')) && Date.now() < deadline) await workbench.page.waitForTimeout(200);
    assert.ok(
      canaryHits().some((u) => u.includes('/pixel.gif')),
      'once allowed, the image is requested (and this test sees it)'
    );
    // The permission is for that message only.
    resetCanary();
    await openMessage(frame, HOSTILE_SUBJECTS.cssRemote);
    await frame.locator('#message .notice').waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.page.waitForTimeout(1000);
    assert.deepEqual(canaryHits(), [], 'another message stays blocked');
  });

  it('tests the connection from the tree: every IMAP and SMTP step green for a good credential', async () => {
    await showCredentials();
    await workbench.contextMenu(workbench.credentialRow(adele), 'Test connection');
    const report = await workbench.webviewFrame('h1:has-text("Connection test")');
    const text = (await report.locator('body').textContent()) ?? '';
    assert.match(text, /Connection test: Adele \(mail\)/);
    assert.match(text, /✅\s*IMAP 127\.0\.0\.1:\d+ \(implicit TLS\)\s*all \d+ steps passed/);
    assert.match(text, /✅\s*SMTP 127\.0\.0\.1:\d+ \(STARTTLS\)\s*all \d+ steps passed/);
    assert.doesNotMatch(text, /❌/);
    assert.match(text, /authenticated as adele@contoso\.test/);
    await workbench.screenshot('test-connection');
    // The next test's credential pick once closed by itself while this report's Markdown preview was
    // still settling (it takes the focus as it renders): leave the workbench as the test found it.
    await workbench.runCommand('View: Close All Editors');
  });

  it('shows the SMTP authentication step red with 5.7.139 and the next step when SMTP AUTH is disabled', async () => {
    await showCredentials();
    await flows.addAuthorizedAppOnly(megan, MEGAN);
    await workbench.contextMenu(workbench.credentialRow(megan), 'Test connection');
    const report = await workbench.webviewFrame('h1:has-text("Connection test: Megan")');
    const text = (await report.locator('body').textContent()) ?? '';
    assert.match(text, /✅\s*IMAP 127\.0\.0\.1:\d+ \(implicit TLS\)\s*all \d+ steps passed/);
    assert.match(text, /❌\s*SMTP 127\.0\.0\.1:\d+ \(STARTTLS\)\s*failed at AUTH XOAUTH2/);
    assert.match(text, /5\.7\.139/);
    assert.match(text, /SMTP AUTH/);
    await workbench.screenshot('test-connection-smtp-auth-disabled');
    await workbench.runCommand('View: Close All Editors');
  });

  it('reconnects on Refresh after the server dropped the idle IMAP connection', async () => {
    const frame = await openPreview();
    await waitForRow(frame, emlSubject);
    // Refresh at once: the preview must cope with a connection it has not yet seen closed.
    await adeleBox.kickImap();
    await frame.locator('#refresh').click();
    await frame.locator('#status[data-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
    await waitForRow(frame, emlSubject, 10_000);
    await openMessage(frame, emlSubject);
    assert.notEqual(await frame.locator('#status').getAttribute('data-state'), 'error');
  });

  it('survives a connection cut in the middle of a fetch: reconnects once, else says so and recovers on Refresh', async () => {
    const cutter = await TcpCutter.start(sandbox.imap);
    try {
      const relayed = 'Adele (via relay)';
      // The open preview keeps the keyboard focus that the quick inputs below need.
      await workbench.runCommand('View: Close All Editors');
      await showCredentials();
      await flows.addSandboxCredential(relayed, {
        grant: 'Client credentials',
        clientAuth: 'request body',
        clientId: sandbox.apps.daemonSecret.clientId,
        secret: sandbox.apps.daemonSecret.clientSecret,
        user: ADELE,
        servers: { imap: `127.0.0.1:${cutter.port}`, smtp: `${sandbox.smtp.host}:${sandbox.smtp.port}` }
      });
      await workbench.contextMenu(workbench.credentialRow(relayed), 'Authorize credential');
      await flows.rowState(relayed, /Authorized/);
      const frame = await openPreview(relayed);
      // The relay is not one of the sandbox cloud's own servers: the first token for it is confirmed.
      assert.match(await workbench.answerDialog('Send token'), new RegExp(`will be sent to 127\\.0\\.0\\.1:${cutter.port}\\. Send it\\?`));
      await waitForRow(frame, emlSubject);
      await waitForRow(frame, HOSTILE_SUBJECTS.script);
      // One cut: the preview reconnects by itself and the message opens.
      cutter.arm(1);
      await openMessage(frame, emlSubject);
      assert.equal(cutter.cuts, 1, 'the connection was cut during the fetch');
      assert.match(workbench.productLog(), /dropped; reconnecting once/);
      // Cut again on reconnect: the preview says what happened, keeps working, and Refresh recovers.
      cutter.arm(2);
      await frame.locator('#envelopes tr', { hasText: HOSTILE_SUBJECTS.script }).first().click();
      await frame.locator('#status[data-state="error"]').waitFor({ state: 'attached', timeout: 30_000 });
      const status = (await frame.locator('#status').textContent()) ?? '';
      assert.match(status, /connection to the IMAP server dropped/i, `a clear message: ${status}`);
      await workbench.screenshot('inbox-preview-connection-dropped');
      cutter.disarm();
      await frame.locator('#refresh').click();
      await frame.locator('#status[data-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
      await openMessage(frame, HOSTILE_SUBJECTS.script);
    } finally {
      await cutter.stop();
    }
  });
});
