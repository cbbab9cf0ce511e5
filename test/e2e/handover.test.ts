import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpsRequest } from '../../src/auth/httpsRequest';
import { sandboxDescription } from '../harness/sandboxEnv';
import { SandboxControlClient, type SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

const ADELE = 'adele@contoso.test';
const MEGAN = 'megan@contoso.test';

/**
 * The set-up around a credential, in the real workbench: decoding an XOAUTH2 string another system
 * logged, and carrying an authorized credential into Adobe Experience Manager (its two OSGi files,
 * and the refresh token for Cloud Manager behind a modal).
 */
describe('end-to-end: decoding XOAUTH2 and handing a credential over', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let ca: string;
  const tokenUrl = () => `${sandbox.authorization.authority}/oauth2/v2.0/token`;

  before(async () => {
    sandbox = sandboxDescription();
    ca = fs.readFileSync(sandbox.caCertPath, 'utf8');
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-handover' });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
    await workbench.page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  });

  reportFailures(() => workbench);

  after(async () => {
    // The consents given here would spare later suites the consent page they expect.
    await new SandboxControlClient(sandbox).reset().catch(() => undefined);
    await workbench?.close();
  });

  /** Every secret of the hand-over credential: none may be in any file or document it generates. */
  const secrets = () => [sandbox.apps.webSecretPost.clientSecret];
  const assertNoSecret = (text: string, where: string) => {
    for (const secret of secrets()) assert.ok(!text.includes(secret), `no secret in ${where}`);
    assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, `no token in ${where}`);
  };

  const clipboard = () => workbench.page.evaluate(() => navigator.clipboard.readText());
  /** Waits, as a user pasting would see, until the clipboard holds what `until` accepts. */
  const waitForClipboard = async (until: (text: string) => boolean, timeout = 30_000): Promise<string> => {
    const deadline = Date.now() + timeout;
    for (;;) {
      const text = await clipboard();
      if (until(text)) return text;
      if (Date.now() > deadline) throw new Error(`the clipboard still holds "${text.slice(0, 40)}" after ${timeout} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const setClipboard = (text: string) => workbench.page.evaluate((value) => navigator.clipboard.writeText(value), text);

  it('decodes an XOAUTH2 string built from a sandbox token: user=, the claims and a green verdict, never the token', async () => {
    // What another system would log after AUTH XOAUTH2: an app-only token for Megan's mailbox.
    const answer = await httpsRequest(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sandbox.apps.daemonSecret.clientId,
        client_secret: sandbox.apps.daemonSecret.clientSecret,
        scope: sandbox.scopes.appOnly
      }).toString(),
      extraCaCertificates: [ca]
    });
    assert.equal(answer.status, 200, answer.body);
    const token = (JSON.parse(answer.body) as { access_token: string }).access_token;
    const sasl = Buffer.from(`user=${MEGAN}\x01auth=Bearer ${token}\x01\x01`).toString('base64');
    await workbench.runCommand('M365 Mail: Decode XOAUTH2 string');
    await workbench.answer(sasl);
    const report = await workbench.webviewFrame('h1:has-text("XOAUTH2")');
    const text = (await report.locator('body').textContent()) ?? '';
    assert.match(text, /megan@contoso\.test/);
    assert.match(text, /outlook\.office365\.com|outlook\.office\.com/, 'the audience is named');
    assert.match(text, /IMAP\.AccessAsApp|SMTP\.SendAsApp/, 'the roles are listed');
    assert.doesNotMatch(text, /❌/, `no check failed:\n${text.slice(0, 1500)}`);
    assert.ok(!text.includes(token) && !text.includes(token.split('.')[2]!), 'neither the token nor its signature is shown');
    assert.ok(!workbench.productLog().includes(token.split('.')[2]!), 'nor logged');
    await workbench.screenshot('decode-xoauth2');
    await workbench.runCommand('View: Close All Editors');
  });

  it('refuses a string that is not XOAUTH2 with what it expected', async () => {
    await workbench.runCommand('M365 Mail: Decode XOAUTH2 string');
    await workbench.answer(Buffer.from('hello world').toString('base64'));
    const notice = await workbench.waitForNotification(/user=/);
    assert.doesNotMatch(notice, /unexpected/i);
    await workbench.clearNotifications();
  });

  it('Use in… → Adobe Experience Manager opens its two OSGi files with secret placeholders, and no secret', async () => {
    const name = 'Adele (AEM)';
    await flows.addAuthorized(name, {
      grant: 'Authorization code',
      clientAuth: 'request body',
      clientId: sandbox.apps.webSecretPost.clientId,
      secret: sandbox.apps.webSecretPost.clientSecret,
      user: ADELE
    });
    await workbench.contextMenu(workbench.credentialRow(name), 'Use in…');
    await workbench.pick('Adobe Experience Manager', { exact: true });
    // The note comes once both files are open: a tab clicked before then can lose the focus to the
    // second file still opening.
    await workbench.waitForNotification(/Save both files under/);
    for (const file of ['com.day.cq.mailer.oauth.impl.OAuthConfigurationProviderImpl.cfg.json', 'com.day.cq.mailer.impl.DefaultMailService.cfg.json']) {
      await workbench.page.locator('.tabs-container .tab', { hasText: file }).first().waitFor({ state: 'visible', timeout: 30_000 });
    }
    await workbench.page.locator('.tabs-container .tab', { hasText: 'OAuthConfigurationProviderImpl' }).first().click();
    const oauth = await workbench.activeEditorText(/"clientId"/);
    const config = JSON.parse(oauth) as Record<string, unknown>;
    assert.equal(config.clientId, sandbox.apps.webSecretPost.clientId);
    assert.match(String(config.tokenUrl), /\/oauth2\/v2\.0\/token$/);
    assert.match(oauth, /\$\[secret:SECRET_SMTP_OAUTH_CLIENT_SECRET\]/);
    assert.match(oauth, /\$\[secret:SECRET_SMTP_OAUTH_REFRESH_TOKEN\]/);
    assert.ok(!oauth.includes(sandbox.apps.webSecretPost.clientSecret), 'the client secret is a placeholder, never the value');
    await workbench.page.locator('.tabs-container .tab', { hasText: 'DefaultMailService' }).first().click();
    const mail = JSON.parse(await workbench.activeEditorText(/"smtp\.port"/)) as Record<string, unknown>;
    assert.equal(mail['smtp.port'], sandbox.smtp.port);
    await workbench.screenshot('use-in-aem');
    await workbench.clearNotifications();
    // Closed without the save prompt, as a user who only wanted to copy them would.
    for (const file of ['OAuthConfigurationProviderImpl', 'DefaultMailService']) {
      const tab = workbench.page.locator('.tabs-container .tab', { hasText: file }).first();
      await tab.click();
      await workbench.runCommand('View: Revert and Close Editor');
      await tab.waitFor({ state: 'detached', timeout: 10_000 });
    }
  });

  it('copies the refresh token for Cloud Manager only after the modal: Cancel copies nothing, Copy gives one that works', async () => {
    const name = 'Adele (AEM)';
    const copyToken = async (button: string): Promise<string> => {
      await workbench.contextMenu(workbench.credentialRow(name), 'Use in…');
      await workbench.pick('Adobe Experience Manager: copy the refresh token…');
      return workbench.answerDialog(button);
    };
    await setClipboard('sentinel');
    const modal = await copyToken('Cancel');
    assert.match(modal, /refresh token/i);
    assert.match(modal, /M365 Mail keeps renewing its own copy/);
    assert.equal(await clipboard(), 'sentinel', 'Cancel copied nothing');
    await copyToken('Copy refresh token');
    await workbench.waitForNotification(/The refresh token is on the clipboard/);
    const refreshToken = await clipboard();
    assert.notEqual(refreshToken, 'sentinel');
    assert.ok(!workbench.productLog().includes(refreshToken), 'the refresh token is not logged');
    // What AEM will do with it: redeem it at the token endpoint with the app's secret.
    const redeemed = await httpsRequest(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: sandbox.apps.webSecretPost.clientId,
        client_secret: sandbox.apps.webSecretPost.clientSecret,
        refresh_token: refreshToken,
        scope: `${sandbox.scopes.smtp} offline_access`
      }).toString(),
      extraCaCertificates: [ca]
    });
    assert.equal(redeemed.status, 200, `the copied refresh token works: ${redeemed.body.slice(0, 300)}`);
    await setClipboard('');
    await workbench.clearNotifications();
  });
  it('Use in… → Adobe Experience Manager saves the two files to a chosen folder; an existing file is replaced only after asking', async () => {
    const name = 'Adele (AEM)';
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-aem-'));
    try {
      const saveTo = async () => {
        await workbench.contextMenu(workbench.credentialRow(name), 'Use in…');
        await workbench.pick('Adobe Experience Manager: save the OSGi files to a folder…');
        await workbench.chooseFile(folder, { button: 'Save here' });
      };
      await saveTo();
      await workbench.waitForNotification(/Saved com\.day\.cq\.mailer\.oauth\.impl\.OAuthConfigurationProviderImpl\.cfg\.json and/);
      const oauthFile = path.join(folder, 'com.day.cq.mailer.oauth.impl.OAuthConfigurationProviderImpl.cfg.json');
      const mailFile = path.join(folder, 'com.day.cq.mailer.impl.DefaultMailService.cfg.json');
      assert.deepEqual(fs.readdirSync(folder).sort(), [mailFile, oauthFile].map((f) => path.basename(f)).sort(), 'the two files and nothing else');
      const oauth = fs.readFileSync(oauthFile, 'utf8');
      assert.equal((JSON.parse(oauth) as { clientId: string }).clientId, sandbox.apps.webSecretPost.clientId);
      assertNoSecret(oauth, 'the saved OAuth file');
      assertNoSecret(fs.readFileSync(mailFile, 'utf8'), 'the saved mail service file');
      await workbench.clearNotifications();

      // A second save names the files already there; Cancel leaves them as they were.
      fs.writeFileSync(oauthFile, '{"edited": true}\n');
      await saveTo();
      const modal = await workbench.answerDialog('Cancel');
      assert.match(modal, /already exists/);
      assert.equal(fs.readFileSync(oauthFile, 'utf8'), '{"edited": true}\n', 'Cancel replaced nothing');
      assert.deepEqual(fs.readdirSync(folder).length, 2, 'no partial file is left');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('Use in… → SAP Cloud Integration asks the tenant once, shows its values and redirect URI, copies each; the checklist then lists that URI', async () => {
    const name = 'Adele (AEM)';
    const host = 'mytenant.it-cpi018.cfapps.eu10.hana.ondemand.com';
    const redirect = `https://${host}/itspaces/odata/api/v1/OAuthTokenFromCode`;
    await workbench.clearNotifications();
    await workbench.contextMenu(workbench.credentialRow(name), 'Use in…');
    await workbench.pick('SAP Cloud Integration', { exact: true });
    await workbench.answer(`https://${host}/itspaces/shell/monitoring`);
    const material = await workbench.webviewFrame('h1:has-text("SAP Cloud Integration")');
    const text = (await material.locator('body').textContent()) ?? '';
    assert.ok(text.includes(redirect), `the tenant's redirect URI is shown:\n${text.slice(0, 1500)}`);
    assert.ok(text.includes(sandbox.apps.webSecretPost.clientId), 'the client ID is shown');
    assert.match(text, /Token Service URL/);
    assertNoSecret(text, 'the SAP values');
    await workbench.screenshot('use-in-sap');
    await setClipboard('sentinel');
    // The list comes back after each copy (same title), so its row is clicked rather than picked as a step.
    await workbench.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: 'Copy Client ID' }).first().click();
    await waitForClipboard((text) => text === sandbox.apps.webSecretPost.clientId);
    await workbench.page.keyboard.press('Escape');

    await workbench.contextMenu(workbench.credentialRow(name), 'Show app registration');
    const checklist = await workbench.webviewFrame('h1:has-text("App registration for")');
    const items = (await checklist.locator('body').textContent()) ?? '';
    assert.ok(items.includes(redirect), `the checklist registers SAP's redirect URI too:\n${items.slice(0, 1500)}`);
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();
  });

  it('Use in… → UiPath Integration Service shows its connection fields for a browser sign-in with a secret, no secret among them', async () => {
    await workbench.contextMenu(workbench.credentialRow('Adele (AEM)'), 'Use in…');
    await workbench.pick('UiPath Integration Service', { exact: true });
    const connection = await workbench.webviewFrame('h1:has-text("UiPath Integration Service")');
    const text = (await connection.locator('body').textContent()) ?? '';
    assert.match(text, /Bring your own OAuth 2\.0 app/);
    assert.ok(text.includes(sandbox.apps.webSecretPost.clientId));
    assert.match(text, /adele@contoso\.test/, 'the account');
    assertNoSecret(text, 'the UiPath fields');
    await workbench.page.keyboard.press('Escape');
    await workbench.runCommand('View: Close All Editors');
  });

  it('Use in… → A script opens a curl script that reads the token from the environment, with no token in it', async () => {
    await workbench.contextMenu(workbench.credentialRow('Adele (AEM)'), 'Use in…');
    await workbench.pick('A script', { exact: true });
    const script = await workbench.activeEditorText(/--oauth2-bearer/);
    // Set once the editor has the focus: the clipboard is the page's only while it is focused.
    await setClipboard('sentinel');
    assert.match(script, /--oauth2-bearer "\$M365MAIL_TOKEN"/);
    assert.match(script, /read -rs M365MAIL_TOKEN && export M365MAIL_TOKEN/);
    assertNoSecret(script, 'the script');
    // The token reaches the clipboard only on the button, and then it is one the mail servers take.
    await workbench.findNotification('Copy access token for M365MAIL_TOKEN');
    assert.equal(await clipboard(), 'sentinel');
    await workbench.page.locator('.notification-list-item .monaco-button', { hasText: 'Copy access token for M365MAIL_TOKEN' }).first().click();
    const token = await waitForClipboard((text) => text !== 'sentinel');
    assert.match(token, /^eyJ/);
    assert.ok(!workbench.productLog().includes(token), 'the token is not logged');
    await setClipboard('');
    await workbench.clearNotifications();
    await workbench.runCommand('View: Revert and Close Editor');
  });
});
