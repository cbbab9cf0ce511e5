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

const ADELE = 'adele@contoso.test';
const MEGAN = 'megan@contoso.test';

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
    fs.writeFileSync(path.join(folder, 'graph.eml'), eml);
    await workbench.openFile('graph.eml');
    await workbench.page.locator('.editor-actions .action-label[aria-label*="Send this .eml file"]').first().click();
    await flows.pickCredentialIfAsked(adele);
    await workbench.pick(`Send to ${ADELE}`);
    await workbench.answerDialog('Send');
    await workbench.waitForNotification(/Microsoft Graph accepted it/);
    await adeleBox.waitFor(subject);
    const [arrived] = await adeleBox.find(subject);
    assert.ok(arrived);
    assert.ok(messageBody(arrived.source).equals(messageBody(eml)), 'the body arrived as it was in the file');
    await workbench.runCommand('View: Close All Editors');
    await workbench.clearNotifications();
  });

  it('sends for a user whose tenant keeps SMTP AUTH off, with client credentials over Graph', async () => {
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
  });
});
