/**
 * HTTP requests to authorization servers over node:https, with the user's extra CAs added to
 * Node's default roots and verification always on. VS Code patches the global `fetch` in the
 * extension host and NODE_EXTRA_CA_CERTS is not reliable there, so MSAL's network module and
 * oauth4webapi's custom fetch both go through this, and so through the proxy of VS Code's
 * `http.proxy` (or HTTPS_PROXY) unless the host is in the no-proxy list. Failures below HTTP, and a
 * proxy that refuses the tunnel, become typed errors; an untrusted certificate error shows the
 * chain the server sent. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import * as http from 'node:http';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { onPeerChain, type CertificateSummary } from '../net/certificateChain';
import { collectResponse } from '../net/responseBody';
import { httpsRouteFor } from '../net/proxyAgent';
import { watchProxy, type ProxyExplanation } from '../net/proxyErrors';
import type { ProxyConfig } from '../net/proxyRoute';
import { AuthError, invalidEndpoint, networkError } from './errors';
import { isLoopbackHost } from '../core/validation';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  extraCaCertificates?: readonly string[];
  /** VS Code's proxy configuration (`Settings.proxy()`); undefined: every request goes direct. */
  proxy?: ProxyConfig;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export function httpsRequest(url: string, options: HttpOptions = {}): Promise<HttpResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(invalidEndpoint(url, l10n.t('it is not a URL')));
  }
  if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopbackHost(target.hostname))) {
    return Promise.reject(invalidEndpoint(url, l10n.t('only https:// is allowed (http only on loopback)')));
  }
  const extra = options.extraCaCertificates ?? [];
  const transport = target.protocol === 'https:' ? https : http;
  // One agent (and secure context) per list of CAs and proxy, shared by every request; plain http is loopback only.
  const route = target.protocol === 'https:' ? httpsRouteFor(target, extra, options.proxy) : undefined;
  const proxyError = (explained: ProxyExplanation, cause?: unknown) =>
    new AuthError(explained.code, explained.message, { cause, nextStep: explained.nextStep });
  return new Promise<HttpResponse>((resolve, reject) => {
    const request = transport.request(
      target,
      {
        method: options.method ?? 'GET',
        headers: {
          Accept: 'application/json',
          ...options.headers,
          ...(options.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(options.body)) } : {})
        },
        signal: options.signal,
        ...route?.tls,
        agent: route ? route.agent : false
      },
      (response) => {
        // A proxy that refused the tunnel answers in the origin's place; its answer is not the server's.
        const refused = proxy.refusal(response.statusCode);
        if (refused) {
          response.resume();
          reject(proxyError(refused));
          return;
        }
        collectResponse(
          response,
          MAX_BODY_BYTES,
          (error) => request.destroy(error),
          (collected) => resolve({ ...collected, body: collected.body.toString('utf8') })
        );
        response.on('error', (error) => reject(networkError(url, error)));
      }
    );
    request.setTimeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    // What the server presented, so that a verification failure can show the chain it refused.
    let chain: CertificateSummary[] = [];
    const proxy = watchProxy(request, route, target.host);
    request.once('socket', (socket) => {
      const tlsSocket = socket as TLSSocket;
      if (typeof tlsSocket.getPeerCertificate === 'function') onPeerChain(tlsSocket, (presented) => (chain = presented));
    });
    request.on('error', (error: Error & { code?: string }) => {
      const explained = proxy.failure(error);
      reject(explained ? proxyError(explained, error) : networkError(url, error, chain));
    });
    if (options.body !== undefined) request.write(options.body);
    request.end();
  });
}

/** A WHATWG `fetch` over {@link httpsRequest}, for oauth4webapi's `customFetch`. */
export function fetchWithCa(
  extraCaCertificates: () => readonly string[],
  proxy: () => ProxyConfig | undefined = () => undefined
): (url: string, init: { method?: string; headers?: Headers | Record<string, string>; body?: unknown; signal?: AbortSignal }) => Promise<Response> {
  return async (url, init) => {
    const headers: Record<string, string> = {};
    new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => (headers[key] = value));
    const body = init.body === undefined || init.body === null ? undefined : init.body instanceof URLSearchParams ? init.body.toString() : String(init.body);
    const response = await httpsRequest(url, {
      method: (init.method as 'GET' | 'POST') ?? 'GET',
      headers,
      body,
      extraCaCertificates: extraCaCertificates(),
      proxy: proxy(),
      signal: init.signal
    });
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}
