import * as assert from 'node:assert/strict';
import { sandboxDescription } from '../harness/sandboxEnv';
import { SandboxControlClient, type SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

/**
 * One credential in each state the tree shows, reached the way users reach them: never
 * authorized, signed in, a refresh token about to run out, a refresh token the tenant revoked,
 * and a wrong client secret. The screenshot is the README's picture of the tree.
 */
describe('end-to-end: the credential tree shows every state', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let control: SandboxControlClient;

  before(async () => {
    sandbox = sandboxDescription();
    control = new SandboxControlClient(sandbox);
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-states' });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await control?.reset().catch(() => undefined);
    await workbench?.close();
  });

  it('Expired: the tenant revoked the refresh token, and a refresh says so', async () => {
    const name = 'Megan (revoked)';
    await flows.addAuthorized(name, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: 'megan@contoso.test'
    });
    await flows.signOutOfSandbox();
    await control.revokeRefreshTokens('megan@contoso.test');
    await workbench.contextMenu(workbench.credentialRow(name), 'Refresh token now');
    await flows.rowState(name, /Expired/);
    await workbench.page.locator('.notification-list-item', { hasText: 'AADSTS70008' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('Expiring soon: the server says the refresh token lives one more hour', async () => {
    await control.updateSettings({ refreshTokenLifetimeSeconds: 3600 });
    const name = 'Adele (expiring)';
    await flows.addSandboxCredential(name, {
      grant: 'Authorization code',
      clientAuth: 'HTTP Basic',
      clientId: sandbox.apps.webSecretBasic.clientId,
      secret: sandbox.apps.webSecretBasic.clientSecret,
      user: 'adele@contoso.test'
    });
    const popup = await flows.authorize(name, 'tree');
    await flows.signIn(popup, 'adele@contoso.test', 'accept');
    await flows.rowState(name, /Expiring soon/);
    await popup.close().catch(() => undefined);
    await control.reset();
  });

  it('Failed, Unauthorized and Authorized, side by side', async () => {
    const failed = 'Daemon (wrong secret)';
    await flows.addSandboxCredential(failed, {
      grant: 'Client credentials',
      clientAuth: 'request body',
      clientId: sandbox.apps.daemonSecret.clientId,
      secret: 'not-the-secret-value',
      user: 'adele@contoso.test'
    });
    await workbench.contextMenu(workbench.credentialRow(failed), 'Authorize credential');
    await flows.rowState(failed, /Failed/);

    const authorized = 'Adele (signed in)';
    await flows.addAuthorized(authorized, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: 'adele@contoso.test'
    });

    const unauthorized = 'Orders (not yet authorized)';
    await flows.addSandboxCredential(unauthorized, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: 'adele@contoso.test',
      sharedMailbox: 'orders@contoso.test'
    });
    await flows.rowState(unauthorized, /Unauthorized/);

    // Expand the signed-in credential: user, mailbox, scopes and token expiry.
    await workbench.credentialRow(authorized).click();
    await workbench.page.keyboard.press('ArrowRight');
    await workbench.page.locator('.pane-body .monaco-list-row', { hasText: 'IMAP.AccessAsUser.All' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    // The status bar warns while any credential needs attention.
    await workbench.page
      .locator('.statusbar-item', { hasText: /M365 Mail|credential/ })
      .first()
      .waitFor({ state: 'visible', timeout: 10_000 });
    const rows = await workbench.page.locator('.pane-body .monaco-list-row').allTextContents();
    for (const state of ['Unauthorized', 'Authorized', 'Expiring soon', 'Expired', 'Failed']) {
      assert.ok(
        rows.some((r) => r.includes(state)),
        `a row shows ${state}: ${rows.join(' | ')}`
      );
    }
    await workbench.runCommand('Notifications: Clear All Notifications');
    await workbench.screenshot('credentials-states');
  });
});
