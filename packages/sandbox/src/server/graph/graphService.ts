/**
 * A Microsoft Graph service for the sandbox: HTTPS on 127.0.0.1 with the sandbox's server
 * certificate, Graph's paths under `/v1.0/`, backed by the real mail servers (Dovecot's store over
 * IMAP, Postfix for sendMail). Every answer carries `request-id`; errors have Graph's shape. Order of
 * checks, as Graph: the token (401), the 4 MB request limit (413), throttling switched on through
 * the control API (429/503 with Retry-After), then permissions and the mailbox (routes.ts). Upload
 * sessions' URLs (uploads.ts) are served here too, before any of that: they carry their own
 * credential and refuse a bearer token.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuthServer } from '../authServer';
import { closerOf, lineLogger } from '../serverTools';
import { authenticate } from './access';
import { commonHeaders, GraphError, graphErrors, newRequestId, sendGraphError } from './errors';
import { MailStore } from './mailStore';
import { addressedMailbox, route, type GraphAnswer } from './routes';
import { submitToPostfix } from './send';
import { DraftStore } from './drafts';
import { UploadSessions } from './uploads';

/** Graph refuses request bodies above 4 MB (larger attachments go through upload sessions). */
export const GRAPH_REQUEST_LIMIT = 4 * 1024 * 1024;

export interface GraphServiceOptions {
  certificates: { serverCertPath: string; serverKeyPath: string; caCertPath: string };
  auth: Pick<AuthServer, 'verifyAccessToken' | 'serviceToken' | 'state'>;
  imapPort: number;
  /** Postfix's configuration directory, for its local submission (`sendmail -C`). */
  postfixConfigDir: string;
  /** One line per request (never tokens or message content). */
  logFile?: string;
  logger?: (line: string) => void;
}

export interface GraphService {
  /** `https://127.0.0.1:PORT` */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

async function readLimited(req: IncomingMessage): Promise<Buffer> {
  if (Number(req.headers['content-length'] ?? 0) > GRAPH_REQUEST_LIMIT) throw graphErrors.tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GRAPH_REQUEST_LIMIT) throw graphErrors.tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startGraphService(options: GraphServiceOptions): Promise<GraphService> {
  const [cert, key, ca] = await Promise.all([
    readFile(options.certificates.serverCertPath, 'utf8'),
    readFile(options.certificates.serverKeyPath, 'utf8'),
    readFile(options.certificates.caCertPath, 'utf8')
  ]);
  const log = lineLogger(options);
  const store = new MailStore({ port: options.imapPort, ca, token: () => options.auth.serviceToken(['IMAP.AccessAsApp']) });
  const state = options.auth.state;
  const drafts = new DraftStore(store);
  const uploads = new UploadSessions(drafts, () => state.graphUploads);
  let base = '';
  const ctx = {
    store,
    faults: () => state.graph,
    submit: (m: Parameters<typeof submitToPostfix>[1]) => submitToPostfix(options.postfixConfigDir, m),
    drafts,
    uploads,
    uploadOrigin: () => state.graph.uploadOrigin ?? base
  };

  async function answer(req: IncomingMessage, url: URL): Promise<GraphAnswer> {
    if (uploads.handles(url.pathname)) return uploads.handle(req, url, () => readLimited(req));
    const match = /^\/v1\.0(\/.*)$/.exec(url.pathname);
    const caller = authenticate(req, options.auth.verifyAccessToken);
    if (!match) throw graphErrors.noRoute(req.method ?? 'GET', url.pathname);
    const body = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH' ? await readLimited(req) : Buffer.alloc(0);
    const path = match[1].replace(/\/$/, '');
    const mailbox = (() => {
      try {
        return addressedMailbox(path, caller).user.upn;
      } catch {
        return undefined;
      }
    })();
    const throttle = state.takeGraphThrottle(mailbox);
    if (throttle) throw graphErrors.throttled(throttle.status, throttle.retryAfterSeconds);
    const refusal = state.takeGraphRefusal({ method: req.method ?? 'GET', path, contentType: String(req.headers['content-type'] ?? '') });
    if (refusal === 'invalid-token') throw graphErrors.invalidToken('Lifetime validation failed, the token is expired.');
    if (refusal === 'invalid-base64') throw graphErrors.invalidBase64();
    return route(ctx, {
      method: req.method ?? 'GET',
      path,
      query: url.searchParams,
      base: `${base}/v1.0`,
      caller,
      contentType: String(req.headers['content-type'] ?? ''),
      body: async () => body
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const answered = await answer(req, new URL(req.url ?? '/', base));
    const headers = { ...commonHeaders(requestId), ...answered.headers };
    if (answered.raw) {
      res.writeHead(answered.status, { ...headers, 'content-type': answered.raw.contentType, 'content-length': answered.raw.data.length });
      res.end(answered.raw.data);
    } else if (answered.json === undefined) {
      res.writeHead(answered.status, { ...headers, 'content-length': 0 });
      res.end();
    } else {
      const text = JSON.stringify(answered.json);
      res.writeHead(answered.status, {
        ...headers,
        'content-type': 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
        'content-length': Buffer.byteLength(text)
      });
      res.end(text);
    }
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const requestId = newRequestId();
    let code = '';
    res.on('finish', () =>
      log(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode}${code ? ` ${code}` : ''} ${Date.now() - started}ms request-id ${requestId}`)
    );
    handle(req, res, requestId).catch((err: Error) => {
      const error = err instanceof GraphError ? err : new GraphError(500, 'generalException', 'An unexpected error occurred in the sandbox Graph service.');
      if (!(err instanceof GraphError)) log(`error ${req.method} ${(req.url ?? '').split('?')[0]}: ${err.stack ?? err.message}`);
      code = error.code;
      if (res.headersSent) return void res.end();
      sendGraphError(res, requestId, error);
      // What is left of a refused body is read and dropped, so the client gets the answer (not a reset) and may reuse the connection.
      req.resume();
    });
  };
  const server: Server = createServer({ cert, key, ALPNProtocols: ['http/1.1'] }, onRequest);
  // `Expect: 100-continue` (curl, for large bodies): a body over the limit is refused before it is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (Number(req.headers['content-length'] ?? 0) <= GRAPH_REQUEST_LIMIT) res.writeContinue();
    onRequest(req, res);
  });
  const closeServer = closerOf(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  base = `https://127.0.0.1:${port}`;
  return {
    endpoint: base,
    port,
    async close() {
      await store.close();
      await closeServer();
    }
  };
}
