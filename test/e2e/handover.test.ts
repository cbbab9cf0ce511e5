import * as assert from 'node:assert/strict';
import fs from 'node:fs';
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

  const clipboard = () => workbench.page.evaluate(() => navigator.clipboard.readText());
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
});
