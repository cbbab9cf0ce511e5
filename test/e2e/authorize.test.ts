import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { sandboxDescription } from '../harness/sandboxEnv';
import type { SandboxDescription } from '../sandbox/server/sandbox';
import { productVsix, Workbench } from './workbench';

/**
 * Authorization as a user meets it in a browser-based VS Code (code-server, like Codespaces):
 * the credential is added through the guided flow, "Authorize" opens the sandbox's sign-in page
 * in a new tab (env.openExternal), the user signs in and consents there, and the browser comes
 * back to the extension. The tree item turns Authorized; a declined consent turns it Failed.
 */
describe('end-to-end: authorize credentials in the browser against the sandbox', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;

  before(async () => {
    sandbox = sandboxDescription();
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-authorize' });
    await workbench.openViewContainer('M365 Mail');
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await workbench?.reportFailure(this.currentTest.title);
  });

  after(async () => {
    await workbench?.close();
  });

  /** The guided flow for a sandbox credential. */
  async function addSandboxCredential(name: string, options: { grant: 'Authorization code' | 'Device code' | 'Client credentials'; clientAuth?: string; clientId: string; secret?: string; user: string }): Promise<void> {
    await workbench.runCommand('M365 Mail: Add credential');
    await workbench.pick('Microsoft 365');
    await workbench.pick(sandbox.cloud.label);
    await workbench.answer(sandbox.authorization.tenantId);
    await workbench.pick(options.grant);
    if (options.clientAuth) await workbench.pick(options.clientAuth);
    await workbench.answer(options.clientId);
    if (options.secret) await workbench.answer(options.secret);
    await workbench.answer(options.user);
    if (options.grant !== 'Client credentials') await workbench.answer('');
    await workbench.pick('IMAP and SMTP');
    await workbench.acceptDefault(); // the scopes prefilled for the cloud and purpose
    if (options.grant !== 'Client credentials') await workbench.acceptDefault(); // 90 days
    await workbench.pick('Use the default servers');
    await workbench.answer(name);
    await workbench.answer('');
    await workbench.credentialRow(name).waitFor({ state: 'visible', timeout: 30_000 });
  }

  /** Signs in on the sandbox's pages in the tab the extension opened (a browser already signed in goes straight to consent). */
  async function signIn(page: Page, user: string, decision: 'accept' | 'deny'): Promise<void> {
    const login = page.locator('#user');
    const consent = page.locator(`#${decision}`);
    await login.or(consent).first().waitFor({ state: 'visible', timeout: 30_000 }).catch(async (error: Error) => {
      await page.screenshot({ path: 'test-results/screenshots/failed-sign-in-tab.png' }).catch(() => undefined);
      throw new Error(`${error.message}\n      the tab shows ${page.url()}: ${(await page.textContent('body').catch(() => ''))?.slice(0, 300)}`);
    });
    if (await login.isVisible()) {
      await login.fill(user);
      await page.locator('#password').fill(sandbox.password);
      await page.locator('#signIn').click();
    }
    await consent.click();
  }

  /** "M365 Mail: Authorize credential" from the palette, or the tree item's context menu; resolves the tab it opens. */
  async function authorize(name: string, from: 'palette' | 'tree'): Promise<Page> {
    const popup = workbench.page.context().waitForEvent('page', { timeout: 60_000 });
    if (from === 'palette') {
      // With a single credential the command acts on it without asking.
      await workbench.runCommand('M365 Mail: Authorize credential');
    } else {
      await workbench.contextMenu(workbench.credentialRow(name), 'Authorize credential');
    }
    return popup;
  }

  async function rowState(name: string, state: RegExp): Promise<void> {
    await workbench.page.waitForFunction(
      ([label, pattern]) => [...document.querySelectorAll('.pane-body .monaco-list-row')].some((row) => row.textContent?.includes(label) && new RegExp(pattern).test(row.textContent ?? '')),
      [name, state.source] as const,
      { timeout: 60_000 }
    );
  }

  it('authorizes through the sign-in page in a new tab and shows the credential Authorized', async () => {
    const name = 'Adele (browser)';
    await addSandboxCredential(name, { grant: 'Authorization code', clientAuth: 'None: public client', clientId: sandbox.apps.publicClient.clientId, user: 'adele@contoso.test' });
    const popup = await authorize(name, 'palette');
    await signIn(popup, 'adele@contoso.test', 'accept');
    await rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);
    await workbench.credentialRow(name).click();
    await workbench.page.keyboard.press('ArrowRight');
    await workbench.page.locator('.pane-body .monaco-list-row', { hasText: 'adele@contoso.test' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.screenshot('credential-authorized');
  });

  it('shows Failed with the reason when consent is declined', async () => {
    const name = 'Adele (declines)';
    await addSandboxCredential(name, { grant: 'Authorization code', clientAuth: 'request body', clientId: sandbox.apps.webSecretPost.clientId, secret: sandbox.apps.webSecretPost.clientSecret, user: 'adele@contoso.test' });
    const popup = await authorize(name, 'tree');
    await signIn(popup, 'adele@contoso.test', 'deny');
    await rowState(name, /Failed/);
    const notice = workbench.page.locator('.notification-list-item', { hasText: 'AADSTS65004' }).first();
    await notice.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await notice.textContent()) ?? '', /declined/);
    await popup.close().catch(() => undefined);
    await workbench.screenshot('credential-failed');
  });

  it('authorizes by device code: the code shown in VS Code is entered on the verification page', async () => {
    const name = 'Adele (device code)';
    await addSandboxCredential(name, { grant: 'Device code', clientId: sandbox.apps.publicClient.clientId, user: 'adele@contoso.test' });
    const popup = await authorize(name, 'tree');
    const notice = workbench.page.locator('.notification-list-item', { hasText: 'enter the code' }).first();
    await notice.waitFor({ state: 'visible', timeout: 30_000 });
    const code = /enter the code (\S+)/.exec((await notice.textContent()) ?? '')?.[1];
    assert.ok(code, 'the notification shows the code');
    await popup.locator('#userCode').waitFor({ state: 'visible', timeout: 30_000 });
    await popup.locator('#userCode').fill(code);
    await popup.locator('#continue').click();
    await popup.locator('#confirm').click();
    await signIn(popup, 'adele@contoso.test', 'accept');
    await popup.locator('#deviceSuccess').waitFor({ state: 'visible', timeout: 30_000 });
    await rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);
  });

  it('authorizes client credentials with a secret, without a browser', async () => {
    const name = 'Daemon (secret)';
    await addSandboxCredential(name, { grant: 'Client credentials', clientAuth: 'request body', clientId: sandbox.apps.daemonSecret.clientId, secret: sandbox.apps.daemonSecret.clientSecret, user: 'adele@contoso.test' });
    await workbench.contextMenu(workbench.credentialRow(name), 'Authorize credential');
    await rowState(name, /Authorized/);
    await workbench.screenshot('credentials-states');
  });
});
