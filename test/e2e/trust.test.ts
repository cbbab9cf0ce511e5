import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
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
  let tokenDecoy: https.Server;
  /** What reached the foreign token endpoint: every request line and body. */
  const tokenRequests: string[] = [];
  let folder: string;
  const name = 'Adele (tampered IMAP)';
  const generic = 'Orders (foreign token URL)';
  const confidential = 'Orders (confidential client)';

  before(async () => {
    sandbox = sandboxDescription();
    decoy = await DecoyImap.start(sandbox);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-trust-'));
    const genuine = sandboxCredentials(sandbox).find((d) => d.id === 'sandbox-adele');
    assert.ok(genuine);
    const tampered = { ...genuine, id: 'tampered-adele', name, imap: { ...genuine.imap, port: decoy.port } };
    // A token endpoint on another origin than the sign-in page, with a certificate the machine trusts.
    const certDir = path.dirname(sandbox.serverCertPath);
    tokenDecoy = https.createServer({ cert: fs.readFileSync(sandbox.serverCertPath), key: fs.readFileSync(path.join(certDir, 'server.key')) }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        tokenRequests.push(`${req.method} ${req.url}\n${body}`);
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
      });
    });
    await new Promise<void>((resolve) => tokenDecoy.listen(0, '127.0.0.1', resolve));
    const tokenPort = (tokenDecoy.address() as { port: number }).port;
    const { cloud: _cloud, tenant: _tenant, ...withoutTenant } = genuine;
    const foreignToken = {
      ...withoutTenant,
      id: 'tampered-generic',
      name: generic,
      provider: 'generic' as const,
      issuer: `${sandbox.authorization.authority}/v2.0`,
      authorizationUrl: `${sandbox.authorization.authority}/oauth2/v2.0/authorize`,
      tokenUrl: `https://127.0.0.1:${tokenPort}/token`
    };
    // A confidential client of the same provider, every endpoint its own: its secret is typed after import.
    const withSecret = {
      ...foreignToken,
      id: 'confidential-generic',
      name: confidential,
      clientId: sandbox.apps.webSecretPost.clientId,
      clientAuth: 'secretPost' as const,
      tokenUrl: `${sandbox.authorization.authority}/oauth2/v2.0/token`
    };
    fs.writeFileSync(path.join(folder, 'team.m365mail.json'), exportDefinitions([tampered, foreignToken, withSecret]));
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-trust', folder });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
    await decoy?.stop();
    tokenDecoy?.close();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('the import review names the server that is not the cloud’s own before anything is saved; Cancel saves nothing', async () => {
    const importButton = workbench.page.locator('.pane-body .welcome-view-content').getByRole('button', { name: 'Import credentials from this folder' });
    await importButton.waitFor({ state: 'visible', timeout: 60_000 });
    await importButton.click();
    const cancelled = await workbench.answerDialog('Cancel');
    assert.match(cancelled, /Import 3 credential\(s\) from team\.m365mail\.json\?/);
    const deadline = Date.now() + 30_000;
    while (!/importWorkspaceCredentials: cancelled/.test(workbench.productLog()) && Date.now() < deadline) await workbench.page.waitForTimeout(100);
    assert.match(workbench.productLog(), /importWorkspaceCredentials: cancelled/, 'the import ended at the review');
    assert.doesNotMatch(workbench.productLog(), /saved credential/, 'nothing was saved');
    await importButton.waitFor({ state: 'visible', timeout: 10_000 });

    await importButton.click();
    const review = await workbench.answerDialog('Import');
    assert.match(review, /Import 3 credential\(s\) from team\.m365mail\.json\?/);
    assert.match(review, new RegExp(`⚠ IMAP: 127\\.0\\.0\\.1:${decoy.port} \\(TLS\\), not a server of `));
    assert.match(review, /⚠ Token URL: https:\/\/127\.0\.0\.1:\d+\/token, not on the sign-in page's site/);
    await workbench.credentialRow(name).waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.credentialRow(generic).waitFor({ state: 'visible', timeout: 30_000 });
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
    // The connection test then ends and opens its report, which takes the focus: let it, then close it.
    await workbench.webviewFrame(`h1:has-text("Connection test: ${name}")`);
    await workbench.runCommand('View: Close All Editors');
  });

  it('a generic definition with a foreign token URL asks before the sign-in page opens; after Cancel nothing reached it', async () => {
    const host = `127.0.0.1:${(tokenDecoy.address() as { port: number }).port}`;
    const pages = workbench.page.context().pages().length;
    await workbench.contextMenu(workbench.credentialRow(generic), 'Authorize credential');
    const question = await workbench.answerDialog('Cancel');
    assert.match(
      question,
      new RegExp(`The code, the client secret and refresh tokens of "${generic.replace(/[()]/g, '\\$&')}" will be sent to ${host.replace(/\./g, '\\.')}\\.`)
    );
    await workbench.waitForNotification(new RegExp(`Nothing was sent to ${host.replace(/\./g, '\\.')}`));
    assert.equal(workbench.page.context().pages().length, pages, 'no sign-in page was opened');
    assert.deepEqual(tokenRequests, [], 'nothing reached the foreign token endpoint');
    await workbench.clearNotifications();

    // Confirmed, the same definition signs in and sends the code there: the question is what stopped it.
    const popup = workbench.page.context().waitForEvent('page', { timeout: 60_000 });
    await workbench.contextMenu(workbench.credentialRow(generic), 'Authorize credential');
    await workbench.answerDialog(`Send to ${host}`);
    await flows.signIn(await popup, 'adele@contoso.test', 'accept');
    const deadline = Date.now() + 30_000;
    while (tokenRequests.length === 0 && Date.now() < deadline) await workbench.page.waitForTimeout(100);
    assert.match(tokenRequests[0] ?? '', /grant_type=authorization_code/, 'once confirmed, the code goes to that endpoint');
  });

  it('editing the token URL of a confidential client asks for its client secret again, as a password', async () => {
    await workbench.credentialRow(confidential).waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.contextMenu(workbench.credentialRow(confidential), 'Edit credential');
    await workbench.pick('Token URL', { exact: true });
    // The same step of the edit (its title does not change): the URL, then the secret.
    const input = workbench.quickInput.locator('input.input');
    await input.waitFor({ state: 'visible', timeout: 30_000 });
    await input.fill(`${sandbox.authorization.authority}/oauth2/v2.0/token?moved=1`);
    await workbench.page.keyboard.press('Enter');
    const asked = workbench.quickInput.getByText(
      /The token URL changed: enter the client secret VALUE again \(the stored secret is not sent to a new endpoint\)\./
    );
    await asked.waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await input.getAttribute('type'), 'password', 'typed as a password');
    await workbench.answer(sandbox.apps.webSecretPost.clientSecret);
    await workbench.waitForNotification(new RegExp(`Saved the change to "${confidential.replace(/[()]/g, '\\$&')}"`));
    await workbench.clearNotifications();
  });
});
