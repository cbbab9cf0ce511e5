/**
 * The loopback redirect listener for the authorization code flow (RFC 8252 section 7.3): bound to
 * 127.0.0.1 only, on a port the OS picks, answering exactly one callback (a request carrying
 * `code` or `error`), then closing. It gives up after a timeout or when the signal aborts. Other
 * requests (a favicon, a probe) get 404 and do not end the wait. No `vscode` import.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError, M365MailError } from '../core/errors';

export interface LoopbackServer {
  port: number;
  /** `http://127.0.0.1:<port><path>`. */
  redirectUri: string;
  /** The full callback URL as the browser requested it. */
  waitForCallback(): Promise<string>;
  close(): void;
}

export interface LoopbackOptions {
  /** Path the callback arrives on; default `/`. */
  path?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;

function page(title: string, body: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${escape(title)}</title><style>body{font:16px system-ui,sans-serif;margin:15vh auto;max-width:36em;padding:0 1em;color:#222}h1{font-size:1.4em}</style></head><body><h1>${escape(title)}</h1><p>${escape(body)}</p></body></html>`;
}

export async function startLoopbackServer(options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const path = options.path && options.path.startsWith('/') ? options.path : '/';
  let settle: { resolve(url: string): void; reject(error: Error): void } | undefined;
  const result = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // A rejection nobody awaits yet (the caller may await later) must not crash the host.
  result.catch(() => undefined);

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isCallback = request.method === 'GET' && url.pathname === path && (url.searchParams.has('code') || url.searchParams.has('error'));
    if (!isCallback || !settle) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const error = url.searchParams.get('error');
    const description = url.searchParams.get('error_description');
    const html = error
      ? page('Sign-in did not complete', `${error}${description ? `: ${description}` : ''}. Return to VS Code for what to do next; you can close this tab.`)
      : page('Signed in', 'M365 Mail received the authorization. You can close this tab and return to VS Code.');
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' }).end(html);
    const done = settle;
    settle = undefined;
    done.resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}${request.url ?? '/'}`);
    close();
  });

  const timer = setTimeout(() => {
    settle?.reject(
      new M365MailError('timeout', `No sign-in arrived within ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} seconds.`, {
        nextStep: 'Authorize again and finish the sign-in in the browser.'
      })
    );
    settle = undefined;
    close();
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  timer.unref?.();

  const onAbort = () => {
    settle?.reject(new CancelledError());
    settle = undefined;
    close();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  function close(): void {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    server.close();
    server.closeAllConnections?.();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  if (options.signal?.aborted) onAbort();
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    redirectUri: `http://127.0.0.1:${port}${path}`,
    waitForCallback: () => result,
    close: () => {
      settle?.reject(new CancelledError());
      settle = undefined;
      close();
    }
  };
}
