/**
 * Which proxy, if any, an HTTPS request goes through: VS Code's `http.proxy` first, the system's
 * `HTTPS_PROXY` / `HTTP_PROXY` as the fallback, and no proxy for a host that `http.noProxy` or
 * `NO_PROXY` lists. The no-proxy patterns follow `proxy-from-env` (what many Node HTTP clients
 * use): `*` matches every host, a name matches itself only, a name starting with `.` or
 * `*.` matches its subdomains only, `:port` narrows an entry to that port.
 * Pure: the caller reads the settings and the environment and passes them in.
 */

export type ProxySource = 'http.proxy' | 'HTTPS_PROXY' | 'HTTP_PROXY';

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
  return { url, source, noProxy, authorization, strictSslOff: inputs.strictSsl === false };
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
