import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
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
  let collector: http.Server;
  const payloads: string[] = [];
  const wrongSecret = 'e2e~Sentinel~WrongSecret~7431';

  before(async () => {
    sandbox = sandboxDescription();
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('latin1')));
      req.on('end', () => {
        payloads.push(`${req.method} ${req.url}\n${body}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"itemsReceived":1,"itemsAccepted":1,"errors":[]}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    const { port } = collector.address() as { port: number };
    workbench = await Workbench.open({
      vsixes: [productVsix()],
      name: 'e2e-secrets',
      settings: { 'telemetry.telemetryLevel': 'all' },
      env: { M365MAIL_TELEMETRY_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:${port}/` }
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
    // Let telemetry flush (events are batched a few seconds after the first one).
    await workbench.page.waitForTimeout(8_000);
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
    // code-server runs with telemetry off (--disable-telemetry), so VS Code reports
    // env.isTelemetryEnabled = false whatever the user setting says, and the extension must send
    // nothing at all, even with a connection string configured.
    assert.equal(payloads.length, 0, `telemetry was sent while VS Code reports it disabled: ${payloads[0]?.slice(0, 200)}`);
    console.log(`      searched ${server.length} server files, ${browserStorage.length} browser storage entries, ${payloads.length} telemetry payloads`);
  });
});
