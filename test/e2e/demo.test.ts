import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { instructions } from '../../demo/instructions';
import { DEMO_CREDENTIALS_FILE, startDemo, type Demo } from '../../demo/startDemo';
import { waitForRow } from './inboxPreviewPage';
import { SandboxFlows } from './sandboxFlows';
import { reportFailures, Workbench } from './workbench';

const ADELE = 'adele@contoso.test';
const BROWSER = 'Sandbox: Adele (browser sign-in)';
const DEVICE = 'Sandbox: Adele (device code)';
const DAEMON = 'Sandbox: daemon (client credentials)';

/**
 * `npm run demo` as a newcomer meets it: the demo's own start-up code (demo/startDemo.ts, its own
 * sandbox and code-server), its URL opened in a browser that trusts nothing extra and has no route
 * or rewrite, then the README's steps as written (section "The two commands"). Each test is one step
 * and builds on the one before.
 */
describe('end-to-end: the demo, following the README step by step', () => {
  let demo: Demo;
  let workbench: Workbench;
  let flows: SandboxFlows;

  before(async function () {
    // The demo packages the extension and starts a sandbox of its own.
    this.timeout(10 * 60_000);
    demo = await startDemo();
    workbench = await Workbench.connect(demo.codeServer, demo.url, { stopsServer: false });
    flows = new SandboxFlows(workbench, demo.sandbox);
  });

  reportFailures(() => workbench);

  /** Shows the M365 Mail side bar unless it is showing (its activity-bar entry toggles). */
  async function showCredentials(): Promise<void> {
    if (!(await workbench.credentialRow(BROWSER).isVisible())) await workbench.openViewContainer('M365 Mail');
  }

  after(async () => {
    await workbench?.close();
    await demo?.stop();
  });

  it('1. shows the folder’s credentials after one click on "Import credentials from this folder"', async () => {
    await workbench.openViewContainer('M365 Mail');
    const importButton = workbench.page.locator('.pane-body .welcome-view-content').getByRole('button', { name: 'Import credentials from this folder' });
    await importButton.waitFor({ state: 'visible', timeout: 60_000 });
    await importButton.click();
    // The import is a review: every endpoint and server of the file, before anything is saved.
    const review = await workbench.answerDialog('Import');
    assert.match(review, /Import 4 credential\(s\) from sandbox\.m365mail\.json\?/);
    assert.match(review, /Every mail server below is its provider's own\./);
    assert.match(review, /IMAP: 127\.0\.0\.1:\d+ \(TLS\), a server of /);
    for (const name of [BROWSER, 'Sandbox: Orders shared mailbox', DEVICE, DAEMON]) {
      await workbench.credentialRow(name).waitFor({ state: 'visible', timeout: 30_000 });
      await flows.rowState(name, /Unauthorized/);
    }
    assert.match(await workbench.waitForNotification(/Imported 4 credential/), /1 need a client secret or certificate/);
    assert.ok(DEMO_CREDENTIALS_FILE.endsWith('.m365mail.json'));
    await workbench.clearNotifications();
  });

  it('2. authorizes "Sandbox: Adele (browser sign-in)" on the sign-in page in a new tab', async () => {
    const popup = await flows.authorize(BROWSER, 'tree');
    await popup.locator('#user').waitFor({ state: 'visible', timeout: 30_000 });
    // The page a user's browser gets: through the workbench's port forwarder, never the sandbox's own https address.
    assert.match(popup.url(), /^http:\/\/\d+\.localhost:\d+\//, popup.url());
    await flows.signIn(popup, ADELE, 'accept');
    await flows.rowState(BROWSER, /Authorized/);
    await popup.close();
    await workbench.clearNotifications();
  });

  it('3. sends a test mail and finds it in the inbox preview', async () => {
    await showCredentials();
    await workbench.contextMenu(workbench.credentialRow(BROWSER), 'Send test mail');
    await workbench.pick(`Send to ${ADELE}`);
    assert.match(await workbench.waitForNotification(/Server reply:/), /Server reply: 250 /);
    await workbench.clearNotifications();
    await workbench.contextMenu(workbench.credentialRow(BROWSER), 'Preview inbox folder');
    const frame: Frame = await workbench.inboxPreview(BROWSER);
    await waitForRow(frame, `M365 Mail test from "${BROWSER}"`);
  });

  it('4. sends hello.eml with the button in the editor title', async () => {
    await workbench.openFile('hello.eml');
    await workbench.page.locator('.editor-actions .action-label[aria-label*="Send this .eml file"]').first().click();
    await flows.pickCredentialIfAsked(BROWSER);
    await workbench.pick(`Send to ${ADELE}`);
    const detail = await workbench.answerDialog('Send');
    assert.match(detail, /Grüße from the M365 Mail demo/);
    assert.match(await workbench.waitForNotification(/Server reply:/), /Server reply: 250 /);
    await workbench.clearNotifications();
  });

  it('5. tests the connection: every IMAP and SMTP step green', async () => {
    await showCredentials();
    await workbench.contextMenu(workbench.credentialRow(BROWSER), 'Test connection');
    const report = await workbench.webviewFrame('h1:has-text("Connection test")');
    const text = (await report.locator('body').textContent()) ?? '';
    assert.match(text, /✅\s*IMAP 127\.0\.0\.1:\d+ \(implicit TLS\)\s*all \d+ steps passed/);
    assert.match(text, /✅\s*SMTP 127\.0\.0\.1:\d+ \(STARTTLS\)\s*all \d+ steps passed/);
    assert.doesNotMatch(text, /❌/);
  });

  it('6. authorizes "Sandbox: Adele (device code)" with the code VS Code shows', async () => {
    await showCredentials();
    const popup = await flows.authorize(DEVICE, 'tree');
    const notice = workbench.page.locator('.notification-list-item', { hasText: 'enter the code' }).first();
    await notice.waitFor({ state: 'visible', timeout: 30_000 });
    const code = /enter the code (\S+)/.exec((await notice.textContent()) ?? '')?.[1];
    assert.ok(code, 'the notification shows the code');
    await popup.locator('#userCode').fill(code);
    await popup.locator('#continue').click();
    await popup.locator('#confirm').click();
    await flows.signIn(popup, ADELE, 'accept');
    await popup.locator('#deviceSuccess').waitFor({ state: 'visible', timeout: 30_000 });
    await flows.rowState(DEVICE, /Authorized/);
    await popup.close();
    await workbench.clearNotifications();
  });

  it('7. gives "Sandbox: daemon (client credentials)" the secret the demo printed, then authorizes it with no browser', async () => {
    await showCredentials();
    // The secret as the terminal shows it, not from the sandbox's own description.
    const secret = /Client secret: paste\s+(\S+) \(below\)/.exec(instructions(demo))?.[1];
    assert.ok(secret, 'the demo prints the secret in step 7');
    await workbench.contextMenu(workbench.credentialRow(DAEMON), 'Edit credential');
    // Exactly that field: the credential's description mentions "client secret" too.
    await workbench.pick('Client secret', { exact: true });
    await workbench.answer(secret);
    await workbench.waitForNotification(/Saved the change to "Sandbox: daemon/);
    const pages = workbench.page.context().pages().length;
    await workbench.contextMenu(workbench.credentialRow(DAEMON), 'Authorize credential');
    await flows.rowState(DAEMON, /Authorized/);
    assert.equal(workbench.page.context().pages().length, pages, 'no browser tab was opened');
  });
});
