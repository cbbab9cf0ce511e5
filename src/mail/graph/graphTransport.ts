/**
 * The last link of the Graph client's middleware chain: sends the request over node:https with
 * the user's extra CAs added to Node's roots (verification on), as every other connection of the
 * extension does. The SDK would call the global `fetch`, which VS Code patches in the extension
 * host and which ignores `m365mail.trustedCaCertificates`; it goes through VS Code's proxy
 * (`http.proxy`, or HTTPS_PROXY) unless the host is in the no-proxy list. It also refuses any URL outside the
 * cloud's Graph origin: the authentication handler adds the token to every Graph host, and an
 * `@odata.nextLink` or redirect must not carry it elsewhere. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import * as https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { CancelledError, M365MailError } from '../../core/errors';
import { formatCertificateLine, onPeerChain, type CertificateSummary } from '../../net/certificateChain';
import { explainNetworkFailure } from '../../net/networkErrors';
import { collectResponse } from '../../net/responseBody';
import { httpsRouteFor } from '../../net/proxyAgent';
import { watchProxy, type ProxyExplanation } from '../../net/proxyErrors';
import type { ProxyConfig } from '../../net/proxyRoute';

/** Responses without a body by definition (RFC 9110); `Response` refuses one for them. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
/** A message's `$value` can be large; anything beyond this is refused rather than held in memory. */
const MAX_RESPONSE_BYTES = 160 * 1024 * 1024;

export interface GraphTransportOptions {
  /** The cloud's Graph origin, e.g. `https://graph.microsoft.com`; no request leaves for another. */
  origin: string;
  extraCaCertificates: readonly string[];
  proxy?: ProxyConfig;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Every request as it leaves: method and URL. */
  onRequest?: (method: string, url: string) => void;
  /** Every answer's status and `request-id` header (Graph sends one on success too). */
  onResponse?: (status: number, requestId: string | undefined) => void;
}

export class GraphTransport implements Middleware {
  /**
   * What the last request threw below HTTP (untrusted certificate, refused connection, cancel): the
   * SDK wraps it into a GraphError without its code, so the caller reads it from here.
   */
  failure: unknown;

  constructor(private readonly options: GraphTransportOptions) {}

  async execute(context: Context): Promise<void> {
    this.failure = undefined;
    try {
      await this.run(context);
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  private async run(context: Context): Promise<void> {
    const request = context.request;
    const url = typeof request === 'string' ? request : request.url;
    const target = new URL(url);
    if (target.origin !== new URL(this.options.origin).origin) {
      throw new M365MailError(
        'graph.foreign_host',
        l10n.t("A Microsoft Graph request was about to go to {0}, which is not this cloud's Graph endpoint; nothing was sent.", target.host)
      );
    }
    if (this.options.signal?.aborted) throw new CancelledError();
    const headers: Record<string, string> = {};
    new Headers((context.options?.headers ?? (typeof request === 'string' ? undefined : request.headers)) as ConstructorParameters<typeof Headers>[0]).forEach(
      (value, key) => (headers[key] = value)
    );
    const body = await bodyBytes(context.options?.body);
    if (body) headers['content-length'] = String(body.byteLength);
    const method = context.options?.method ?? (typeof request === 'string' ? 'GET' : request.method);
    this.options.onRequest?.(method, target.href);
    const response = await this.send(target, method, headers, body);
    this.options.onResponse?.(response.status, response.headers['request-id']);
    const responseHeaders = new Headers();
    for (const [key, value] of Object.entries(response.headers)) responseHeaders.set(key, value);
    context.response = new Response(NULL_BODY_STATUSES.has(response.status) ? null : new Uint8Array(response.body), {
      status: response.status,
      headers: responseHeaders
    });
  }

  private send(
    target: URL,
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      let chain: CertificateSummary[] = [];
      const route = httpsRouteFor(target, this.options.extraCaCertificates, this.options.proxy);
      const fail = (error: Error & { code?: string }) => {
        if (this.options.signal?.aborted) return reject(new CancelledError());
        const viaProxy = proxy.failure(error);
        if (viaProxy) return reject(proxyError(viaProxy, error));
        const explained = explainNetworkFailure(error, { name: `Microsoft Graph (${target.host})` });
        const chainText = chain.length ? ` ${l10n.t('The server sent: {0}.', chain.map(formatCertificateLine).join('; '))}` : '';
        reject(explained ? new M365MailError(explained.code, explained.message + chainText, { cause: error, nextStep: explained.nextStep }) : error);
      };
      const call = https.request(target, { method, headers, ...route.tls, agent: route.agent, signal: this.options.signal }, (response) => {
        // A proxy that refused the tunnel answers in Graph's place: not Graph's answer.
        const refused = proxy.refusal(response.statusCode);
        if (refused) {
          response.resume();
          return reject(proxyError(refused));
        }
        collectResponse(response, MAX_RESPONSE_BYTES, (error) => call.destroy(error), resolve);
        response.on('error', fail);
      });
      const proxy = watchProxy(call, route, target.host);
      call.setTimeout(this.options.timeoutMs, () => call.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      call.once('socket', (socket) => {
        const tlsSocket = socket as TLSSocket;
        if (typeof tlsSocket.getPeerCertificate === 'function') onPeerChain(tlsSocket, (presented) => (chain = presented));
      });
      call.on('error', fail);
      call.end(body);
    });
  }

  setNext(): void {
    // The last link: nothing comes after the network.
  }
}

function proxyError(explained: ProxyExplanation, cause?: unknown): M365MailError {
  return new M365MailError(explained.code, explained.message, { cause, nextStep: explained.nextStep });
}

async function bodyBytes(body: unknown): Promise<Buffer | undefined> {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  return Buffer.from(String(body), 'utf8');
}
