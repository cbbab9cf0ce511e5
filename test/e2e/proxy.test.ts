import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, type SandboxDescription } from '@m365-mail/sandbox';
import { exportDefinitions } from '../../src/core/portable';
import { sandboxDescription } from '../harness/sandboxEnv';
import { sandboxCredentials } from '../support/sandboxCredentials';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';
import { productVsix, reportFailures, Workbench } from './workbench';

/**
 * "Test connection" with VS Code's `http.proxy` pointing at a proxy that wants Basic credentials
 * (Debian's tinyproxy on loopback), in code-server's real extension host, whose proxy patch
 * (@vscode/proxy-agent) is on every extension's `https`. Under `http.proxySupport: on` a request
 * that brings an agent is left alone, so ours tunnels the token endpoint through the proxy; under
 * `override` (the default) VS Code routes it and sends loopback hosts direct, which the report says.
 * IMAP, refused on its port, says that IMAP does not go through the proxy. The proxy's password is
 * in the setting only: never in the report or the log.
 */
describe('end-to-end: the connection test behind an HTTPS proxy that wants credentials', () => {
  /** The proxy's password: in `http.proxy` only, so that its absence from the report means something. */
  const password = 'pr0xy-Pa55-e2e';
  const name = 'Adele (IMAP port blocked)';
  let workbench: Workbench;
  let sandbox: SandboxDescription;
  let proxy: Tinyproxy;
  let folder: string;
  let closedImapPort: number;

  /**
   * A fresh code-server with these proxy settings (as a user's settings.json has them), the
   * credential imported from the folder. A fresh one per setting: VS Code reads
   * `http.proxySupport` at each request, but an edit of settings.json on disk was not seen by
   * code-server within five connection tests here.
   */
  const openWith = async (settings: Record<string, unknown>) => {
    workbench = await Workbench.open({ vsixes: [productVsix()], name: 'e2e-proxy', folder, settings });
    await workbench.openViewContainer('M365 Mail');
    const importButton = workbench.page.locator('.pane-body .welcome-view-content').getByRole('button', { name: 'Import credentials from this folder' });
    await importButton.waitFor({ state: 'visible', timeout: 60_000 });
    await importButton.click();
    await workbench.answerDialog('Import');
    await workbench.credentialRow(name).waitFor({ state: 'visible', timeout: 30_000 });
  };
  const proxySetting = () => `http://proxyuser:${password}@127.0.0.1:${proxy.port}`;

  /** Runs the connection test from the tree and returns the report's text as the preview shows it. */
  const testConnection = async (): Promise<string> => {
    await workbench.contextMenu(workbench.credentialRow(name), 'Test connection');
    const report = await workbench.webviewFrame('h1:has-text("Connection test")');
    await report.locator('text=HTTPS proxy').first().waitFor({ state: 'visible', timeout: 60_000 });
    const text = (await report.locator('body').textContent()) ?? '';
    await workbench.runCommand('View: Close All Editors');
    return text;
  };

  before(async () => {
    sandbox = sandboxDescription();
    proxy = await startTinyproxy({ basicAuth: { user: 'proxyuser', password } });
    closedImapPort = await freePort();
    const adele = sandboxCredentials(sandbox).find((d) => d.id === 'sandbox-adele');
    assert.ok(adele);
    const blocked = { ...adele, id: 'blocked-imap', name, purpose: 'imap' as const, imap: { ...adele.imap, port: closedImapPort } };
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-e2e-proxy-'));
    fs.writeFileSync(path.join(folder, 'team.m365mail.json'), exportDefinitions([blocked]));
  });

  reportFailures(() => workbench);

  after(async () => {
    await workbench?.close();
    await proxy?.stop();
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('under http.proxySupport "on": the Proxy step shows the token endpoint reached through the proxy, from http.proxy, with no password; IMAP says it does not use the proxy', async () => {
    await openWith({ 'http.proxy': proxySetting(), 'http.proxySupport': 'on' });
    const authority = new URL(sandbox.authorization.authority).host;
    const before = proxy.connects().length;
    const text = await testConnection();
    assert.match(text, new RegExp(`HTTPS proxy 127\\.0\\.0\\.1:${proxy.port}`));
    assert.match(
      text,
      new RegExp(
        `the token endpoint ${authority.replace(/\./g, '\\.')} answered through http://127\\.0\\.0\\.1:${proxy.port} \\(from http\\.proxy\\): CONNECT 200, HTTP \\d+`
      )
    );
    assert.deepEqual(proxy.connects().slice(before), [authority], 'the proxy opened the tunnel to the token endpoint');
    assert.match(text, new RegExp(`IMAP 127\\.0\\.0\\.1:${closedImapPort}`));
    assert.match(text, /A proxy is configured for HTTPS; IMAP and SMTP do not go through it\./);
    assert.match(text, /Microsoft Graph goes through the proxy/);
    assert.doesNotMatch(text, new RegExp(password), 'the proxy password is not in the report');
    assert.doesNotMatch(workbench.productLog(), new RegExp(password), 'nor in the log');
  });

  it('under "override" (the default): VS Code routes the request itself and, for a loopback host, goes direct; the report says so and the proxy sees nothing', async () => {
    await workbench?.close();
    // http.proxySupport left at its default.
    await openWith({ 'http.proxy': proxySetting() });
    const before = proxy.connects().length;
    const text = await testConnection();
    assert.match(
      text,
      /VS Code sent the token endpoint 127\.0\.0\.1:\d+ directly \(http\.proxySupport: override; it sends localhost and the no-proxy list direct\): HTTP \d+/
    );
    assert.deepEqual(proxy.connects().slice(before), [], 'no CONNECT reached the proxy');
    assert.doesNotMatch(text, new RegExp(password));
  });
});
