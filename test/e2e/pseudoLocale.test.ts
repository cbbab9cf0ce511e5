import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Frame, Locator } from 'playwright-core';
import { freePort, type SandboxDescription } from '@m365-mail/sandbox';
import { sandboxDescription } from '../harness/sandboxEnv';
import { addPseudoTranslations, pseudo, PSEUDO_LANGUAGE_NAME, PSEUDO_LOCALE, pseudoLanguagePackVsix } from '../harness/pseudoLocale';
import { SandboxMailbox } from '../support/sandboxMailbox';
import { waitForRow } from './inboxPreviewPage';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

const ADELE = 'adele@contoso.test';

/**
 * Names that stay as they are in every language: products, protocols, standards. They count as
 * English only where the code passes them outside a message (a translated message has them
 * pseudo-localized too).
 */
const NAMES = [
  'M365 Mail',
  'Microsoft 365',
  'Microsoft Graph',
  'Microsoft',
  'Gmail',
  'Google Workspace',
  'Google',
  'SMTP',
  'IMAP',
  'OAuth2',
  'XOAUTH2',
  'STARTTLS',
  'TLS',
  'DNS',
  'TCP'
];

/**
 * What `Intl` writes for dates, relative times and sizes where it does not know the display
 * language (qps-ploc): the runtime's own locale, en-US in this browser and extension host. These
 * are formatted in the display language where it is a real one (test/unit/core/localization.test.ts);
 * here they are removed by their en-US shape, which holds no word of M365 Mail's.
 */
const INTL_EN_US = [
  /\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}:\d{2}\s?[AP]M/g,
  /\b(in \d+ (minutes?|hours?|days?)|\d+ (minutes?|hours?|days?) ago|tomorrow|yesterday|now)\b/g,
  /\b[\d.,]+ (bytes?|kB|MB|GB)\b/g
];

/**
 * The runs of plain ASCII letters left in `text` once the data a user typed or a server returned
 * (`data`), product names and `Intl`'s fallback formats are taken out: every ASCII letter of a
 * message that went through the bundles is pseudo-localized, so any run left is English that did not.
 */
function englishLeft(text: string, data: string[]): string[] {
  // Identifiers first, whole: URLs (scopes, endpoints), setting IDs, protocol values (client_secret_post).
  let rest = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\bm365mail\.[\w.]+/g, ' ')
    .replace(/\b[a-z]+(_[a-z0-9]+)+\b/g, ' ');
  for (const d of data.filter(Boolean).sort((a, b) => b.length - a.length)) rest = rest.split(d).join(' ');
  // Intl's fallback before host names: "1.1 kB" would otherwise lose "1.1" as a domain and leave "kB".
  for (const shape of INTL_EN_US) rest = rest.replace(shape, ' ');
  // Host names and domains (login.microsoftonline.com, contoso.onmicrosoft.com), then product names.
  rest = rest.replace(/\b[\w-]+(\.[\w-]+)+\b/g, ' ');
  for (const n of [...NAMES].sort((a, b) => b.length - a.length)) rest = rest.split(n).join(' ');
  return rest.match(/[A-Za-z]+/g) ?? [];
}

function assertNoEnglish(where: string, texts: string[], data: string[]): void {
  const text = texts.join(' | ');
  assert.ok(text.trim().length > 0, `${where} shows some text`);
  const english = englishLeft(text, data);
  assert.deepEqual(english, [], `${where} shows English (${english.join(' ')}): ${text}`);
}

/**
 * Issue 13: under VS Code's pseudo-locale no English is left in what M365 Mail shows. The display
 * language is switched the way a user switches it in code-server (a language pack installed from
 * its VSIX in the workbench, then "Configure Display Language" and Restart); M365 Mail is the VSIX
 * every end-to-end test installs, with the pseudo translations generated from its own bundles
 * beside it (test/harness/pseudoLocale.ts).
 */
describe('end-to-end: no English left under the pseudo-locale', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let packDir: string;
  /** The SMTP server of the credential: a loopback port nothing listens on, for a real failure. */
  let closedSmtp: string;
  const name = 'Adele (pseudo)';
  const subject = `Quarterly figures ${Date.now().toString(36)}`;
  const attachment = Buffer.from('id,item,quantity\r\n1,Widget,3\r\n');
  /** What the user typed or the servers hold, which no translation touches. */
  let data: string[];

  before(async () => {
    sandbox = sandboxDescription();
    packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-pseudo-pack-'));
    closedSmtp = `127.0.0.1:${await freePort()}`;
    data = [
      name,
      ADELE,
      subject,
      'INBOX',
      'order.csv',
      'text/csv',
      sandbox.cloud.label,
      sandbox.authorization.tenantId,
      sandbox.apps.publicClient.clientId,
      `${sandbox.imap.host}:${sandbox.imap.port}`,
      closedSmtp,
      sandbox.imap.host,
      'offline_access'
    ];
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-pseudo', afterInstall: addPseudoTranslations });
    flows = new SandboxFlows(workbench, sandbox, pseudo);
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
    if (packDir) fs.rmSync(packDir, { recursive: true, force: true });
  });

  it('switches the display language to qps-ploc as a user does: language pack, Configure Display Language, Restart', async () => {
    const pack = pseudoLanguagePackVsix(packDir);
    await workbench.runCommand('Extensions: Install from VSIX...');
    await workbench.chooseFile(pack, { button: 'Install' });
    await workbench.waitForNotification(/Completed installing/);
    // VS Code lists the language once its server has recorded the pack (languagepacks.json), a
    // moment after the install: like a user, open the list again until it is there.
    const language = workbench.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: PSEUDO_LANGUAGE_NAME }).first();
    const deadline = Date.now() + 30_000;
    for (;;) {
      await workbench.runCommand('Configure Display Language');
      const listed = await language.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false
      );
      if (listed) break;
      if (Date.now() > deadline) throw new Error(`"Configure Display Language" does not list ${PSEUDO_LANGUAGE_NAME}`);
      await workbench.page.keyboard.press('Escape');
    }
    await language.click();
    const reloaded = workbench.page.waitForEvent('framenavigated', { predicate: (f) => f === workbench.page.mainFrame(), timeout: 60_000 });
    await workbench.answerDialog('Restart');
    await reloaded;
    await workbench.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // VS Code's own words are pseudo-localized now: the language pack is in use.
    await workbench.page
      .locator(`.activitybar [aria-label^="${pseudo('Explorer')}"]`)
      .first()
      .waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('shows the Credentials view, its welcome content and buttons in the display language', async () => {
    await workbench.openViewContainer(pseudo('M365 Mail'));
    const welcome = workbench.page.locator('.welcome-view-content', { hasText: pseudo('No mail credentials yet') });
    await welcome.waitFor({ state: 'visible', timeout: 60_000 });
    await welcome.getByRole('button', { name: pseudo('Add credential') }).waitFor({ state: 'visible' });
    assertNoEnglish('the welcome view', [await welcome.innerText()], data);
    const title = workbench.page.locator('.sidebar .composite.title');
    assertNoEnglish('the side bar title', [await title.innerText()], data);
  });

  it('walks the guided "Add credential" flow with every title, placeholder, message and item in the display language', async () => {
    const steps: string[] = [];
    const found: string[] = [];
    workbench.onQuickInputStep = async (quickInput: Locator) => {
      const title = (
        await quickInput
          .locator('.quick-input-title')
          .innerText()
          .catch(() => '')
      ).trim();
      const placeholder = (await quickInput.locator('input.input').getAttribute('placeholder')) ?? '';
      const message = (
        await quickInput
          .locator('.quick-input-message')
          .innerText()
          .catch(() => '')
      ).trim();
      const items = await quickInput.locator('.quick-input-list .monaco-list-row').filter({ visible: true }).allInnerTexts();
      const step = [title, placeholder, message, ...items].filter(Boolean);
      steps.push(step.join(' / '));
      const english = englishLeft(step.join(' | '), data);
      if (english.length) found.push(`${step.join(' | ')}\n        English: ${english.join(' ')}`);
    };
    try {
      await flows.addSandboxCredential(name, {
        grant: 'Authorization code',
        clientAuth: 'None: public client',
        clientId: sandbox.apps.publicClient.clientId,
        user: ADELE,
        servers: { imap: `${sandbox.imap.host}:${sandbox.imap.port}`, smtp: closedSmtp }
      });
    } finally {
      workbench.onQuickInputStep = undefined;
    }
    assert.ok(steps.length >= 12, `every step was looked at: ${steps.length}\n${steps.join('\n')}`);
    assert.deepEqual(found, [], `steps that show English:\n      ${found.join('\n      ')}`);
  });

  it('says why a value is refused in the display language (validation)', async () => {
    await workbench.runCommand(pseudo('M365 Mail: Add credential'));
    await workbench.pick('Microsoft 365');
    await workbench.pick(sandbox.cloud.label);
    // The message names the value it refuses.
    const message = await workbench.expectValidation('not a tenant!', /not a tenant!/);
    await workbench.page.keyboard.press('Escape');
    assertNoEnglish('the tenant validation message', [message], [...data, 'not a tenant!']);
  });

  it('shows the tree rows of an authorized credential (state, details) in the display language', async () => {
    const popup = await flows.authorize(name, 'tree');
    await flows.signIn(popup, ADELE, 'accept');
    await flows.rowState(name, new RegExp(pseudo('Authorized')));
    await popup.close().catch(() => undefined);
    await workbench.credentialRow(name).click();
    await workbench.page.keyboard.press('ArrowRight');
    await workbench.page
      .locator('.pane-body .monaco-list-row', { hasText: pseudo('Refresh token') })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    const rows = await workbench.page.locator('.pane-body .monaco-list-row').allInnerTexts();
    assert.ok(rows.length >= 4, `the credential and its details: ${rows.join(' | ')}`);
    assertNoEnglish('the credential rows', rows, data);
  });

  it('reports a real failure (a test mail to an SMTP server that is not there) in the display language', async () => {
    await workbench.runCommand(pseudo('M365 Mail: Send test mail'));
    await flows.pickCredentialIfAsked(name);
    await workbench.pick(pseudo('Send to {0}', ADELE));
    // The credential's SMTP server is not one of its cloud's: the token goes there only on the user's word.
    const confirmation = await workbench.answerDialog(pseudo('Send token'));
    // The error, not the progress notification before it: the one with the error icon.
    const error = workbench.page.locator('.notification-list-item', { has: workbench.page.locator('.codicon-error') }).first();
    await error.waitFor({ state: 'visible', timeout: 90_000 });
    const notice = await error.innerText();
    await workbench.clearNotifications();
    const english = [
      ['the question before a token goes to another server', confirmation],
      ['the failure notification', notice]
    ].map(([where, text]) => ({ where, text, english: englishLeft(text!, data) }));
    assert.deepEqual(
      english.filter((e) => e.english.length),
      [],
      'what the user was shown holds English'
    );
  });

  it('shows the inbox preview (headings, buttons, column headers, sizes, the message) in the display language', async () => {
    const date = new Date(Date.UTC(2026, 5, 30, 12, 0, 0));
    const boundary = '=_pseudo_boundary';
    await new SandboxMailbox(sandbox, ADELE).append(
      'INBOX',
      [
        `From: ${ADELE}`,
        `To: ${ADELE}`,
        `Subject: ${subject}`,
        `Date: ${date.toUTCString()}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        '1234',
        `--${boundary}`,
        'Content-Type: text/csv; name="order.csv"',
        'Content-Disposition: attachment; filename="order.csv"',
        'Content-Transfer-Encoding: base64',
        '',
        attachment.toString('base64'),
        `--${boundary}--`,
        ''
      ].join('\r\n'),
      date
    );
    await workbench.runCommand(pseudo('M365 Mail: Preview inbox folder'));
    await flows.pickCredentialIfAsked(name);
    const frame: Frame = await workbench.inboxPreview(name);
    await waitForRow(frame, subject);
    await frame.locator('#envelopes tr', { hasText: subject }).first().click();
    await frame.locator('#message h2', { hasText: subject }).waitFor({ state: 'visible', timeout: 30_000 });
    await frame.locator('#status[data-state="ready"]').waitFor({ state: 'attached', timeout: 30_000 });
    // The page was handed vscode.env.language: the extension host runs in qps-ploc.
    assert.equal(await frame.locator('html').getAttribute('lang'), PSEUDO_LOCALE);
    // The size is Intl's, in the runtime's locale since Intl knows no qps-ploc (see INTL_EN_US).
    const size = await frame.evaluate(
      (bytes) => new Intl.NumberFormat(undefined, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(bytes),
      attachment.length
    );
    const attachments = await frame.locator('#message .attachments').innerText();
    assert.ok(attachments.includes(size), `the attachment's size (${size}) is shown: ${attachments}`);
    const labels = await frame.evaluate(() =>
      [...document.querySelectorAll('[title], [aria-label]')].map((e) => `${e.getAttribute('title') ?? ''} ${e.getAttribute('aria-label') ?? ''}`)
    );
    // What the page itself says; of the listed mail (other tests' too) its own date and size cells only.
    const shown = await frame.evaluate(() =>
      [
        ...document.querySelectorAll<HTMLElement>(
          'header > :not(select), thead th, #count, #more:not([hidden]), #envelopes td:nth-child(1), #envelopes td:nth-child(4), #message'
        )
      ].map((e) => e.innerText)
    );
    assert.ok(shown.join(' ').includes(pseudo('Open as .eml')), `the message's buttons are shown: ${shown.join(' | ')}`);
    assertNoEnglish('the inbox preview', [...shown, ...labels], [...data, '1234']);
    await workbench.screenshot('pseudo-locale-preview');
  });
});
