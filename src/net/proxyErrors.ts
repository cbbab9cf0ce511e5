/**
 * Failures of the proxy itself, told apart from failures of the server behind it: the proxy cannot
 * be reached (nothing answered the CONNECT), it asks for credentials (407), or it refuses to open the
 * tunnel (another status). What fails after the tunnel is open (an untrusted certificate, a refused
 * request) is the origin's, and `networkErrors.ts` explains it. Also the note for IMAP and SMTP,
 * which never go through an HTTPS proxy. Node built-ins only (lives in the activation bundle).
 */
import * as l10n from '@vscode/l10n';
import type { ClientRequest } from 'node:http';
import { M365MailError } from '../core/errors';
import { classifyNetworkFailure } from './networkErrors';
import { proxyLabel, proxyUrlOfResolution, type ProxyConfig } from './proxyRoute';

export type ProxyFailureCode = 'proxy.unreachable' | 'proxy.auth_required' | 'proxy.refused';

export interface ProxyExplanation {
  code: ProxyFailureCode;
  message: string;
  nextStep: string;
}

export interface ProxyWatch {
  /** The status the proxy answered to CONNECT, once it has (our agent only: VS Code's keeps it to itself). */
  connectStatus(): number | undefined;
  /**
   * When the response starts (its status given): the proxy's refusal if it answered in the
   * origin's place (CONNECT not 200).
   */
  refusal(responseStatus?: number): ProxyExplanation | undefined;
  /** For a request error: the proxy's explanation if the failure is the proxy's, else undefined. */
  failure(error: { code?: string; message?: string }): ProxyExplanation | undefined;
  /** The proxy the request went through (ours, or the one VS Code chose), once known; undefined: direct. */
  through(): ProxyConfig | undefined;
  /** VS Code routed the request and said how: `DIRECT`, or the proxy without credentials. */
  vscodeChoice(): string | undefined;
}

/** How a request goes out, as `proxyAgent.httpsRouteFor` says (the fields this file needs). */
export interface WatchedRoute {
  /** Our own agent tunnels through this proxy. */
  proxy?: ProxyConfig;
  /** No agent of ours: VS Code's patched `https` routes the request. */
  byVsCode?: boolean;
  /** The proxy configured in settings or the environment, if any (VS Code picks it first too). */
  configured?: ProxyConfig;
}

/**
 * The proxy VS Code chose, as a configuration to explain with: the configured one when it is
 * that, else VS Code's own resolution (the system proxy or PAC).
 */
function chosenByVsCode(url: string, configured: ProxyConfig | undefined): ProxyConfig {
  // VS Code's routing sends credentials from the proxy URL (or its own prompt), never `http.proxyAuthorization`.
  if (configured && proxyLabel(configured) === url) return { ...configured, authorization: undefined };
  return { url, source: 'system', noProxy: [], strictSslOff: configured?.strictSslOff ?? false, support: configured?.support ?? 'override' };
}

/**
 * Watches one request to `host` going out by `route` (undefined: direct, nothing to watch).
 * Our agent (`https-proxy-agent`) emits `proxyConnect` on the request with the proxy's answer;
 * when it is not 200 the agent replays that answer as the response, which must not be taken for
 * the server's. VS Code's agent (@vscode/proxy-agent) emits `proxy` instead, with its resolution
 * (`PROXY host:port`, `DIRECT`) and the socket or the error; its CONNECT answer stays inside, so a
 * refusal shows as a response on a socket that is not TLS (the replay), where an HTTPS origin's
 * answer always comes over TLS.
 */
export function watchProxy(request: ClientRequest, route: WatchedRoute | undefined, host: string): ProxyWatch {
  let status: number | undefined;
  let resolution: string | undefined;
  let resolutionError: (Error & { code?: string }) | undefined;
  let plainSocket = false;
  const ours = route?.proxy;
  if (ours) request.once('proxyConnect', (connect: { statusCode?: number }) => (status = connect.statusCode));
  if (route?.byVsCode) {
    request.on('proxy', (event: { proxy?: string; error?: Error & { code?: string } }) => {
      resolution = event.proxy;
      resolutionError = event.error;
    });
    request.once('socket', (socket: { encrypted?: boolean }) => (plainSocket = socket.encrypted !== true));
  }
  const through = (): ProxyConfig | undefined => {
    if (ours) return ours;
    const url = proxyUrlOfResolution(resolution);
    return url ? chosenByVsCode(url, route?.configured) : undefined;
  };
  return {
    connectStatus: () => status,
    refusal: (responseStatus) => {
      if (ours) return status !== undefined && status !== 200 ? explainProxyRefusal(status, ours, host) : undefined;
      const vscodeProxy = through();
      return vscodeProxy && plainSocket && responseStatus !== undefined ? explainProxyRefusal(responseStatus, vscodeProxy, host) : undefined;
    },
    failure: (error) => {
      if (ours) return explainProxyFailure(error, ours, host, status);
      const vscodeProxy = through();
      return vscodeProxy ? explainProxyFailure(resolutionError ?? error, vscodeProxy, host, undefined) : undefined;
    },
    through,
    vscodeChoice: () => (resolution === undefined ? undefined : (proxyUrlOfResolution(resolution) ?? 'DIRECT'))
  };
}

function where(proxy: ProxyConfig): string {
  return l10n.t({
    message: '{0} (from {1})',
    args: [proxyLabel(proxy), proxy.source === 'system' ? l10n.t("VS Code's system proxy resolution") : proxy.source],
    comment: ["{0} is the proxy, {1} the setting or environment variable that names it, or VS Code's own resolution (system proxy, PAC)."]
  });
}

/** The proxy answered CONNECT with something other than 200: no byte reached `host`. */
export function explainProxyRefusal(status: number, proxy: ProxyConfig, host: string): ProxyExplanation {
  // 407 is the standard answer; some proxies (tinyproxy among them) answer 401 to wrong credentials.
  // A CONNECT's answer always comes from the proxy, so both mean the proxy wants other credentials.
  if (status === 407 || status === 401) {
    const given = Boolean(proxy.authorization) || Boolean(new URL(proxy.url).username);
    const answer =
      status === 407
        ? '407 Proxy Authentication Required'
        : l10n.t({
            message: '401 to CONNECT, which this proxy sends instead of {0}',
            args: ['407 Proxy Authentication Required'],
            comment: ['CONNECT is an HTTP method; {0} is the HTTP status line.']
          });
    return {
      code: 'proxy.auth_required',
      message: given
        ? l10n.t('The proxy {0} did not accept the credentials given ({1}), so nothing reached {2}.', where(proxy), answer, host)
        : l10n.t('The proxy {0} requires authentication ({1}) and none is configured, so nothing reached {2}.', where(proxy), answer, host),
      nextStep: l10n.t({
        message:
          'Put the proxy user name and password in the proxy URL ("http.proxy": http://user:password@proxy:port) or the whole Proxy-Authorization header in "http.proxyAuthorization". Basic authentication is supported.',
        comment: ['http.proxy and http.proxyAuthorization are VS Code settings; Proxy-Authorization is an HTTP header. Keep them as is.']
      })
    };
  }
  return {
    code: 'proxy.refused',
    message: l10n.t('The proxy {0} answered {1} to CONNECT {2}: it did not open the tunnel.', where(proxy), status, host),
    nextStep: l10n.t('Ask the proxy\'s admin to allow HTTPS (CONNECT) to {0}, or list the host in "http.noProxy" if it is reachable without the proxy.', host)
  };
}

/**
 * A failure below HTTP while going through `proxy`: the proxy's own when the CONNECT got no answer
 * (the only connection made is the one to the proxy); undefined when it belongs to the origin.
 */
export function explainProxyFailure(
  failure: { code?: string; message?: string },
  proxy: ProxyConfig,
  host: string,
  connectStatus: number | undefined
): ProxyExplanation | undefined {
  if (connectStatus !== undefined) return connectStatus === 200 ? undefined : explainProxyRefusal(connectStatus, proxy, host);
  const kind = classifyNetworkFailure(failure.code, failure.message);
  if (!kind || !kind.startsWith('network.')) return undefined;
  return {
    code: 'proxy.unreachable',
    message: l10n.t('The proxy {0} cannot be reached on the way to {1}: {2}.', where(proxy), host, failure.message || failure.code || kind),
    nextStep:
      proxy.source === 'system'
        ? l10n.t(
            'Check the system\'s proxy settings (or its PAC script) and that the proxy runs; list {0} in "http.noProxy" if it should be reached directly.',
            host
          )
        : l10n.t('Check the proxy address in "{0}" and that the proxy runs; list {1} in "http.noProxy" if it should be reached directly.', proxy.source, host)
  };
}

/** Failures a firewall that blocks a port gives: refused, timed out, reset, unreachable. */
const BLOCKED_PORT_CODES = new Set(['network.refused', 'network.timeout', 'network.dropped', 'network.unreachable']);

/** `message` with `note` after it when `code` is one a blocked port gives; else `message` as it is. */
export function withBlockedPortNote(code: string, message: string, note: string | undefined): string {
  return note && BLOCKED_PORT_CODES.has(code) ? `${message} ${note}` : message;
}

/** The same error with the note of {@link mailPortsNote} added when the direct connection was blocked. */
export function withDirectMailNote(error: M365MailError, note: string | undefined): M365MailError {
  const message = withBlockedPortNote(error.code, error.message, note);
  return message === error.message ? error : new M365MailError(error.code, message, { ...error.options, cause: error.options.cause ?? error });
}

/**
 * Said when a direct IMAP or SMTP connection fails while an HTTPS proxy is configured: the proxy
 * does not carry them, and networks that need one often block their ports.
 */
export function mailPortsNote(protocol: 'IMAP' | 'SMTP', port: number, graphPossible: boolean): string {
  const note = l10n.t(
    'A proxy is configured for HTTPS; IMAP and SMTP do not go through it. Corporate networks often block {0} port {1} (993 and 587) and allow only the proxy.',
    protocol,
    port
  );
  if (!graphPossible) return note;
  return `${note} ${l10n.t({
    message: 'Microsoft Graph goes through the proxy: this credential can read and send over Graph instead (Edit credential).',
    comment: ['"Edit credential" is the name of a command: use its translated title.']
  })}`;
}
