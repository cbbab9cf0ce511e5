/**
 * The HTTPS agent for one request: direct (the shared agent of `tlsContext.ts`), or a CONNECT
 * tunnel through the proxy of {@link proxyFor} with `https-proxy-agent`. Inside the tunnel the TLS
 * to the origin uses the same secure context as a direct connection (Node's roots plus
 * `m365mail.trustedCaCertificates`, verification on), so a TLS-inspecting proxy is trusted only
 * when its CA is listed there. An `https:` proxy is verified against the same list.
 *
 * This module bundles `https-proxy-agent`: only the chunks that make requests (auth, graph) and the
 * `proxy` chunk import it, never the activation bundle.
 */
import { createHash } from 'node:crypto';
import * as https from 'node:https';
// The module object itself, not the bundler's copy of its keys at load time: the patch's marker is read live.
import httpsModule from 'node:https';
import * as tls from 'node:tls';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { leftToVsCode, proxyFor, type ProxyConfig } from './proxyRoute';
import { httpsAgentFor, MIN_TLS_VERSION, secureContextFor } from './tlsContext';

/** Settings change rarely; a handful of proxy agents at most is ever kept. */
const MAX_CACHED_AGENTS = 8;
const agents = new Map<string, https.Agent>();

export interface HttpsRoute {
  /** Undefined: the request brings no agent and VS Code's patched `https` routes it ({@link HttpsRoute.byVsCode}). */
  agent: https.Agent | undefined;
  /** Spread into the request's options: through a tunnel the origin's TLS is built from the request's options, not the agent's. */
  tls: Pick<tls.ConnectionOptions, 'secureContext' | 'minVersion' | 'sessionIdContext' | 'checkServerIdentity'>;
  /** The proxy the request goes through by our own agent; undefined when it goes direct or VS Code routes it. */
  proxy?: ProxyConfig;
  /** VS Code's extension-host patch picks the route (setting, environment, system proxy or PAC); `proxyErrors.watchProxy` learns its choice. */
  byVsCode?: boolean;
  /** With {@link HttpsRoute.byVsCode}: the proxy of settings or environment, which VS Code picks first too. */
  configured?: ProxyConfig;
}

/**
 * Whether VS Code's extension-host proxy patch is on this process' `https` (@vscode/proxy-agent
 * keeps the unpatched functions as `__vscodeOriginal` on the module it patched). False in plain
 * Node: the integration tests, a script.
 */
export function vscodePatchesHttps(): boolean {
  return '__vscodeOriginal' in httpsModule;
}

/**
 * `Proxy-Authorization` from `http.proxyAuthorization`, else Basic from the proxy URL's user
 * name and password (RFC 7617). The URL handed to the agent carries no credentials: the agent's
 * debug output prints it.
 */
function proxyHeaders(proxy: ProxyConfig): Record<string, string> {
  if (proxy.authorization) return { 'Proxy-Authorization': proxy.authorization };
  const url = new URL(proxy.url);
  if (!url.username && !url.password) return {};
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
}

function proxyAgent(proxy: ProxyConfig, extraCaCertificates: readonly string[]): https.Agent {
  const key = JSON.stringify([proxy.url, proxy.authorization ?? '', extraCaCertificates]);
  let agent = agents.get(key);
  if (!agent) {
    const bare = new URL(proxy.url);
    bare.username = '';
    bare.password = '';
    agent = new HttpsProxyAgent(bare, {
      headers: proxyHeaders(proxy),
      // No keep-alive, as the direct agent: token requests are minutes apart.
      keepAlive: false,
      // For an https: proxy, the TLS to the proxy itself.
      secureContext: secureContextFor(extraCaCertificates),
      minVersion: MIN_TLS_VERSION
    }) as unknown as https.Agent;
    if (agents.size >= MAX_CACHED_AGENTS) agents.clear();
    agents.set(key, agent);
  }
  return agent;
}

/**
 * The pool key of a VS Code-routed request's trust: its direct connections come from Node's
 * shared `https.globalAgent` (VS Code's agent hands DIRECT to it), whose keep-alive sockets and
 * TLS sessions are keyed by the request's options but not by `secureContext`. A socket or session
 * verified against another CA list would be reused as it is; `sessionIdContext` is in the key
 * (and means nothing to a client), so it keeps each list's connections apart.
 */
function trustKey(extraCaCertificates: readonly string[]): string {
  const hash = createHash('sha256').update(extraCaCertificates.join('\n')).digest('hex').slice(0, 16);
  return `m365mail-${extraCaCertificates.length ? hash : 'vscode'}`;
}

/**
 * The origin's certificate checked against the origin's own name. Inside a tunnel to an IP
 * address `https-proxy-agent` passes neither `servername` (SNI takes no IP) nor `host` to
 * `tls.connect`, and Node then checks the certificate against "localhost": a certificate for
 * localhost would pass for 127.0.0.1 and one for the IP would be refused. Bound here, every route
 * checks the name a direct connection checks.
 */
function identityOf(target: URL): tls.ConnectionOptions['checkServerIdentity'] {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
  return (_checked, certificate) => tls.checkServerIdentity(host, certificate);
}

/** How a request to `target` goes out: through the configured proxy unless its host is in the no-proxy list. */
export function httpsRouteFor(target: URL, extraCaCertificates: readonly string[], proxyConfig: ProxyConfig | undefined): HttpsRoute {
  const tlsOptions = { secureContext: secureContextFor(extraCaCertificates), minVersion: MIN_TLS_VERSION };
  if (vscodePatchesHttps() && leftToVsCode(proxyConfig)) {
    // No agent: VS Code's patched `https` routes it. With CAs of ours, our secure context rides in
    // the request's options, which its direct and tunnelled connections both use: that list
    // decides. Without, VS Code's system certificates (`http.systemCertificates`) are added to
    // Node's roots, which it does only when the request brings no context. Verification is on
    // either way: VS Code adds roots, it never turns checking off.
    const tls = extraCaCertificates.length ? tlsOptions : { minVersion: MIN_TLS_VERSION };
    return {
      agent: undefined,
      tls: { ...tls, sessionIdContext: trustKey(extraCaCertificates), checkServerIdentity: identityOf(target) },
      byVsCode: true,
      configured: proxyConfig
    };
  }
  const proxy = proxyFor(target, proxyConfig);
  if (!proxy) return { agent: httpsAgentFor(extraCaCertificates), tls: tlsOptions };
  return { agent: proxyAgent(proxy, extraCaCertificates), tls: { ...tlsOptions, checkServerIdentity: identityOf(target) }, proxy };
}

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../core/localization';
