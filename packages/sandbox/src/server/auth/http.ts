/** Small helpers for the plain node:http handlers around the provider. */
import type { IncomingMessage, ServerResponse } from 'node:http';

const LIMIT = 64 * 1024;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > LIMIT) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await readBody(req)));
}

/**
 * Puts a (possibly rewritten) body back on a request whose stream was already read, so that
 * oidc-provider's own body parser reads it as if it came from the socket.
 */
export function replaceBody(req: IncomingMessage, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  Object.defineProperty(req, 'readable', { value: true, configurable: true });
  (req as unknown as { iterator: () => AsyncGenerator<Buffer> }).iterator = async function* () {
    yield buffer;
  };
  req.headers['content-length'] = String(buffer.length);
  delete req.headers['transfer-encoding'];
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}
