/**
 * "Test connection" with an HTTPS proxy configured (Debian's tinyproxy on a loopback port in front
 * of the sandbox): its own "Proxy" report says which proxy and whether the token endpoint answered
 * through it (or directly, for a no-proxy host, or not at all, with the proxy's 407 explained);
 * the Graph test goes through the tunnel; a refused IMAP connection says that IMAP and SMTP do not
 * use the proxy.
 */
import * as assert from 'node:assert/strict';
import { secretKeys } from '../../src/core/secretVault';
import { testConnection } from '../../src/mail/diagnostics/connectionTest';
import { formatConnectionReport } from '../../src/mail/diagnostics/formatReport';
import type { ConnectionTestOptions } from '../../src/mail/diagnostics/report';
import { httpsRouteFor } from '../../src/net/proxyAgent';
import { mailPortsNote } from '../../src/net/proxyErrors';
import { resolveProxyConfig, type ProxyConfig } from '../../src/net/proxyRoute';
import { freePort, SANDBOX_APPS } from '@m365-mail/sandbox';
import { useSandboxAuth } from '../support/sandboxAuth';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';

describe('connection test with an HTTPS proxy (tinyproxy) in front of the sandbox', function () {
  this.timeout(60_000);
  const env = useSandboxAuth();
  let open: Tinyproxy;
  let guarded: Tinyproxy;

  before(async () => {
    open = await startTinyproxy();
    guarded = await startTinyproxy({ basicAuth: { user: 'proxyuser', password: 'right-one' } });
  });
  after(async () => {
    await open?.stop();
    await guarded?.stop();
  });

  const config = (url: string, noProxy: string[] = [], strictSsl?: boolean): ProxyConfig => {
    const resolved = resolveProxyConfig({ proxy: url, noProxy, strictSsl, env: {} });
    assert.ok(resolved);
    return resolved;
  };
  const options = (proxy: ProxyConfig): Omit<ConnectionTestOptions, 'host' | 'port' | 'security' | 'getAccessToken'> => ({
    user: 'adele@contoso.test',
    extraCaCertificates: [env.ca],
    route: (target) => httpsRouteFor(target, [env.ca], proxy),
    logger: env.logger,
    stepTimeoutMs: 10_000
  });
  const tokenEndpoint = () => `${env.sandbox.description.authorization.authority}/oauth2/v2.0/token`;
  const authorityHost = () => new URL(env.sandbox.description.authorization.authority).host;
  const proxyRun = (proxy: ProxyConfig) =>
    testConnection('proxy', {
      ...options(proxy),
      host: '',
      port: 0,
      security: 'tls',
      getAccessToken: () => Promise.reject(new Error('no token')),
      proxyTest: { config: proxy, tokenEndpoint: tokenEndpoint() }
    });

  it('shows a Proxy report: which proxy, and the token endpoint reached through it (CONNECT 200, then HTTP over the trusted TLS)', async () => {
    const before = open.connects().length;
    const report = await proxyRun(config(open.url, [], false));
    assert.equal(report.passed, true, JSON.stringify(report.steps));
    const [step] = report.steps;
    assert.equal(step?.id, 'proxy');
    assert.deepEqual(
      { through: step?.proxy?.through, connect: step?.proxy?.connectStatus, proxy: step?.proxy?.proxy },
      { through: true, connect: 200, proxy: open.url }
    );
    assert.ok((step?.proxy?.httpStatus ?? 0) >= 200, 'the token endpoint answered');
    assert.deepEqual(open.connects().slice(before), [authorityHost()]);
    const markdown = formatConnectionReport({ credentialName: 'Sandbox', reports: [report] });
    assert.match(markdown, new RegExp(`HTTPS proxy 127\\.0\\.0\\.1:${open.port}`));
    assert.match(markdown, /\| Proxy \| .* \| the token endpoint .* answered through http:\/\/127\.0\.0\.1:\d+ \(from http\.proxy\): CONNECT 200/);
    assert.match(markdown, /http\.proxyStrictSSL is false, but certificates are verified all the same/);
  });

  it('says the token endpoint was reached directly when its host is in the no-proxy list', async () => {
    const before = open.connects().length;
    const report = await proxyRun(config(open.url, ['127.0.0.1']));
    assert.equal(report.passed, true);
    assert.equal(report.steps[0]?.proxy?.through, false);
    assert.equal(open.connects().length, before);
    assert.match(formatConnectionReport({ credentialName: 'Sandbox', reports: [report] }), /is in the no-proxy list and answered directly/);
  });

  it('fails the Proxy step with the proxy’s 407 explained when the proxy wants credentials', async () => {
    const report = await proxyRun(config(guarded.url));
    assert.equal(report.passed, false);
    assert.equal(report.steps[0]?.error?.code, 'proxy.auth_required');
    assert.match(report.steps[0]?.error?.nextStep ?? '', /http\.proxyAuthorization/);
  });

  it('tests Microsoft Graph through the tunnel: no direct DNS, TCP or TLS steps, every request a CONNECT', async () => {
    const auth = env.engine({ proxy: () => config(open.url) });
    const def = env.credential('sandbox-daemon', { sendTransport: 'graph', readTransport: 'graph' });
    await env.vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await auth.authorizeClientCredentials(def);
    const graphHost = new URL(env.sandbox.description.graph.endpoint).host;
    const before = open.connects().length;
    const report = await testConnection('graph', {
      ...options(config(open.url)),
      host: '',
      port: 0,
      security: 'tls',
      getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
      graph: {
        endpoint: env.sandbox.description.graph.endpoint,
        audience: 'https://graph.microsoft.com',
        appOnly: true,
        shared: false,
        reads: true,
        sends: true
      }
    });
    assert.deepEqual(
      report.steps.map((s) => `${s.id}:${s.status}`),
      ['token:passed', 'graphUser:passed', 'graphInbox:passed', 'graphSend:passed']
    );
    assert.equal(report.viaProxy, open.url);
    assert.equal(
      open
        .connects()
        .slice(before)
        .filter((c) => c === graphHost).length,
      2,
      'GET /users and GET mailFolders/inbox each tunnelled'
    );
  });

  it('adds to a refused IMAP connection that IMAP does not go through the proxy, and names Graph', async () => {
    const closed = await freePort();
    const note = mailPortsNote('IMAP', closed, true);
    const report = await testConnection('imap', {
      ...options(config(open.url)),
      host: '127.0.0.1',
      port: closed,
      security: 'tls',
      getAccessToken: () => Promise.reject(new Error('not reached')),
      directNote: note
    });
    const tcp = report.steps.find((s) => s.id === 'tcp');
    assert.equal(tcp?.status, 'failed');
    assert.equal(tcp?.error?.code, 'network.refused');
    assert.ok(tcp?.error?.message.endsWith(note), tcp?.error?.message);
    assert.match(note, /IMAP and SMTP do not go through it.*Microsoft Graph goes through the proxy/);
  });
});
