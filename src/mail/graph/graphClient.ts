/**
 * A Microsoft Graph client (`@microsoft/microsoft-graph-client`) for one credential: requests go to
 * the cloud's Graph endpoint under `/v1.0`, each carrying a token the caller fetches for the
 * resource `graph`, through the SDK's retry handler (429, 503 and 504 honour `Retry-After`, a few
 * times, a bounded wait) and our HTTPS transport (extra CAs, verification on). No `vscode` import.
 */
import { AuthenticationHandler, Client, RetryHandler, RetryHandlerOptions, type AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { CancelledError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { retryAfterSeconds } from './graphErrors';
import { GraphTransport } from './graphTransport';

export interface GraphConnection {
  /** The cloud's Graph origin, e.g. `https://graph.microsoft.com`. */
  graphEndpoint: string;
  /** An access token for Microsoft Graph (the token broker, resource `graph`); asked before each request. */
  getAccessToken: () => Promise<string>;
  extraCaCertificates: readonly string[];
  logger: Logger;
  /** Cancels the request, and any wait for a retry. */
  signal?: AbortSignal;
  /** Told before each wait Graph asked for, so that the progress notification can say so. */
  onThrottled?: (seconds: number, attempt: number) => void;
  /** Told each request as it leaves (method and full URL; never headers, so never the token). */
  onRequest?: (method: string, url: string) => void;
  timeoutMs?: number;
}

/** Retries after 429/503/504, as Graph's throttling guidance says; a longer wait than this is reported instead. */
export const MAX_RETRIES = 3;
export const MAX_WAIT_SECONDS = 60;
const DEFAULT_DELAY_SECONDS = 3;

export interface GraphSession {
  client: Client;
  /** The last answer's status and `request-id`. */
  last(): { status?: number; requestId?: string };
  /** The typed error of the last request that got no answer (see GraphTransport.failure). */
  failure(): unknown;
}

export function createGraphClient(connection: GraphConnection): GraphSession {
  const origin = new URL(connection.graphEndpoint).origin;
  let last: { status?: number; requestId?: string } = {};
  const authProvider: AuthenticationProvider = { getAccessToken: () => connection.getAccessToken() };
  const retry = new RetryHandler(
    new RetryHandlerOptions(DEFAULT_DELAY_SECONDS, MAX_RETRIES, (delay, attempt, _request, _options, response) => {
      if (connection.signal?.aborted) return false;
      const wait = retryAfterSeconds(response.headers) ?? delay;
      if (wait > MAX_WAIT_SECONDS) return false;
      connection.logger.info(`[graph] ${response.status}: waiting ${wait} s before retry ${attempt + 1} of ${MAX_RETRIES}`);
      connection.onThrottled?.(wait, attempt + 1);
      return true;
    })
  );
  const transport = new GraphTransport({
    origin,
    extraCaCertificates: connection.extraCaCertificates,
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
    middleware: [new AuthenticationHandler(authProvider), retry, transport]
  });
  return { client, last: () => last, failure: () => transport.failure };
}

/**
 * A client for one upload session's pre-authenticated `uploadUrl` (checked by the caller against the
 * cloud's hosts), for the SDK's LargeFileUploadTask: no authentication handler, so no PUT carries
 * the Graph token (Outlook refuses one, and the URL may be on another host than Graph), and a
 * transport bound to that URL's origin only. Requests are reported without their query, which holds
 * the session's credential. No retry handler: the SDK never retries an octet-stream body.
 */
export function createUploadClient(
  connection: Pick<GraphConnection, 'extraCaCertificates' | 'logger' | 'signal' | 'timeoutMs' | 'onRequest'>,
  uploadUrl: URL
): GraphSession {
  let last: { status?: number; requestId?: string } = {};
  const transport = new GraphTransport({
    origin: uploadUrl.origin,
    extraCaCertificates: connection.extraCaCertificates,
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
 * Runs a Graph call so that cancelling ends it at once, even while the SDK waits out a
 * `Retry-After`: its wait is a plain timer, and the transport sends nothing once the signal fired.
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
