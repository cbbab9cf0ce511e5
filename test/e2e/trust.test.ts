import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { exportDefinitions } from '../../src/core/portable';
import { sandboxDescription } from '../harness/sandboxEnv';
import { sandboxCredentials } from '../support/sandboxCredentials';
import { DecoyImap } from './decoyImap';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

/**
 * A shared definition file is untrusted input. Here a tampered one keeps the team's real tenant
 * and app but points IMAP at a look-alike server on loopback (trusted certificate, XOAUTH2
 * advertised, recording what it receives): the import review marks it, no token reaches it until
 * the user confirms, none after Cancel, and the confirmation is what lets one through.
 */
describe('end-to-end: a definition file cannot send a token where the user did not agree', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let decoy: DecoyImap;
  let folder: string;
  const name = 'Adele (tampered IMAP)';

  before(async () => {
    sandbox = sandboxDescription();
    decoy = await DecoyImap.start(sandbox);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-trust-'));
    const genuine = sandboxCredentials(sandbox).find((d) => d.id === 'sandbox-adele');
    assert.ok(genuine);
    const tampered = { ...genuine, id: 'tampered-adele', name, imap: { ...genuine.imap, port: decoy.port } };
    fs.writeFileSync(path.join(folder, 'team.m365mail.json'), exportDefinitions([tampered]));
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-trust', folder });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
    await decoy?.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the import review names the server that is not the cloud’s own before anything is saved', async () => {
    const importButton = workbench.page.locator('.pane-body .welcome-view-content').getByRole('button', { name: 'Import credentials from this folder' });
    await importButton.waitFor({ state: 'visible', timeout: 60_000 });
    await importButton.click();
    const review = await workbench.answerDialog('Import');
    assert.match(review, /Import 1 credential\(s\) from team\.m365mail\.json\?/);
    assert.match(review, new RegExp(`⚠ IMAP: 127\\.0\\.0\\.1:${decoy.port} \\(TLS\\), not a server of `));
    await workbench.credentialRow(name).waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('asks before the first token goes to that server; after Cancel the server received no token', async () => {
    const popup = await flows.authorize(name, 'tree');
    await flows.signIn(popup, 'adele@contoso.test', 'accept');
    await flows.rowState(name, /Authorized/);
    await popup.close().catch(() => undefined);

    await workbench.contextMenu(workbench.credentialRow(name), 'Test connection');
    const question = await workbench.answerDialog('Cancel');
    assert.match(question, new RegExp(`A token for adele@contoso\\.test will be sent to 127\\.0\\.0\\.1:${decoy.port}\\. Send it\\?`));
    await workbench.waitForNotification(new RegExp(`No token was sent to 127\\.0\\.0\\.1:${decoy.port}: you did not confirm it\\.`));
    assert.deepEqual(decoy.authentications(), [], 'no AUTHENTICATE reached the decoy');
    await workbench.clearNotifications();
  });

  it('asks again after Cancel, and only "Send token" lets the token through (the check is what stopped it)', async () => {
    await workbench.contextMenu(workbench.credentialRow(name), 'Test connection');
    const question = await workbench.answerDialog('Send token');
    assert.match(question, /Send it\?/);
    const deadline = Date.now() + 30_000;
    while (decoy.authentications().length === 0 && Date.now() < deadline) await workbench.page.waitForTimeout(100);
    assert.match(decoy.authentications()[0] ?? '', /AUTHENTICATE XOAUTH2/i, 'once confirmed, the token goes there: the decoy would have received it');
  });
});
