/**
 * The token client and Microsoft Graph through a real HTTP proxy (Debian's tinyproxy on a loopback
 * port) in front of the sandbox: each request is a CONNECT tunnel the proxy logs, no TCP
 * connection goes to the sandbox's HTTPS ports directly (Node's `net.client.socket` channel sees
 * every socket), the TLS inside the tunnel is verified against the trusted CA list, Basic proxy
 * authentication works with the credentials in the proxy URL or in `http.proxyAuthorization`, a
 * wrong password is explained as the proxy's 407, and a host in the no-proxy list goes direct.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { AuthError } from '../../src/auth/errors';
import { httpsRequest } from '../../src/auth/httpsRequest';
import { secretKeys } from '../../src/core/secretVault';
import { decodeJwtClaims } from '../../src/core/tokenClaims';
import { GraphMailboxReader } from '../../src/mail/graph/graphReader';
import { resolveProxyConfig, type ProxyConfig } from '../../src/net/proxyRoute';
import { freePort, SANDBOX_APPS } from '@m365-mail/sandbox';
import type { AddressInfo } from 'node:net';
import { useSandboxAuth } from '../support/sandboxAuth';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';
import { typedFailure } from '../support/typedFailure';

const USER = 'proxyuser';
// tinyproxy's configuration syntax takes letters, digits, '-' and '_' only.
const PASSWORD = 'proxy-pass_42';

/**
 * The remote port of every TCP connection this process opens while `work` runs. A spy on
 * `net.Socket#connect`, which every outgoing connection passes (net.connect, and tls.connect
 * when it dials itself); a TLS session inside a tunnel dials nothing.
 */
async function socketsDuring<T>(work: () => Promise<T>): Promise<{ result: T; ports: number[] }> {
  const ports: number[] = [];
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    this.once('connect', () => ports.push(this.remotePort ?? 0));
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  try {
    return { result: await work(), ports };
  } finally {
    net.Socket.prototype.connect = original;
  }
}

describe('HTTPS through a proxy (tinyproxy) to the sandbox', function () {
  this.timeout(60_000);
  const env = useSandboxAuth();
  let open: Tinyproxy;
  let guarded: Tinyproxy;

  const authorityHost = () => new URL(env.sandbox.description.authorization.authority).host;
  const graphHost = () => new URL(env.sandbox.description.graph.endpoint).host;
  const proxy = (url: string, settings: { noProxy?: string[]; authorization?: string } = {}): ProxyConfig => {
    const config = resolveProxyConfig({ proxy: url, env: {}, ...settings });
    assert.ok(config);
    return config;
  };
  const daemon = async () => {
    const def = env.credential('sandbox-daemon');
    await env.vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    return def;
  };
  const withCredentials = (url: string, user: string, password: string) => {
    const u = new URL(url);
    u.username = encodeURIComponent(user);
    u.password = encodeURIComponent(password);
    return u.href;
  };

  before(async () => {
    open = await startTinyproxy();
    guarded = await startTinyproxy({ basicAuth: { user: USER, password: PASSWORD } });
  });
  after(async () => {
    await open?.stop();
    await guarded?.stop();
  });

  it('gets a token by client credentials through the proxy: one CONNECT per request, no direct connection, the tunnel verified against the trusted CAs', async () => {
    const config = proxy(open.url);
    const auth = env.engine({ proxy: () => config });
    const def = await daemon();
    const before = open.connects().length;
    const { result, ports } = await socketsDuring(async () => {
      await auth.authorizeClientCredentials(def);
      return auth.getAccessToken(def, { forceRefresh: true });
    });
    assert.ok(decodeJwtClaims(result.accessToken)?.roles.includes('SMTP.SendAsApp'));
    const connects = open.connects().slice(before);
    assert.ok(connects.length >= 2, `a CONNECT for each token request (${connects.join(', ')})`);
    assert.deepEqual([...new Set(connects)], [authorityHost()]);
    const sandboxPort = Number(new URL(env.sandbox.description.authorization.authority).port);
    assert.ok(!ports.includes(sandboxPort), `no direct connection to the sandbox (ports dialled: ${ports.join(', ')})`);
    assert.equal(ports.filter((p) => p === open.port).length, connects.length, 'every socket of the token client went to the proxy');
  });

  it('refuses the sandbox certificate inside the tunnel when its CA is not trusted: verification is not relaxed behind a proxy', async () => {
    const config = proxy(open.url);
    const auth = env.engine({ proxy: () => config, trustedCaCertificates: () => [] });
    const def = await daemon();
    const error = (await typedFailure(auth.authorizeClientCredentials(def))) as AuthError;
    assert.equal(error.code, 'tls.untrusted');
    assert.ok(open.connects().includes(authorityHost()));
  });

  it('authenticates to the proxy with Basic credentials from the proxy URL, or from http.proxyAuthorization', async () => {
    const def = await daemon();
    const inUrl = env.engine({ proxy: () => proxy(withCredentials(guarded.url, USER, PASSWORD)) });
    await inUrl.authorizeClientCredentials(def);
    assert.ok((await inUrl.getAccessToken(def)).accessToken);

    const header = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const def2 = await daemon();
    const inSetting = env.engine({ proxy: () => proxy(guarded.url, { authorization: header }) });
    await inSetting.authorizeClientCredentials(def2);
    assert.ok(guarded.connects().filter((c) => c === authorityHost()).length >= 2);
  });

  it('explains a wrong proxy password as the proxy’s 407, with what to set, and nothing reaches the token endpoint', async () => {
    const def = await daemon();
    const requestsBefore = (await env.sandbox.control.stats()).total;
    for (const config of [proxy(withCredentials(guarded.url, USER, 'wrong')), proxy(guarded.url)]) {
      const auth = env.engine({ proxy: () => config });
      const error = (await typedFailure(auth.authorizeClientCredentials(def))) as AuthError;
      assert.equal(error.code, 'proxy.auth_required');
      assert.match(error.message, /407 Proxy Authentication Required/);
      assert.match(error.message, /credentials given|none is configured/);
      assert.match(error.message, new RegExp(`http://127\\.0\\.0\\.1:${guarded.port} \\(from http\\.proxy\\)`));
      assert.match(error.options.nextStep ?? '', /http\.proxyAuthorization/);
      assert.doesNotMatch(`${error.message} ${error.options.nextStep ?? ''}`, /wrong/, 'the password is never shown');
    }
    assert.equal((await env.sandbox.control.stats()).total, requestsBefore, 'no token request reached the sandbox');
  });

  it('goes direct to a host in the no-proxy list, and says so when the proxy cannot be reached', async () => {
    const def = await daemon();
    const before = open.connects().length;
    const bypass = env.engine({ proxy: () => proxy(open.url, { noProxy: ['127.0.0.1'] }) });
    const { ports } = await socketsDuring(() => bypass.authorizeClientCredentials(def));
    assert.equal(open.connects().length, before, 'no CONNECT for a no-proxy host');
    assert.ok(ports.includes(Number(new URL(env.sandbox.description.authorization.authority).port)), 'dialled the sandbox itself');

    const closed = await freePort();
    const unreachable = env.engine({ proxy: () => proxy(`http://127.0.0.1:${closed}`) });
    const error = (await typedFailure(unreachable.authorizeClientCredentials(await daemon()))) as AuthError;
    assert.equal(error.code, 'proxy.unreachable');
    assert.match(error.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${closed} \\(from http\\.proxy\\) cannot be reached`));
  });

  it('reads the mailbox over Microsoft Graph through the proxy: token and every Graph request tunnelled', async () => {
    const config = proxy(open.url);
    const auth = env.engine({ proxy: () => config });
    const def = env.credential('sandbox-daemon', { sendTransport: 'graph', readTransport: 'graph' });
    await env.vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await auth.authorizeClientCredentials(def);
    const before = open.connects().length;
    const reader = new GraphMailboxReader({
      graphEndpoint: env.sandbox.description.graph.endpoint,
      getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
      extraCaCertificates: [env.ca],
      proxy: config,
      logger: env.logger,
      mailbox: 'adele@contoso.test',
      appOnly: true
    });
    const { result, ports } = await socketsDuring(() => reader.folders());
    await reader.close();
    assert.ok(result.folders.length > 0);
    const connects = open.connects().slice(before);
    assert.ok(connects.includes(graphHost()), connects.join(', '));
    assert.ok(!ports.includes(Number(new URL(env.sandbox.description.graph.endpoint).port)), 'no direct connection to Graph');
  });

  it('checks the origin’s name inside a tunnel to an IP address as a direct connection does: a certificate for localhost only is refused for 127.0.0.1', async () => {
    // A server whose only name is localhost, its self-signed certificate the one trusted CA.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365mail-ipname-'));
    // openssl's arguments as one string: as a list Prettier spreads them one per line.
    const selfSigned =
      'req -x509 -newkey rsa:2048 -nodes -sha256 -days 2 -keyout key.pem -out cert.pem -subj /CN=localhost -addext subjectAltName=DNS:localhost';
    execFileSync('openssl', selfSigned.split(' '), { cwd: dir, stdio: 'ignore' });
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    const server = https.createServer({ cert, key: fs.readFileSync(path.join(dir, 'key.pem')) }, (_request, response) => response.end('{}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const viaProxy = { extraCaCertificates: [cert], proxy: proxy(open.url) };
      const byName = await httpsRequest(`https://localhost:${port}/`, viaProxy);
      assert.equal(byName.status, 200, 'the name on the certificate passes through the tunnel');
      for (const options of [viaProxy, { extraCaCertificates: [cert], proxy: undefined }]) {
        const error = (await typedFailure(httpsRequest(`https://127.0.0.1:${port}/`, options))) as AuthError;
        assert.equal(error.code, 'tls.hostname', `${options.proxy ? 'through the proxy' : 'direct'}: ${error.message}`);
        assert.match(error.message, /127\.0\.0\.1/);
      }
      assert.ok(open.connects().includes(`127.0.0.1:${port}`), 'the refused request went through the proxy');
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
