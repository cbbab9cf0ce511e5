/**
 * Failures of the proxy itself, told apart from failures of the server behind it: the proxy cannot
 * be reached (nothing answered the CONNECT), it asks for credentials (407), or it refuses to open the
 * tunnel (another status). What fails after the tunnel is open (an untrusted certificate, a refused
 * request) is the origin's, and `networkErrors.ts` explains it. Also the note for IMAP and SMTP,
 * which never go through an HTTPS proxy. Node built-ins only (lives in the activation bundle).
 */
import type { ClientRequest } from 'node:http';
import { classifyNetworkFailure } from './networkErrors';
import { proxyLabel, type ProxyConfig } from './proxyRoute';

export type ProxyFailureCode = 'proxy.unreachable' | 'proxy.auth_required' | 'proxy.refused';

export interface ProxyExplanation {
  code: ProxyFailureCode;
  message: string;
  nextStep: string;
}

/** The status the proxy answered to CONNECT, once it has (`https-proxy-agent` emits `proxyConnect` on the request). */
export function watchProxyConnect(request: ClientRequest): () => number | undefined {
  let status: number | undefined;
  request.once('proxyConnect', (connect: { statusCode?: number }) => (status = connect.statusCode));
  return () => status;
}

function where(proxy: ProxyConfig): string {
  return `${proxyLabel(proxy)} (from ${proxy.source})`;
}

/** The proxy answered CONNECT with something other than 200: no byte reached `host`. */
export function explainProxyRefusal(status: number, proxy: ProxyConfig, host: string): ProxyExplanation {
  // 407 is the standard answer; some proxies (tinyproxy among them) answer 401 to wrong credentials.
  // A CONNECT's answer always comes from the proxy, so both mean the proxy wants other credentials.
  if (status === 407 || status === 401) {
    const given = Boolean(proxy.authorization) || Boolean(new URL(proxy.url).username);
    const answer = status === 407 ? '407 Proxy Authentication Required' : '401 to CONNECT, which this proxy sends instead of 407 Proxy Authentication Required';
    return {
      code: 'proxy.auth_required',
      message: given
        ? `The proxy ${where(proxy)} did not accept the credentials given (${answer}), so nothing reached ${host}.`
        : `The proxy ${where(proxy)} requires authentication (${answer}) and none is configured, so nothing reached ${host}.`,
      nextStep:
        'Put the proxy user name and password in the proxy URL ("http.proxy": http://user:password@proxy:port) or the whole Proxy-Authorization header in "http.proxyAuthorization". Basic authentication is supported.'
    };
  }
  return {
    code: 'proxy.refused',
    message: `The proxy ${where(proxy)} answered ${status} to CONNECT ${host}: it did not open the tunnel.`,
    nextStep: `Ask the proxy's admin to allow HTTPS (CONNECT) to ${host}, or list the host in "http.noProxy" if it is reachable without the proxy.`
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
    message: `The proxy ${where(proxy)} cannot be reached on the way to ${host}: ${failure.message || failure.code || kind}.`,
    nextStep: `Check the proxy address in "${proxy.source}" and that the proxy runs; list ${host} in "http.noProxy" if it should be reached directly.`
  };
}

/**
 * Said when a direct IMAP or SMTP connection fails while an HTTPS proxy is configured: the proxy
 * does not carry them, and networks that need one often block their ports.
 */
export function mailPortsNote(protocol: 'IMAP' | 'SMTP', port: number, graphPossible: boolean): string {
  const graph = graphPossible ? ' Microsoft Graph goes through the proxy: this credential can read and send over Graph instead (Edit credential).' : '';
  return `A proxy is configured for HTTPS; IMAP and SMTP do not go through it. Corporate networks often block ${protocol} port ${port} (993 and 587) and allow only the proxy.${graph}`;
}
