import * as assert from 'node:assert/strict';
import type { Frame } from 'playwright-core';
import { sandboxDescription } from '../harness/sandboxEnv';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { SandboxMailbox } from '../support/sandboxMailbox';
import { waitForRow } from './inboxPreviewPage';
import { productVsix, reportFailures, Workbench } from './workbench';

const ADELE = 'adele@contoso.test';
const ORDERS = 'orders@contoso.test';
const MEGAN = 'megan@contoso.test';

/**
 * More mail flows against the sandbox: a shared mailbox opened by a delegate (send, preview, open
 * as .eml) and a send the server refuses because SMTP AUTH is off for the mailbox. What arrived is
 * checked from this process over IMAP, independently of the extension.
 */
describe('end-to-end: shared mailbox, .eml from the preview, refused send', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let ordersBox: SandboxMailbox;
  let meganBox: SandboxMailbox;
  const orders = 'Orders (shared)';
  const megan = 'Megan (SMTP AUTH off)';
  const testSubject = `M365 Mail test from "${orders}"`;
  let sentMessageId: string | undefined;

  before(async () => {
    sandbox = sandboxDescription();
    ordersBox = new SandboxMailbox(sandbox, ORDERS);
    meganBox = new SandboxMailbox(sandbox, MEGAN);
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-mail-more' });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
  });

  /** The value of header `name` in `source` (folded lines unfolded), RFC 2047 encoded words decoded. */
  function decodedHeader(source: string, name: string): string | undefined {
    const match = new RegExp(`^${name}:(.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(source);
    if (!match) return undefined;
    const unfolded = match[1]!.replace(/\r?\n[ \t]+/g, ' ').trim();
    return unfolded
      .replace(/(=\?[^?]+\?[QqBb]\?[^?]*\?=)\s+(?==\?)/g, '$1')
      .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, encoding: string, text: string) =>
        encoding.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64').toString('utf8')
          : Buffer.from(
              text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))),
              'latin1'
            ).toString('utf8')
      );
  }

  /** "M365 Mail: Preview inbox folder" from the palette for credential `name`. */
  async function openPreview(name: string): Promise<Frame> {
    await workbench.runCommand('M365 Mail: Preview inbox folder');
    await flows.pickCredentialIfAsked(name);
    return workbench.inboxPreview(name);
  }

  /** Shows the M365 Mail side bar unless it is showing (its activity-bar entry toggles). */
  async function showCredentials(): Promise<void> {
    if (!(await workbench.credentialRow(orders).isVisible())) await workbench.openViewContainer('M365 Mail');
  }

  /** Sends "M365 Mail: Send test mail" with `name` to its own mailbox `address`. */
  async function sendTestMail(name: string, address: string): Promise<void> {
    await workbench.runCommand('M365 Mail: Send test mail');
    await flows.pickCredentialIfAsked(name);
    await workbench.pick(`Send to ${address}`);
  }

  it('sends a test mail with a shared-mailbox credential to the shared mailbox and previews its INBOX', async () => {
    await flows.addAuthorized(orders, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: ADELE,
      sharedMailbox: ORDERS
    });
    const before = await ordersBox.count();
    await sendTestMail(orders, ORDERS);
    const notice = await workbench.waitForNotification(/Server reply:/);
    assert.match(notice, /Sent with "Orders \(shared\)" to orders@contoso\.test\. Server reply: 250 /);
    sentMessageId = /Message-ID (<[^>\s]+>)/.exec(notice)?.[1];
    assert.ok(sentMessageId, `the notification shows the message ID: ${notice}`);
    await ordersBox.waitFor(testSubject);
    const arrived = (await ordersBox.find(testSubject)).filter((m) => m.messageId === sentMessageId);
    assert.equal(arrived.length, 1, 'the message arrived in the shared mailbox, once');
    assert.equal(await ordersBox.count(), before + 1);
    assert.match(arrived[0]!.source.toString('utf8'), /^From: .*orders@contoso\.test/m, 'sent from the shared mailbox');
    await workbench.clearNotifications();

    const frame = await openPreview(orders);
    await waitForRow(frame, testSubject);
    assert.equal(await frame.locator('#mailbox').textContent(), ORDERS, 'the header shows the shared mailbox');
    assert.equal(await frame.locator('#folders').inputValue(), 'INBOX');
    await frame.locator('#envelopes tr', { hasText: testSubject }).first().click();
    await frame.locator('#message h2', { hasText: testSubject }).waitFor({ state: 'visible', timeout: 30_000 });
    const headers = (await frame.locator('#message .header').allTextContents()).join('\n');
    assert.match(headers, /To: .*orders@contoso\.test/);
    const text = (await frame.locator('#message pre.text').textContent()) ?? '';
    assert.match(text, /Mailbox: orders@contoso\.test/);
    await workbench.screenshot('shared-mailbox-preview');
  });

  it('opens that message as .eml in an editor with the E-mail message language, Subject and Message-ID', async () => {
    assert.ok(sentMessageId, 'the previous test sent a message');
    const frame = await openPreview(orders);
    await frame.locator('#message h2', { hasText: testSubject }).waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('#message .actions button', { hasText: 'Open as .eml' }).click();
    const editor = workbench.page.locator('.editor-instance .monaco-editor .view-lines').first();
    await workbench.page.locator('.tabs-container .tab.active', { hasText: /Untitled/ }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await workbench.editorLanguage(), 'E-mail message', 'the eml language is active');
    // Header lines are at the top; Monaco renders the visible lines (with non-breaking spaces).
    const deadline = Date.now() + 10_000;
    let content = '';
    while (Date.now() < deadline) {
      content = ((await editor.innerText().catch(() => '')) ?? '').replace(/\u00a0/g, ' ');
      if (content.includes(sentMessageId!)) break;
      await workbench.page.waitForTimeout(250);
    }
    assert.equal(decodedHeader(content, 'Subject'), testSubject, `the editor shows the Subject:\n${content}`);
    assert.equal(decodedHeader(content, 'Message-ID'), sentMessageId, `the editor shows the Message-ID:\n${content}`);
    await workbench.screenshot('open-as-eml');
    // Close the untitled document without the save prompt, then the preview.
    await workbench.runCommand('View: Revert and Close Editor');
    await workbench.page.locator('.tabs-container .tab', { hasText: /Untitled/ }).waitFor({ state: 'detached', timeout: 10_000 });
    await workbench.runCommand('View: Close All Editors');
  });

  it('reports 5.7.139 with the admin step when SMTP AUTH is off, sends nothing, and keeps working', async () => {
    await showCredentials();
    await flows.addAuthorizedAppOnly(megan, MEGAN);
    const before = await meganBox.count();
    await sendTestMail(megan, MEGAN);
    const error = await workbench.waitForNotification(/5\.7\.139/);
    assert.match(error, /SMTP AUTH is switched off/);
    assert.match(error, /An Exchange admin must enable "Authenticated SMTP"/);
    assert.doesNotMatch(error, /Server reply: 250/);
    await workbench.screenshot('send-refused-smtp-auth');
    // Its "Show app registration" opens the checklist at the item that fixes it.
    await workbench.page
      .locator('.notification-list-item', { hasText: /5\.7\.139/ })
      .locator('.monaco-button', { hasText: 'Show app registration' })
      .first()
      .click();
    await workbench.waitForNotification(/App registration of "Megan \(SMTP AUTH off\)": see "SMTP AUTH for the mailbox"/);
    const checklist = await workbench.webviewFrame('h1:has-text("App registration for")');
    const items = (await checklist.locator('body').textContent()) ?? '';
    assert.match(items, /Set-CASMailbox -Identity "megan@contoso\.test" -SmtpClientAuthenticationDisabled \$false/);
    assert.match(items, /New-ServicePrincipal/, 'app-only: the Exchange service principal item is there too');
    await workbench.screenshot('checklist-from-5.7.139');
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();

    // The extension keeps working: the shared-mailbox credential still sends.
    const ordersBefore = await ordersBox.count();
    await sendTestMail(orders, ORDERS);
    const notice = await workbench.waitForNotification(/Server reply:/);
    assert.match(notice, /Sent with "Orders \(shared\)" to orders@contoso\.test\. Server reply: 250 /);
    const deadline = Date.now() + 30_000;
    while ((await ordersBox.count()) < ordersBefore + 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
    assert.equal(await ordersBox.count(), ordersBefore + 1, 'the second send arrived');
    await workbench.clearNotifications();
    // And Megan's IMAP side works, from the tree.
    await showCredentials();
    await workbench.contextMenu(workbench.credentialRow(megan), 'Test connection');
    const report = await workbench.webviewFrame('h1:has-text("Connection test: Megan")');
    const text = (await report.locator('body').textContent()) ?? '';
    assert.match(text, /✅\s*IMAP 127\.0\.0\.1:\d+ \(implicit TLS\)\s*all \d+ steps passed/);

    assert.equal(await meganBox.count(), before, 'nothing was delivered to megan');
  });
});
