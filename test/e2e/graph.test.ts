import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxDescription } from '../harness/sandboxEnv';
import { SandboxControlClient, type SandboxDescription } from '@m365-mail/sandbox';
import { largeEml } from '../support/emlFixtures';
import { SandboxFlows } from './sandboxFlows';
import { messageBody, SandboxMailbox } from '../support/sandboxMailbox';
import { productVsix, reportFailures, Workbench } from './workbench';
import { waitForRow } from './inboxPreviewPage';
import type { Frame } from 'playwright-core';
import { simpleParser } from 'mailparser';

const ADELE = 'adele@contoso.test';
const MEGAN = 'megan@contoso.test';
const ORDERS = 'orders@contoso.test';

/**
 * Microsoft Graph as the transport, in the real workbench against the sandbox's Graph service
 * (which submits to the sandbox's Postfix, so what Graph accepted is checked where it arrives, over
 * IMAP): a delegated credential authorized in the browser, and an app-only one for the user whose
 * tenant keeps SMTP AUTH off.
 */
describe('end-to-end: sending through Microsoft Graph', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let control: SandboxControlClient;
  let adeleBox: SandboxMailbox;
  let folder: string;
  const adele = 'Adele (Graph)';
  const testSubject = (name: string) => `M365 Mail test from "${name}"`;

  /** "Send test mail" from the tree for `name`, to `address`. */
  async function sendTestMail(name: string, address: string): Promise<void> {
    await workbench.contextMenu(workbench.credentialRow(name), 'Send test mail');
    await workbench.pick(`Send to ${address}`);
  }

  /** "Preview inbox folder" from the tree for `name`, once the page shows. */
  async function openPreview(name: string): Promise<Frame> {
    await workbench.contextMenu(workbench.credentialRow(name), 'Preview inbox folder');
    return workbench.inboxPreview(name);
  }

  /**
   * Writes `content` as `file` in the workspace, opens it and sends it to Adele with credential
   * `name` from the editor title, as a user does; returns the confirmation's text.
   */
  async function sendEml(file: string, content: Buffer | string, name: string): Promise<string> {
    fs.writeFileSync(path.join(folder, file), content);
    await workbench.openFile(file);
    await workbench.page.locator('.editor-actions .action-label[aria-label*="Send this .eml file"]').first().click();
    await flows.pickCredentialIfAsked(name);
    await workbench.pick(`Send to ${ADELE}`);
    return workbench.answerDialog('Send');
  }

  /** Clicks `button` on the notification containing `text`. */
  async function clickNotificationButton(text: RegExp, button: string): Promise<void> {
    await workbench.waitForNotification(text);
    const item = workbench.page.locator('.notification-list-item', { hasText: text }).first();
    await item.locator('.monaco-button', { hasText: button }).first().click();
  }

  before(async () => {
    sandbox = sandboxDescription();
    control = new SandboxControlClient(sandbox);
    adeleBox = new SandboxMailbox(sandbox, ADELE);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-graph-'));
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-graph', folder });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await control?.reset().catch(() => undefined);
    await workbench?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('sends a test mail through Graph with a credential authorized in the browser: accepted (202), and it arrives', async () => {
    await flows.addAuthorized(adele, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: ADELE,
      transport: 'Microsoft Graph'
    });
    await workbench.runCommand('M365 Mail: Send test mail');
    await flows.pickCredentialIfAsked(adele);
    await workbench.pick(`Send to ${ADELE}`);
    const notice = await workbench.waitForNotification(/Microsoft Graph accepted it/);
    assert.match(notice, /Microsoft Graph accepted it \(202: accepted, not yet delivered\) · request-id [\w-]{8,}/);
    const subject = `M365 Mail test from "${adele}"`;
    await adeleBox.waitFor(subject);
    const arrived = await adeleBox.find(subject);
    assert.equal(arrived.length, 1, 'it arrived once');
    assert.match(arrived[0]!.source.toString('utf8'), /Credential: Adele \(Graph\)/);
    await workbench.clearNotifications();
  });

  it('sends a 1 MB .eml through Graph as MIME; its body arrives byte-identical', async () => {
    const subject = `Graph eml ${Date.now()}`;
    const eml = largeEml(1_000_000, subject);
    await sendEml('graph.eml', eml, adele);
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await adeleBox.waitFor(subject);
    const [arrived] = await adeleBox.find(subject);
    assert.ok(arrived);
    assert.ok(messageBody(arrived.source).equals(messageBody(eml)), 'the body arrived as it was in the file');
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();
  });

  it('sends an 8 MB .eml through Graph as a draft with its attachment uploaded, once the credential has Mail.ReadWrite', async () => {
    const subject = `Graph large eml ${Date.now()}`;
    const eml = largeEml(8_000_000, subject);
    const sendOpenEml = (name: string) => sendEml('large.eml', eml, name);
    // Without Mail.ReadWrite (not prefilled: only large messages need it) the error names it, before anything is sent.
    const confirmation = await sendOpenEml(adele);
    assert.match(confirmation, /sent as a draft with its attachments uploaded/);
    assert.match(confirmation, /Exchange rebuilds the MIME/);
    const refused = await workbench.waitForNotification(/Mail\.ReadWrite/);
    assert.doesNotMatch(refused, /accepted/);
    await workbench.clearNotifications();
    await workbench.runCommand('View: Close All Editors');

    const drafts = 'Adele (Graph, drafts)';
    await flows.addAuthorized(drafts, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: ADELE,
      transport: 'Microsoft Graph',
      addScopes: [`${sandbox.cloud.graphScopePrefix}Mail.ReadWrite`]
    });
    await sendOpenEml(drafts);
    const notice = await workbench.waitForNotification(/Microsoft Graph accepted it/);
    assert.match(notice, /sent as a draft with 1 attachment\(s\) uploaded; Exchange rebuilt the MIME/);
    await adeleBox.waitFor(subject);
    const [arrived] = await adeleBox.find(subject);
    const [sentAttachment] = (await simpleParser(eml)).attachments;
    const [arrivedAttachment] = (await simpleParser(arrived!.source)).attachments;
    assert.equal(arrivedAttachment?.filename, 'filler.bin');
    assert.ok(arrivedAttachment?.content.equals(sentAttachment!.content), `the ${sentAttachment!.size}-byte attachment arrived byte for byte`);
    assert.equal((await adeleBox.find(subject, 'Drafts')).length, 0, 'no draft left behind');
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();
  });

  it('sends for a user whose tenant keeps SMTP AUTH off, with client credentials over Graph, and explains an application access policy', async () => {
    const megan = 'Megan (Graph, app-only)';
    const meganBox = new SandboxMailbox(sandbox, MEGAN);
    await flows.addSandboxCredential(megan, {
      grant: 'Client credentials',
      clientAuth: 'request body',
      clientId: sandbox.apps.daemonSecret.clientId,
      secret: sandbox.apps.daemonSecret.clientSecret,
      user: MEGAN,
      transport: 'Microsoft Graph'
    });
    await workbench.contextMenu(workbench.credentialRow(megan), 'Authorize credential');
    await flows.rowState(megan, /Authorized/);
    await workbench.contextMenu(workbench.credentialRow(megan), 'Send test mail');
    await workbench.pick(`Send to ${MEGAN}`);
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await meganBox.waitFor(`M365 Mail test from "${megan}"`);
    await workbench.clearNotifications();
    // An application access policy that leaves Megan's mailbox out: the next step is the admin's.
    await control.denyGraphAccess(MEGAN);
    await workbench.contextMenu(workbench.credentialRow(megan), 'Send test mail');
    await workbench.pick(`Send to ${MEGAN}`);
    const denied = await workbench.waitForNotification(/ErrorAccessDenied/);
    assert.match(denied, /Microsoft Graph denied the app access to megan@contoso\.test/);
    assert.match(denied, /Test-ApplicationAccessPolicy/);
    await control.clearGraphFaults();
    await workbench.clearNotifications();
  });

  it('previews the Graph inbox: lists the test mail from mailFolders/messages and opens it from Graph', async () => {
    await workbench.clearNotifications();
    const frame = await openPreview(adele);
    await waitForRow(frame, testSubject(adele));
    assert.equal(await frame.locator('#mailbox').textContent(), ADELE);
    const folders = await frame.locator('#folders option').allTextContents();
    assert.ok(
      folders.some((f) => /inbox/i.test(f)),
      `the folder list has the inbox: ${folders.join(', ')}`
    );
    await frame
      .locator('#envelopes tr', { hasText: testSubject(adele) })
      .first()
      .click();
    await frame.locator('#message h2', { hasText: testSubject(adele) }).waitFor({ state: 'visible', timeout: 30_000 });
    const headers = (await frame.locator('#message .header').allTextContents()).join('\n');
    assert.match(headers, /From: .*adele@contoso\.test/);
    const text = (await frame.locator('#message pre.text').textContent()) ?? '';
    assert.match(text, /Credential: Adele \(Graph\)/);
    await workbench.screenshot('graph-preview');
    await workbench.runCommand('View: Close All Editors');
  });

  it('tests the connection over Graph step by step: every step green, and nothing is sent', async () => {
    const before = (await adeleBox.find(testSubject(adele))).length;
    await workbench.contextMenu(workbench.credentialRow(adele), 'Test connection');
    const report = await workbench.webviewFrame(`h1:has-text("Connection test: ${adele}")`);
    const text = (await report.locator('body').textContent()) ?? '';
    assert.match(text, /✅\s*Microsoft Graph 127\.0\.0\.1:\d+ \(HTTPS\)\s*all \d+ steps passed/);
    assert.doesNotMatch(text, /❌/);
    await workbench.clearNotifications();
    await workbench.screenshot('graph-connection-test');
    assert.equal((await adeleBox.find(testSubject(adele))).length, before, 'the test sent nothing');
    await workbench.runCommand('View: Close All Editors');
  });

  it('waits when Graph throttles (429 with Retry-After), says so in the progress, and the mail is accepted', async () => {
    await control.throttleGraph({ requests: 1, retryAfterSeconds: 3, user: ADELE });
    await sendTestMail(adele, ADELE);
    await workbench.waitForNotification(/Microsoft Graph asked to wait 3 s \(throttled\)/);
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await control.clearGraphFaults();
    await workbench.clearNotifications();
  });

  it("shows Graph's refusals by their error code with what to do next (ErrorAccessDenied, MailboxNotEnabledForRESTAPI, InvalidAuthenticationToken, ErrorMimeContentInvalidBase64String)", async () => {
    await control.denyGraphAccess(ADELE);
    await sendTestMail(adele, ADELE);
    const notice = await workbench.waitForNotification(/ErrorAccessDenied/);
    assert.match(notice, /Microsoft Graph denied access to adele@contoso\.test \(ErrorAccessDenied\)/);
    assert.match(notice, /add Mail\.Send/);
    await control.clearGraphFaults();
    await workbench.clearNotifications();
    await control.disableGraphMailbox(ADELE);
    await sendTestMail(adele, ADELE);
    const disabled = await workbench.waitForNotification(/MailboxNotEnabledForRESTAPI/);
    assert.match(disabled, /The mailbox adele@contoso\.test cannot be reached through Microsoft Graph/);
    assert.match(disabled, /must exist in Exchange Online with a license/);
    await control.clearGraphFaults();
    await workbench.clearNotifications();
    await control.refuseGraph({ requests: 1, error: 'invalid-token' });
    await sendTestMail(adele, ADELE);
    const invalidToken = await workbench.waitForNotification(/InvalidAuthenticationToken/);
    assert.match(invalidToken, /Microsoft Graph refused the access token/);
    assert.match(invalidToken, /run "Authorize credential" again/);
    await workbench.clearNotifications();
    // A .eml Graph cannot read as base64 MIME: the error says what the file must be.
    await control.refuseGraph({ requests: 1, error: 'invalid-base64' });
    await sendEml('small.eml', 'From: adele@contoso.test\r\nTo: adele@contoso.test\r\nSubject: small\r\n\r\nbody\r\n', adele);
    const invalidMime = await workbench.waitForNotification(/ErrorMimeContentInvalidBase64String/);
    assert.match(invalidMime, /must be a complete MIME message/);
    await control.clearGraphFaults();
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();
  });

  it('sends from a shared mailbox over Graph, previews its inbox, and explains ErrorSendAsDenied', async () => {
    const orders = 'Orders (Graph, shared)';
    const ordersBox = new SandboxMailbox(sandbox, ORDERS);
    await flows.addAuthorized(orders, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: ADELE,
      sharedMailbox: ORDERS,
      transport: 'Microsoft Graph'
    });
    await sendTestMail(orders, ORDERS);
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await ordersBox.waitFor(testSubject(orders));
    const [arrived] = await ordersBox.find(testSubject(orders));
    assert.match(arrived!.source.toString('utf8'), /^From: .*orders@contoso\.test/m, 'sent from the shared mailbox');
    await workbench.clearNotifications();
    const frame = await openPreview(orders);
    await waitForRow(frame, testSubject(orders));
    assert.equal(await frame.locator('#mailbox').textContent(), ORDERS, 'the preview reads the shared mailbox');
    await workbench.runCommand('View: Close All Editors');
    // Without Send As on the shared mailbox, Graph refuses, and the error says who must grant it.
    await control.denyGraphSendAs(ORDERS);
    await sendTestMail(orders, ORDERS);
    const refused = await workbench.waitForNotification(/ErrorSendAsDenied/);
    assert.match(refused, /may not send as orders@contoso\.test/);
    assert.match(refused, /Add-RecipientPermission/);
    await control.clearGraphFaults();
    await workbench.clearNotifications();
  });

  it('sends over Graph with client credentials by certificate', async () => {
    const name = 'Megan (Graph, certificate)';
    const pem = flows.clientCertificatePem();
    await flows.addSandboxCredential(name, {
      grant: 'Client credentials',
      clientAuth: 'Certificate',
      clientId: sandbox.apps.daemonCertificate.clientId,
      certificateFile: pem.file,
      user: MEGAN,
      transport: 'Microsoft Graph'
    });
    pem.remove();
    await workbench.contextMenu(workbench.credentialRow(name), 'Authorize credential');
    await flows.rowState(name, /Authorized/);
    await sendTestMail(name, MEGAN);
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await new SandboxMailbox(sandbox, MEGAN).waitFor(testSubject(name));
    await workbench.clearNotifications();
  });

  it('shows the app registration an app-only Graph credential needs, and copies it as Azure CLI', async () => {
    const megan = 'Megan (Graph, app-only)';
    await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await workbench.contextMenu(workbench.credentialRow(megan), 'Show app registration');
    const checklist = await workbench.webviewFrame(`h1:has-text("App registration for")`);
    const text = (await checklist.locator('body').textContent()) ?? '';
    assert.match(text, /Microsoft Graph/);
    assert.match(text, /Mail\.Send/);
    assert.match(text, /[Aa]pplication/, 'app-only: application permissions');
    assert.match(text, /admin consent/i);
    await workbench.screenshot('app-registration');
    await clickNotificationButton(/App registration of "Megan \(Graph, app-only\)"/, 'Copy…');
    await workbench.pick('Copy as Azure CLI');
    await workbench.waitForNotification(/Copied "Copy as Azure CLI"/);
    const copied = await workbench.page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /^# M365 Mail: app registration for "Megan \(Graph, app-only\)"/m);
    assert.match(copied, /az ad app create/);
    assert.match(copied, /az ad app permission admin-consent/);
    // The Graph resource and the application Mail.Send permission, by their published IDs.
    assert.match(copied, /00000003-0000-0000-c000-000000000000/);
    assert.ok(!copied.includes(sandbox.apps.daemonSecret.clientSecret), 'no secret in what is copied');
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();
  });

  it('offers "Send through Microsoft Graph instead" when SMTP AUTH is off (5.7.139), switches with consent, and sends again', async () => {
    const name = 'Megan (SMTP AUTH off)';
    const meganBox = new SandboxMailbox(sandbox, MEGAN);
    await flows.signOutOfSandbox();
    await flows.addAuthorized(name, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: MEGAN
    });
    await sendTestMail(name, MEGAN);
    const refused = await workbench.waitForNotification(/5\.7\.139/);
    assert.match(refused, /SMTP AUTH is switched off/);
    assert.ok(
      await workbench.page
        .locator('.notification-list-item', { hasText: /5\.7\.139/ })
        .locator('.monaco-button', { hasText: 'Show app registration' })
        .count(),
      'the error also offers the checklist item that fixes it'
    );
    const popup = workbench.page.context().waitForEvent('page', { timeout: 60_000 });
    await clickNotificationButton(/5\.7\.139/, 'Send through Microsoft Graph instead');
    const signIn = await popup;
    await signIn.locator('#accept').or(signIn.locator('#user')).first().waitFor({ state: 'visible', timeout: 30_000 });
    await flows.signIn(signIn, MEGAN, 'accept');
    await clickNotificationButton(/now sends through Microsoft Graph/, 'Send again');
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await meganBox.waitFor(testSubject(name));
    await signIn.close().catch(() => undefined);
    // The tree row says how it sends now.
    await flows.rowState(name, /send: Microsoft Graph, read: IMAP/);
    await workbench.clearNotifications();
  });
});
