/**
 * `npx tsx bench/vscodeProxyPatch.ts`: what VS Code's extension-host proxy patch does with an
 * HTTPS request, measured on the copy of @vscode/proxy-agent that ships in the cached code-server
 * (`npm run setup` installs it), wired the way code-server's extensionHostProcess.js wires it
 * (createProxyResolver, then createHttpPatch and createTlsPatch assigned onto the `https` and
 * `tls` modules, `__vscodeOriginal` kept). Not the extension host itself: its configuration
 * callbacks are stand-ins (the proxy setting, `http.proxySupport`, a system resolution that
 * answers `PROXY` proxy A, system certificates that hold the test CA).
 *
 * Two tinyproxies: A stands for VS Code's choice (setting or system), B for an agent of ours. The
 * server listens on 127.0.0.2, which VS Code does not count as localhost, and on 127.0.0.1, which
 * it does; its CA is known to no one but the request (our secure context) or, in the certificate
 * rows, VS Code's system certificates. Prints one table row per case: the result and the proxy the
 * CONNECT went to.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { httpsAgentFor, secureContextFor } from '../src/net/tlsContext';
import { httpsRouteFor } from '../src/net/proxyAgent';
import { resolveProxyConfig, type ProxySupport } from '../src/net/proxyRoute';
import { codeServerDir } from '../test/harness/toolchain';
import { startTinyproxy, type Tinyproxy } from '../test/support/tinyproxy';

type Options = https.RequestOptions & { secureContext?: tls.SecureContext; sessionIdContext?: string };

const vscodeModules = path.join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
// VS Code's own copy, resolved from its node_modules as its extension host resolves it.
const proxyAgent = createRequire(path.join(vscodeModules, 'index.js'))('@vscode/proxy-agent') as {
  createProxyResolver(params: unknown): { resolveProxyWithRequest: unknown };
  createHttpPatch(params: unknown, originals: unknown, resolve: unknown): Record<string, unknown>;
  createTlsPatch(params: unknown, originals: unknown): Record<string, unknown>;
  LogLevel: { Off: number };
};

function certificates(dir: string): { ca: string; key: string; cert: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=proxy patch bench CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE'
  );
  run('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=bench');
  // DNS:localhost as the sandbox's certificate has it: through a CONNECT tunnel to an IP address
  // https-proxy-agent leaves out the host, and Node then checks the name against "localhost".
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.pem', '-days', '1', '-extfile', 'ext.cnf');
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  return { ca: read('ca.pem'), key: read('leaf.key'), cert: read('leaf.pem') };
}

interface Wiring {
  mode: ProxySupport;
  /** `http.proxy` as VS Code reads it. */
  setting: string;
  /** What the system resolution answers when VS Code asks it (remote hosts ask only with `http.useLocalProxyConfiguration`). */
  system?: string;
  systemCertificates: string[];
}

const originals = { https: { ...https }, tls: { ...tls } };

/** Installs the patch for one case; VS Code installs it once and reads the settings at each request. */
function install(wiring: Wiring): void {
  Object.assign(https, { request: originals.https.request, get: originals.https.get });
  Object.assign(tls, { connect: originals.tls.connect, createSecureContext: originals.tls.createSecureContext });
  const quiet = () => undefined;
  const params = {
    resolveProxy: () => Promise.resolve(wiring.system),
    getProxyURL: () => wiring.setting,
    getProxySupport: () => wiring.mode,
    getNoProxyConfig: () => [],
    isAdditionalFetchSupportEnabled: () => true,
    isWebSocketPatchEnabled: () => true,
    addCertificatesV1: () => true,
    addCertificatesV2: () => false,
    loadSystemCertificatesFromNode: () => true,
    log: { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet },
    getLogLevel: () => proxyAgent.LogLevel.Off,
    proxyResolveTelemetry: quiet,
    isUseHostProxyEnabled: () => wiring.system !== undefined,
    getNetworkInterfaceCheckInterval: () => -1,
    loadAdditionalCertificates: () => Promise.resolve(wiring.systemCertificates),
    env: {}
  };
  const { resolveProxyWithRequest } = proxyAgent.createProxyResolver(params);
  Object.assign(https, proxyAgent.createHttpPatch(params, originals.https, resolveProxyWithRequest), { __vscodeOriginal: originals.https });
  Object.assign(tls, proxyAgent.createTlsPatch(params, originals.tls));
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365mail-proxy-patch-'));
  const { ca, key, cert } = certificates(dir);
  const proxies: Tinyproxy[] = [await startTinyproxy(), await startTinyproxy()];
  const [a, b] = proxies as [Tinyproxy, Tinyproxy];
  const servers = ['127.0.0.1', '127.0.0.2'].map((host) => {
    const server = https.createServer({ key, cert }, (_req, res) => res.end('ok'));
    return new Promise<{ host: string; port: number; server: https.Server }>((resolve) =>
      server.listen(0, host, () => resolve({ host, port: (server.address() as { port: number }).port, server }))
    );
  });
  const targets = await Promise.all(servers);
  const via = (before: [number, number]) => (a.connects().length > before[0] ? 'A' : b.connects().length > before[1] ? 'B' : 'direct');
  const send = (host: string, port: number, options: Options) =>
    new Promise<string>((resolve) => {
      const before: [number, number] = [a.connects().length, b.connects().length];
      const request = https.request(`https://${host}:${port}/`, options, (response) => {
        response.resume();
        response.on('end', () => setTimeout(() => resolve(`HTTP ${response.statusCode} | ${via(before)}`), 100));
      });
      request.on('error', (error: Error & { code?: string }) => setTimeout(() => resolve(`${error.code ?? error.message.slice(0, 50)} | ${via(before)}`), 100));
      request.end();
    });
  const ours = { secureContext: secureContextFor([ca]), minVersion: 'TLSv1.2' as const };
  const ourTunnel = httpsRouteFor(new URL('https://127.0.0.2/'), [ca], resolveProxyConfig({ proxy: b.url, env: {} })).agent;
  const rows: string[] = ['VS Code resolves | http.proxySupport | target | agent passed | result | went via'];
  // First: @vscode/proxy-agent loads the system certificates once per process and keeps them.
  // Trust: whose CAs verify a VS Code-routed request (VS Code's system certificates hold the test CA here).
  for (const [label, cas] of [
    ['route with the CA listed', [ca]],
    ['route with no CA listed', []],
    ['route with another CA listed', [cert]]
  ] as const) {
    install({ mode: 'override', setting: '', systemCertificates: [ca] });
    const route = httpsRouteFor(new URL('https://127.0.0.2/'), cas, undefined);
    const target = targets[1]!;
    rows.push(
      `none (system certs: the CA) | override | ${target.host} | ${label} | ${await send(target.host, target.port, { ...route.tls, agent: route.agent })}`
    );
  }
  for (const [label, setting, system] of [
    ['setting A', a.url, undefined],
    ['system A', '', `PROXY 127.0.0.1:${a.port}`]
  ] as const) {
    for (const mode of ['off', 'on', 'fallback', 'override'] as const) {
      for (const target of targets) {
        for (const [agentLabel, agent] of [
          ['none', undefined],
          ['ours, direct', httpsAgentFor([ca])],
          ['ours, tunnel to B', ourTunnel]
        ] as const) {
          install({ mode, setting, system, systemCertificates: [ca] });
          rows.push(`${label} | ${mode} | ${target.host} | ${agentLabel} | ${await send(target.host, target.port, { ...ours, agent })}`);
        }
      }
    }
  }
  console.log(rows.join('\n'));
  for (const target of targets) target.server.close();
  for (const proxy of proxies) await proxy.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  }
);
