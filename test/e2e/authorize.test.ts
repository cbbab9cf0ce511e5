import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { sandboxDescription } from '../harness/sandboxEnv';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

/**
 * Authorization as a user meets it in a browser-based VS Code (code-server, like Codespaces):
 * the credential is added through the guided flow, "Authorize" opens the sandbox's sign-in page
 * in a new tab (env.openExternal), the user signs in and consents there, and the browser comes
 * back to the extension. The tree item turns Authorized; a declined consent turns it Failed.
 */
describe('end-to-end: authorize credentials in the browser against the sandbox', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;

  before(async () => {
    sandbox = sandboxDescription();
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-authorize' });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
  });

  it('authorizes through the sign-in page in a new tab and shows the credential Authorized', async () => {
    const name = 'Adele (browser)';
    await flows.addSandboxCredential(name, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: 'adele@contoso.test'
    });
    const popup = await flows.authorize(name, 'palette');
    await flows.signIn(popup, 'adele@contoso.test', 'accept');
    await flows.rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);
    await workbench.credentialRow(name).click();
    await workbench.page.keyboard.press('ArrowRight');
    await workbench.page.locator('.pane-body .monaco-list-row', { hasText: 'adele@contoso.test' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await workbench.screenshot('credential-authorized');
  });

  it('ignores a forged request to the loopback listener (another state): 400, and the real sign-in still completes', async () => {
    const name = 'Adele (forged redirect)';
    await flows.addSandboxCredential(name, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: 'adele@contoso.test'
    });
    const ports = () => [...workbench.productLog().matchAll(/loopback port (\d+)/g)].map((m) => m[1]);
    const earlier = ports().length;
    const popup = await flows.authorize(name, 'tree');
    // Any local process can reach the listener; the product names its port in its log.
    const deadline = Date.now() + 30_000;
    while (ports().length === earlier && Date.now() < deadline) await workbench.page.waitForTimeout(100);
    const port = ports()[earlier];
    assert.ok(port, 'the product logged the listener port');
    const forged = await fetch(`http://127.0.0.1:${port}/?code=forged&state=not-the-state`);
    assert.equal(forged.status, 400, 'a request with another state is refused');
    const forgedError = await fetch(`http://127.0.0.1:${port}/?error=access_denied&state=not-the-state`);
    assert.equal(forgedError.status, 400, 'so is a forged error');
    await flows.signIn(popup, 'adele@contoso.test', 'accept');
    await flows.rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);
  });

  it('shows Failed with the reason when consent is declined', async () => {
    const name = 'Adele (declines)';
    await flows.addSandboxCredential(name, {
      grant: 'Authorization code',
      clientAuth: 'request body',
      clientId: sandbox.apps.webSecretPost.clientId,
      secret: sandbox.apps.webSecretPost.clientSecret,
      user: 'adele@contoso.test'
    });
    const popup = await flows.authorize(name, 'tree');
    await flows.signIn(popup, 'adele@contoso.test', 'deny');
    await flows.rowState(name, /Failed/);
    const notice = await workbench.findNotification('AADSTS65004');
    assert.match((await notice.textContent()) ?? '', /declined/);
    await popup.close().catch(() => undefined);
    await workbench.screenshot('credential-failed');
  });

  it('authorizes by device code: the code shown in VS Code is entered on the verification page', async () => {
    const name = 'Adele (device code)';
    await flows.addSandboxCredential(name, { grant: 'Device code', clientId: sandbox.apps.publicClient.clientId, user: 'adele@contoso.test' });
    const popup = await flows.authorize(name, 'tree');
    const notice = workbench.page.locator('.notification-list-item', { hasText: 'enter the code' }).first();
    await notice.waitFor({ state: 'visible', timeout: 30_000 });
    const code = /enter the code (\S+)/.exec((await notice.textContent()) ?? '')?.[1];
    assert.ok(code, 'the notification shows the code');
    await popup.locator('#userCode').waitFor({ state: 'visible', timeout: 30_000 });
    await popup.locator('#userCode').fill(code);
    await popup.locator('#continue').click();
    await popup.locator('#confirm').click();
    await flows.signIn(popup, 'adele@contoso.test', 'accept');
    await popup.locator('#deviceSuccess').waitFor({ state: 'visible', timeout: 30_000 });
    await flows.rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);
  });

  it('authorizes client credentials with a certificate and key chosen in the file dialog', async () => {
    const name = 'Daemon (certificate)';
    const pem = flows.clientCertificatePem();
    await flows.addSandboxCredential(name, {
      grant: 'Client credentials',
      clientAuth: 'Certificate',
      clientId: sandbox.apps.daemonCertificate.clientId,
      certificateFile: pem.file,
      user: 'adele@contoso.test'
    });
    pem.remove();
    await workbench.contextMenu(workbench.credentialRow(name), 'Authorize credential');
    await flows.rowState(name, /Authorized/);
  });

  // The sandbox knows the certificate: each file holds the same certificate and key as the PEM above.
  for (const { form, title, wrongFirst } of [
    { form: 'modern', title: 'a .pfx (AES-256) and its password chosen in the file dialog', wrongFirst: false },
    { form: 'legacy', title: 'a legacy .pfx (RC2-40 / 3DES), asking again after a wrong password', wrongFirst: true },
    { form: 'encryptedKey', title: 'a certificate and an encrypted PKCS#8 key in two files, with its passphrase', wrongFirst: false }
  ] as const) {
    it(`authorizes client credentials with ${title}`, async () => {
      const name = `Daemon (${form})`;
      const password = `${form}-${randomBytes(6).toString('hex')}`;
      const locked = flows.clientCertificateLocked(form, password);
      await flows.addSandboxCredential(name, {
        grant: 'Client credentials',
        clientAuth: 'Certificate',
        clientId: sandbox.apps.daemonCertificate.clientId,
        certificateFile: locked.certificateFile,
        keyFile: locked.keyFile,
        certificatePasswords: wrongFirst ? ['not-the-password', password] : [password],
        user: 'adele@contoso.test'
      });
      locked.remove();
      await workbench.contextMenu(workbench.credentialRow(name), 'Authorize credential');
      await flows.rowState(name, /Authorized/);
      assert.ok(!workbench.productLog().includes(password), 'the password is not in the log');
    });
  }

  it('authorizes client credentials with a secret, without a browser', async () => {
    const name = 'Daemon (secret)';
    await flows.addSandboxCredential(name, {
      grant: 'Client credentials',
      clientAuth: 'request body',
      clientId: sandbox.apps.daemonSecret.clientId,
      secret: sandbox.apps.daemonSecret.clientSecret,
      user: 'adele@contoso.test'
    });
    await workbench.contextMenu(workbench.credentialRow(name), 'Authorize credential');
    await flows.rowState(name, /Authorized/);
    await workbench.screenshot('credentials-states');
  });
});
