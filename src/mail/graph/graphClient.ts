/**
 * A Microsoft Graph client (`@microsoft/microsoft-graph-client`) for one credential: requests go to
 * the cloud's Graph endpoint under `/v1.0`, each carrying a token the caller fetches for the
 * resource `graph`, through our throttle handler (429, 503 and 504 honour `Retry-After`, a bounded,
 * cancellable wait told to the caller's progress: throttle.ts) and our HTTPS transport (extra CAs,
 * verification on). No `vscode` import.
 */
import { AuthenticationHandler, Client, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { CancelledError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { ProxyConfig } from '../../net/proxyRoute';
import { ThrottleHandler, type GraphProgress } from './throttle';
import { GraphTransport } from './graphTransport';

export interface GraphConnection {
  /** The cloud's Graph origin, e.g. `https://graph.microsoft.com`. */
  graphEndpoint: string;
  /** An access token for Microsoft Graph (the token broker, resource `graph`); asked before each request. */
  getAccessToken: () => Promise<string>;
  extraCaCertificates: readonly string[];
  /** VS Code's proxy configuration; undefined: direct. */
  proxy?: ProxyConfig;
  logger: Logger;
  /** Cancels the request, and any wait for a retry. */
  signal?: AbortSignal;
  /** Told before each wait Graph asked for (429, 503), so that the progress notification can say so. */
  progress?: GraphProgress;
  /** All the waiting for one request, default 60 s (throttle.ts); tests make it short. */
  maxTotalWaitSeconds?: number;
  /** Told each request as it leaves (method and full URL; never headers, so never the token). */
  onRequest?: (method: string, url: string) => void;
  timeoutMs?: number;
}

export interface GraphSession {
  client: Client;
  /** The last answer's status and `request-id`. */
  last(): { status?: number; requestId?: string };
  /** The typed error of the last request that got no answer, or that stopped waiting (see GraphTransport.failure, ThrottleHandler.failure). */
  failure(): unknown;
}

export function createGraphClient(connection: GraphConnection): GraphSession {
  const origin = new URL(connection.graphEndpoint).origin;
  let last: { status?: number; requestId?: string } = {};
  const authProvider: AuthenticationProvider = { getAccessToken: () => connection.getAccessToken() };
  const throttle = new ThrottleHandler({
    signal: connection.signal,
    progress: connection.progress,
    logger: connection.logger,
    maxTotalWaitSeconds: connection.maxTotalWaitSeconds
  });
  const transport = new GraphTransport({
    origin,
    extraCaCertificates: connection.extraCaCertificates,
    proxy: connection.proxy,
    timeoutMs: connection.timeoutMs ?? 60_000,
    signal: connection.signal,
    onRequest: connection.onRequest,
    onResponse: (status, requestId) => {
      last = { status, requestId };
      connection.logger.debug(`[graph] answered ${status}${requestId ? ` (request-id ${requestId})` : ''}`);
    }
  });
  const client = Client.initWithMiddleware({
    baseUrl: origin,
    defaultVersion: 'v1.0',
    // The SDK adds the token only for hosts it knows as Graph's, or these (a custom cloud, the sandbox).
    customHosts: new Set([new URL(origin).hostname]),
    middleware: [new AuthenticationHandler(authProvider), throttle, transport]
  });
  return { client, last: () => last, failure: () => throttle.failure ?? transport.failure };
}

/**
 * A client for one upload session's pre-authenticated `uploadUrl` (checked by the caller against the
 * cloud's hosts), for the SDK's LargeFileUploadTask: no authentication handler, so no PUT carries
 * the Graph token (Outlook refuses one, and the URL may be on another host than Graph), and a
 * transport bound to that URL's origin only. Requests are reported without their query, which holds
 * the session's credential. No retry handler: the SDK never retries an octet-stream body.
 */
export function createUploadClient(
  connection: Pick<GraphConnection, 'extraCaCertificates' | 'proxy' | 'logger' | 'signal' | 'timeoutMs' | 'onRequest'>,
  uploadUrl: URL
): GraphSession {
  let last: { status?: number; requestId?: string } = {};
  const transport = new GraphTransport({
    origin: uploadUrl.origin,
    extraCaCertificates: connection.extraCaCertificates,
    proxy: connection.proxy,
    timeoutMs: connection.timeoutMs ?? 60_000,
    signal: connection.signal,
    onRequest: (method, url) => connection.onRequest?.(method, url.split('?')[0]),
    onResponse: (status, requestId) => {
      last = { status, requestId };
      connection.logger.debug(`[graph] upload answered ${status}${requestId ? ` (request-id ${requestId})` : ''}`);
    }
  });
  const client = Client.initWithMiddleware({ middleware: transport });
  return { client, last: () => last, failure: () => transport.failure };
}

/**
 * Runs a Graph call so that cancelling ends it at once, whatever it is doing (fetching the token,
 * waiting out a `Retry-After`, on the network): the transport and the throttle wait also stop on
 * the signal, so nothing is sent after it fired.
 */
export function cancellable<T>(signal: AbortSignal | undefined, work: Promise<T>): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new CancelledError());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
