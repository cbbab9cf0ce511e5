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
import { proxyLabel, type ProxyConfig } from './proxyRoute';

export type ProxyFailureCode = 'proxy.unreachable' | 'proxy.auth_required' | 'proxy.refused';

export interface ProxyExplanation {
  code: ProxyFailureCode;
  message: string;
  nextStep: string;
}

export interface ProxyWatch {
  /** The status the proxy answered to CONNECT, once it has. */
  connectStatus(): number | undefined;
  /** When the response starts: the proxy's refusal if it answered in the origin's place (CONNECT not 200). */
  refusal(): ProxyExplanation | undefined;
  /** For a request error: the proxy's explanation if the failure is the proxy's, else undefined. */
  failure(error: { code?: string; message?: string }): ProxyExplanation | undefined;
}

/**
 * Watches one request sent through `proxy` (undefined: direct, nothing to watch) to `host`.
 * `https-proxy-agent` emits `proxyConnect` on the request with the proxy's answer; when it is not
 * 200 the agent replays that answer as the response, which must not be taken for the server's.
 */
export function watchProxy(request: ClientRequest, proxy: ProxyConfig | undefined, host: string): ProxyWatch {
  let status: number | undefined;
  if (proxy) request.once('proxyConnect', (connect: { statusCode?: number }) => (status = connect.statusCode));
  return {
    connectStatus: () => status,
    refusal: () => (proxy && status !== undefined && status !== 200 ? explainProxyRefusal(status, proxy, host) : undefined),
    failure: (error) => (proxy ? explainProxyFailure(error, proxy, host, status) : undefined)
  };
}

function where(proxy: ProxyConfig): string {
  return l10n.t({
    message: '{0} (from {1})',
    args: [proxyLabel(proxy), proxy.source],
    comment: ['{0} is the proxy, {1} the setting or environment variable that names it.']
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
    nextStep: l10n.t(
      'Check the proxy address in "{0}" and that the proxy runs; list {1} in "http.noProxy" if it should be reached directly.',
      proxy.source,
      host
    )
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
