import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import zlib from 'node:zlib';
import path from 'node:path';
import { sandboxDescription } from '../harness/sandboxEnv';
import type { SandboxDescription } from '@m365-mail/sandbox';
import { SandboxFlows } from './sandboxFlows';
import { productVsix, reportFailures, Workbench } from './workbench';

/** Every file below `dir`, with its text (binary files as latin1, so a secret inside still shows). */
function filesBelow(dir: string): Array<{ file: string; text: string }> {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return filesBelow(full);
    return e.isFile() ? [{ file: full, text: fs.readFileSync(full).toString('latin1') }] : [];
  });
}

const JWT = /eyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]{10,}/;

/**
 * A full session with sentinel secrets (a client secret the sandbox accepts, one it refuses), and
 * then a search for them, and for any token, everywhere VS Code keeps data: settings, the server's
 * storage and logs, the browser's storage (where a web workbench keeps extension state), and the
 * telemetry collector on loopback that the extension is pointed at (nothing leaves the machine).
 */
describe('end-to-end: secrets stay in secret storage', () => {
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let flows: SandboxFlows;
  let collector: https.Server;
  const payloads: string[] = [];
  const wrongSecret = 'e2e~Sentinel~WrongSecret~7431';

  before(async () => {
    sandbox = sandboxDescription();
    // The reporter sends over HTTPS only: the collector has the sandbox's certificate, and the server
    // process trusts the sandbox CA the way a machine trusts a company CA (NODE_EXTRA_CA_CERTS).
    const certDir = path.dirname(sandbox.serverCertPath);
    collector = https.createServer({ cert: fs.readFileSync(sandbox.serverCertPath), key: fs.readFileSync(path.join(certDir, 'server.key')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        // Searched as sent, once unpacked: a gzipped payload would hide a secret from a plain search.
        const body = req.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(raw) : raw;
        payloads.push(`${req.method} ${req.url}\n${body.toString('latin1')}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"itemsReceived":1,"itemsAccepted":1,"errors":[]}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const { port } = collector.address() as { port: number };
    workbench = await Workbench.open({
      vsixes: [productVsix()],
      name: 'e2e-secrets',
      // Telemetry on, as a user may have it: code-server's events and the extension's both come here.
      telemetryCollector: `https://127.0.0.1:${port}/code-server`,
      settings: { 'telemetry.telemetryLevel': 'all' },
      env: {
        M365MAIL_TELEMETRY_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://127.0.0.1:${port}/`,
        NODE_EXTRA_CA_CERTS: sandbox.caCertPath
      }
    });
    flows = new SandboxFlows(workbench, sandbox);
    await workbench.openViewContainer('M365 Mail');
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
    collector?.close();
  });

  it('uses secrets and tokens: a confidential client signs in and refreshes, a wrong secret fails', async () => {
    const good = 'Sentinel: secret in body';
    await flows.addAuthorized(good, {
      grant: 'Authorization code',
      clientAuth: 'request body',
      clientId: sandbox.apps.webSecretPost.clientId,
      secret: sandbox.apps.webSecretPost.clientSecret,
      user: 'adele@contoso.test'
    });
    await workbench.contextMenu(workbench.credentialRow(good), 'Refresh token now');
    await workbench.page.locator('.notification-list-item', { hasText: 'refreshed' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.contextMenu(workbench.credentialRow(good), 'Show token details');
    await workbench.page.locator('.monaco-editor', { hasText: 'audience' }).first().waitFor({ state: 'visible', timeout: 30_000 });

    const bad = 'Sentinel: wrong secret';
    await flows.addSandboxCredential(bad, {
      grant: 'Client credentials',
      clientAuth: 'request body',
      clientId: sandbox.apps.daemonSecret.clientId,
      secret: wrongSecret,
      user: 'adele@contoso.test'
    });
    await workbench.contextMenu(workbench.credentialRow(bad), 'Authorize credential');
    await flows.rowState(bad, /Failed/);
    const error = workbench.page.locator('.notification-list-item', { hasText: 'AADSTS7000215' }).first();
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    assert.doesNotMatch((await error.textContent()) ?? '', /Sentinel/);
  });

  it('finds no secret and no token in settings, storage, logs or telemetry', async () => {
    // The extension batches its events and the reporter sends them later: wait until the failed
    // authorization (the last thing the test above did) has been reported.
    const reported = (): boolean => payloads.some((p) => p.includes('m365mail.m365-mail/command') && p.includes('m365mail.authorize'));
    const deadline = Date.now() + 60_000;
    while (!reported() && Date.now() < deadline) await workbench.page.waitForTimeout(250);
    assert.ok(
      reported(),
      `the extension's telemetry reached the loopback collector (${payloads.length} payloads: ${payloads.map((p) => p.slice(0, 60)).join(' | ')})`
    );
    const sentinels = [sandbox.apps.webSecretPost.clientSecret, wrongSecret];
    const browserStorage = await workbench.page.evaluate(async () => {
      const out: string[] = [JSON.stringify({ ...localStorage })];
      for (const info of await indexedDB.databases()) {
        if (!info.name) continue;
        const db = await new Promise<IDBDatabase>((resolve, reject) => {
          const open = indexedDB.open(info.name as string);
          open.onsuccess = () => resolve(open.result);
          open.onerror = () => reject(open.error);
        });
        for (const store of [...db.objectStoreNames]) {
          const all = await new Promise<unknown[]>((resolve) => {
            const request = db.transaction(store).objectStore(store).getAll();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => resolve([]);
          });
          const keys = await new Promise<unknown[]>((resolve) => {
            const request = db.transaction(store).objectStore(store).getAllKeys();
            request.onsuccess = () => resolve(request.result);
            request.onerror = () => resolve([]);
          });
          keys.forEach((key, i) =>
            out.push(
              `${info.name}/${store}/${String(key)}: ${typeof all[i] === 'string' ? all[i] : all[i] instanceof Uint8Array ? new TextDecoder().decode(all[i] as Uint8Array) : JSON.stringify(all[i])}`
            )
          );
        }
        db.close();
      }
      return out;
    });
    const server = filesBelow(workbench.server.userDataDir);
    const places = [
      ...server.map((f) => ({ where: path.relative(workbench.server.userDataDir, f.file), text: f.text })),
      ...browserStorage.map((text, i) => ({ where: `browser storage #${i} ${text.slice(0, 80)}`, text })),
      ...payloads.map((text, i) => ({ where: `telemetry payload #${i}`, text }))
    ];
    // The search must have looked where the credentials are kept: their names are there.
    assert.ok(
      places.some((p) => p.text.includes('Sentinel: secret in body')),
      'the extension storage was among the places searched'
    );
    assert.ok(
      places.some((p) => /M365 Mail\.log$/.test(p.where) && p.text.includes('token issued')),
      'the product log was searched'
    );
    for (const place of places) {
      for (const sentinel of sentinels) assert.ok(!place.text.includes(sentinel), `a client secret is in ${place.where}`);
      assert.doesNotMatch(place.text, JWT, `a token is in ${place.where}`);
    }
    console.log(
      `      searched ${server.length} server files, ${browserStorage.length} browser storage entries, ${payloads.length} telemetry payloads (${payloads.filter((p) => p.includes('m365mail.m365-mail/')).length} from the extension)`
    );
  });
});
