import * as assert from 'node:assert/strict';
import { sandboxDescription } from '../harness/sandboxEnv';
import { SandboxControlClient, type SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

const ADELE = 'adele@contoso.test';
const STALE = /changed in another window or browser tab/;

/**
 * Two browser tabs of one code-server: two windows, two extension hosts, one browser storage. VS
 * Code for the Web reads a tab's secrets once, when the tab loads, so a tab does not see what the
 * other one stored later. The product must notice, serve nothing stale and spend no refresh token
 * that the other tab already rotated, and say how to recover (reload the tab).
 */
describe('end-to-end: two browser tabs of one code-server', () => {
  let first: Workbench;
  let second: Workbench | undefined;
  let sandbox: SandboxDescription;
  let control: SandboxControlClient;
  const name = 'Adele (two tabs)';

  before(async () => {
    sandbox = sandboxDescription();
    control = new SandboxControlClient(sandbox);
    first = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-two-tabs' });
    await first.openViewContainer('M365 Mail');
  });

  reportFailures(() => first);
  reportFailures(() => second);

  after(async () => {
    await control?.reset().catch(() => undefined);
    await second?.close();
    await first?.close();
  });

  /** Opens the second tab afresh (it then sees what the first one stored), with the side bar shown. */
  async function openSecond(): Promise<Workbench> {
    await second?.close();
    second = await first.openTab();
    await second.openViewContainer('M365 Mail');
    return second;
  }

  it('after a sign-out in one tab, the other serves no token and asks to be reloaded', async () => {
    const flows = new SandboxFlows(first, sandbox);
    await flows.addAuthorized(name, {
      grant: 'Authorization code',
      clientAuth: 'None: public client',
      clientId: sandbox.apps.publicClient.clientId,
      user: ADELE
    });
    const other = await openSecond();
    // The second tab holds the access token in memory once it has used it.
    await other.contextMenu(other.credentialRow(name), 'Show token details');
    await other.page.locator('.monaco-editor', { hasText: 'audience' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await other.runCommand('View: Close All Editors');

    await first.page.bringToFront();
    await first.contextMenu(first.credentialRow(name), 'Sign out (forget tokens)');
    await first.waitForNotification(/Signed out/);

    await other.page.bringToFront();
    await other.contextMenu(other.credentialRow(name), 'Show token details');
    const said = await other.waitForNotification(STALE, 30_000);
    assert.match(said, /Reload/);
    assert.equal(await other.page.locator('.monaco-editor', { hasText: 'audience' }).count(), 0, 'no token was shown');

    // Reloaded, the tab sees the sign-out.
    await other.page.reload();
    await other.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await new SandboxFlows(other, sandbox).rowState(name, /Not authorized|Unauthorized/);
  });

  it('both tabs refreshing at once spend the rotated refresh token once: the credential stays authorized', async () => {
    const flows = new SandboxFlows(first, sandbox);
    await first.page.bringToFront();
    const popup = await flows.authorize(name, 'tree');
    await flows.signIn(popup, ADELE, 'accept');
    await flows.rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);
    await first.clearNotifications();
    const other = await openSecond();
    await new SandboxFlows(other, sandbox).rowState(name, /Authorized/);

    // Rotation with reuse detection: a refresh token spent twice revokes the whole grant. The
    // slow token endpoint keeps the first refresh in flight while the second tab asks.
    await control.setRefreshTokenRotation(true);
    await control.setTokenDelay(2_000);
    const before = (await control.stats()).total;
    await first.contextMenu(first.credentialRow(name), 'Refresh token now');
    await other.contextMenu(other.credentialRow(name), 'Refresh token now');
    // Each command's own outcome: the stale tab's notice about reloading may come before its command ends.
    const outcomes = await Promise.all(
      [first, other].map((tab) => tab.waitForNotification(/refreshed; the access token|Nothing was changed or sent here/, 90_000))
    );
    await control.setTokenDelay(0);
    const refreshed = outcomes.filter((o) => /refreshed; the access token/.test(o)).length;
    assert.equal(refreshed, 1, `one tab refreshed, the other stopped: ${JSON.stringify(outcomes)}`);
    assert.equal((await control.stats()).total - before, 1, 'one refresh request for both tabs');

    // The tab that stopped is reloaded; it refreshes with the rotated token, which still works.
    const stale = /Nothing was changed or sent here/.test(outcomes[0]) ? first : other;
    await stale.page.reload();
    await stale.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    await stale.openViewContainer('M365 Mail');
    await stale.contextMenu(stale.credentialRow(name), 'Refresh token now');
    await stale.waitForNotification(/refreshed; the access token/, 30_000);
    await new SandboxFlows(stale, sandbox).rowState(name, /Authorized/);
  });
});
