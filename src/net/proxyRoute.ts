/**
 * Which proxy, if any, an HTTPS request goes through: VS Code's `http.proxy` first, the system's
 * `HTTPS_PROXY` / `HTTP_PROXY` as the fallback, and no proxy for a host that `http.noProxy` or
 * `NO_PROXY` lists. The no-proxy patterns follow `proxy-from-env` (what many Node HTTP clients
 * use): `*` matches every host, a name matches itself only, a name starting with `.` or
 * `*.` matches its subdomains only, `:port` narrows an entry to that port.
 * Pure: the caller reads the settings and the environment and passes them in.
 *
 * Inside VS Code's extension host the request may not be ours to route: VS Code patches Node's
 * `https` for extensions (`http.proxySupport`, @vscode/proxy-agent). Under `override` (the
 * default) it replaces any agent a request brings unless the host is `localhost` / `127.0.0.1`;
 * under `fallback` it picks the proxy first and uses the request's agent only for DIRECT; under
 * `on` it routes only requests that bring no agent. Its order is `http.noProxy` (or NO_PROXY),
 * `http.proxy`, HTTPS_PROXY / HTTP_PROXY, then the system proxy (desktop: the main process'
 * Electron resolveProxy, PAC included; a remote or server host only with
 * `http.useLocalProxyConfiguration`, asking the client). See {@link leftToVsCode}.
 */

/** Where the proxy came from: a setting, the environment, or VS Code's own resolution (system proxy, PAC). */
export type ProxySource = 'http.proxy' | 'HTTPS_PROXY' | 'HTTP_PROXY' | 'system';

/** VS Code's `http.proxySupport`. */
export type ProxySupport = 'off' | 'on' | 'fallback' | 'override';

export interface ProxyConfig {
  /** The proxy, `http:` or `https:`; may carry `user:password@` (never shown: see {@link proxyLabel}). */
  url: string;
  source: ProxySource;
  /** Hosts that go direct, from `http.noProxy` and `NO_PROXY` together. */
  noProxy: readonly string[];
  /** `http.proxyAuthorization`: the whole `Proxy-Authorization` header value (a secret). */
  authorization?: string;
  /** `http.proxyStrictSSL` is false: noted, never obeyed (verification stays on). */
  strictSslOff: boolean;
  /** `http.proxySupport`; `off` when unknown (outside VS Code nothing else routes). */
  support: ProxySupport;
}

export interface ProxyInputs {
  /** `http.proxy`. */
  proxy?: string;
  /** `http.noProxy`. */
  noProxy?: readonly string[];
  /** `http.proxyAuthorization`. */
  authorization?: string | null;
  /** `http.proxyStrictSSL`. */
  strictSsl?: boolean;
  /** `http.proxySupport`; undefined outside VS Code. */
  support?: ProxySupport;
  /** The process environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, either case). */
  env: Readonly<Record<string, string | undefined>>;
}

function envValue(env: ProxyInputs['env'], name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value?.trim() || undefined;
}

/** A proxy URL as users write it (`proxy:3128` too) made absolute; undefined when it is not one we can use. */
export function normalizeProxyUrl(raw: string): string | undefined {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const url = new URL(text);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) return undefined;
    return url.href;
  } catch {
    return undefined;
  }
}

/** The proxy configuration in force, or undefined when none is set (every request goes direct). */
export function resolveProxyConfig(inputs: ProxyInputs): ProxyConfig | undefined {
  const setting = inputs.proxy?.trim();
  const https = envValue(inputs.env, 'HTTPS_PROXY');
  const http = envValue(inputs.env, 'HTTP_PROXY');
  const [raw, source]: [string | undefined, ProxySource] = setting ? [setting, 'http.proxy'] : https ? [https, 'HTTPS_PROXY'] : [http, 'HTTP_PROXY'];
  const url = raw && normalizeProxyUrl(raw);
  if (!url) return undefined;
  const noProxy = [...(inputs.noProxy ?? []), ...(envValue(inputs.env, 'NO_PROXY') ?? '').split(/[,\s]+/)].map((entry) => entry.trim()).filter(Boolean);
  const authorization = inputs.authorization?.trim() || undefined;
  return { url, source, noProxy, authorization, strictSslOff: inputs.strictSsl === false, support: proxySupportOf(inputs.support) };
}

/** `http.proxySupport` as VS Code reads it: unset or unknown counts as `off` (its patch routes nothing then). */
export function proxySupportOf(value: unknown): ProxySupport {
  return value === 'on' || value === 'fallback' || value === 'override' ? value : 'off';
}

/**
 * Whether a request should bring no agent and let VS Code's patched `https` route it (only
 * meaningful where that patch is in place): with no proxy of ours configured, so that the system
 * proxy and PAC apply (under `on` an agent of ours would keep VS Code out); and under `override`
 * or `fallback`, where VS Code picks the proxy whatever agent we pass. Under `on` with a proxy of
 * ours, and under `off`, our agent routes.
 */
export function leftToVsCode(config: Pick<ProxyConfig, 'support'> | undefined): boolean {
  return !config || config.support === 'override' || config.support === 'fallback';
}

/**
 * The proxy in a result of VS Code's resolution as @vscode/proxy-agent reports it on the request
 * (`PROXY host:port`, `HTTPS host:port`, `SOCKS host:port`, `DIRECT`; several separated by `;`, the
 * first wins), as a URL without credentials; undefined for DIRECT or nothing recognised.
 */
export function proxyUrlOfResolution(result: string | undefined): string | undefined {
  const first = (result ?? '').trim().split(/\s*;\s*/)[0] ?? '';
  const [type, target] = first.split(/\s+/);
  const scheme =
    type === 'PROXY' || type === 'HTTP'
      ? 'http'
      : type === 'HTTPS'
        ? 'https'
        : type === 'SOCKS' || type === 'SOCKS5'
          ? 'socks'
          : type === 'SOCKS4'
            ? 'socks4a'
            : undefined;
  if (!scheme || !target) return undefined;
  try {
    const url = new URL(`${scheme}://${target}`);
    return `${url.protocol}//${url.host}`;
  } catch {
    return undefined;
  }
}

/** Whether one no-proxy entry matches a host (lower case, IPv6 without brackets) and port. */
function entryMatches(entry: string, hostname: string, port: number): boolean {
  let pattern = entry.toLowerCase();
  if (pattern === '*') return true;
  // `host:port` or `[v6]:port`; a bare IPv6 address has colons but no port.
  const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(pattern);
  if (withPort) {
    if (Number(withPort[2]) !== port) return false;
    pattern = withPort[1]!;
  }
  pattern = pattern.replace(/^\[|\]$/g, '');
  // `*.example.com` and `.example.com` match below the name; `*example.com` is a plain suffix.
  if (pattern.startsWith('*')) return hostname.endsWith(pattern.slice(1));
  if (pattern.startsWith('.')) return hostname.endsWith(pattern);
  return hostname === pattern;
}

/** The proxy a request to `target` goes through, or undefined when it goes direct. */
export function proxyFor(target: URL, config: ProxyConfig | undefined): ProxyConfig | undefined {
  if (!config) return undefined;
  const hostname = target.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = Number(target.port) || (target.protocol === 'http:' ? 80 : 443);
  return config.noProxy.some((entry) => entryMatches(entry, hostname, port)) ? undefined : config;
}

/** The proxy as it may be shown or logged: scheme, host and port, never the user name or password. */
export function proxyLabel(config: Pick<ProxyConfig, 'url'>): string {
  const url = new URL(config.url);
  return `${url.protocol}//${url.host}`;
}
