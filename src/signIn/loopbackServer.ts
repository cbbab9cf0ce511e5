/**
 * The loopback redirect listener for the authorization code flow (RFC 8252 section 7.3): bound to
 * the loopback addresses only, on a port the OS picks, answering exactly one callback, then
 * closing. It gives up after a timeout or when the signal aborts. No `vscode` import: the pages the
 * browser shows speak the display language through `@vscode/l10n` (src/core/localization.ts).
 *
 * Only a callback (a request carrying `code` or `error`) whose `state` is the one this sign-in sent
 * ends the wait (RFC 6749 section 10.12): any page the browser visits can send a request to a
 * loopback port, and a forged `?error=…` or a code from another attempt must neither end the sign-in
 * nor mark the credential Failed. Such a request gets 400 and the listener keeps waiting; other
 * requests (a favicon, a probe) get 404.
 */
import * as l10n from '@vscode/l10n';
import { timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelledError, M365MailError } from '../core/errors';

export interface LoopbackServer {
  port: number;
  /** `http://127.0.0.1:<port><path>`. */
  redirectUri: string;
  /**
   * The `state` of the authorization request this listener waits for. It is known only once the
   * request is made, and the request needs the port: so the listener starts first and is told the
   * state before the browser opens. Until then every callback is refused.
   */
  expectState(state: string): void;
  /** The full callback URL as the browser requested it. */
  waitForCallback(): Promise<string>;
  close(): void;
}

export interface LoopbackOptions {
  /** Path the callback arrives on; default `/`. */
  path?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Told about each refused callback (another or no `state`), for the log. */
  onRefused?: () => void;
}

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
/** Attempts at a port free on both 127.0.0.1 and ::1. */
const BIND_ATTEMPTS = 5;

function page(title: string, body: string): string {
  const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"><title>${escape(title)}</title><style>body{font:16px system-ui,sans-serif;margin:15vh auto;max-width:36em;padding:0 1em;color:#222}h1{font-size:1.4em}</style></head><body><h1>${escape(title)}</h1><p>${escape(body)}</p></body></html>`;
}

function sameState(received: string | null, expected: string | undefined): boolean {
  if (!received || !expected) return false;
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, ipv6Only: host === '::1' }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/**
 * Binds one server to 127.0.0.1 and one to ::1 on the same port. The redirect URI keeps the host
 * the app registered, and Entra matches a loopback redirect on everything but the port, so a
 * registered `http://localhost` must stay `localhost`; browsers resolve `localhost` to ::1 or
 * 127.0.0.1 (and some try ::1 first), so the listener answers on both. A machine without IPv6
 * has no ::1 to bind: then 127.0.0.1 alone.
 */
async function bindLoopback(handler: http.RequestListener): Promise<http.Server[]> {
  let lastError: unknown;
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
    const v4 = http.createServer(handler);
    await listen(v4, 0, '127.0.0.1');
    const port = (v4.address() as AddressInfo).port;
    const v6 = http.createServer(handler);
    try {
      await listen(v6, port, '::1');
      return [v4, v6];
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT') return [v4];
      // The port is taken on ::1 by something else: try another.
      lastError = error;
      v4.close();
    }
  }
  throw lastError;
}

export async function startLoopbackServer(options: LoopbackOptions = {}): Promise<LoopbackServer> {
  const path = options.path && options.path.startsWith('/') ? options.path : '/';
  let expected: string | undefined;
  let settle: { resolve(url: string): void; reject(error: Error): void } | undefined;
  const result = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  // A rejection nobody awaits yet (the caller may await later) must not crash the host.
  result.catch(() => undefined);

  const handler: http.RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const isCallback = request.method === 'GET' && url.pathname === path && (url.searchParams.has('code') || url.searchParams.has('error'));
    if (!isCallback || !settle) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    if (!sameState(url.searchParams.get('state'), expected)) {
      const html = page(
        l10n.t('This sign-in link was not for this attempt'),
        l10n.t('M365 Mail is waiting for another sign-in and ignored this one. Finish the sign-in VS Code opened, or start it again from VS Code.')
      );
      response.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(html);
      options.onRefused?.();
      return;
    }
    const error = url.searchParams.get('error');
    const description = url.searchParams.get('error_description');
    const html = error
      ? page(
          l10n.t('Sign-in did not complete'),
          l10n.t('{0}. Return to VS Code for what to do next; you can close this tab.', `${error}${description ? `: ${description}` : ''}`)
        )
      : page(l10n.t('Signed in'), l10n.t('M365 Mail received the authorization. You can close this tab and return to VS Code.'));
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' }).end(html);
    const done = settle;
    settle = undefined;
    done.resolve(`http://127.0.0.1:${request.socket.localPort}${request.url ?? '/'}`);
    close();
  };

  const servers = await bindLoopback(handler);
  const port = (servers[0].address() as AddressInfo).port;

  const timer = setTimeout(() => {
    settle?.reject(
      new M365MailError('timeout', l10n.t('No sign-in arrived within {0} seconds.', Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)), {
        nextStep: l10n.t('Authorize again and finish the sign-in in the browser.')
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
    for (const server of servers) {
      server.close();
      server.closeAllConnections?.();
    }
  }

  if (options.signal?.aborted) onAbort();
  return {
    port,
    redirectUri: `http://127.0.0.1:${port}${path}`,
    expectState: (state) => {
      expected = state;
    },
    waitForCallback: () => result,
    close: () => {
      settle?.reject(new CancelledError());
      settle = undefined;
      close();
    }
  };
}
