/**
 * Dials a host's addresses one after the other until one connects, the way the mail clients do:
 * Node's `net.connect` with `autoSelectFamily` (imapflow; nodemailer hands it every address it
 * resolved, shuffled within each family) takes the addresses with the families interleaved (RFC
 * 8305 section 4), gives each but the last a limited time, and moves on when one fails. Unlike `net.connect`, this tells which
 * address answered and why each of the others did not, which is what a diagnostic has to show.
 * Node built-ins only.
 */
import * as l10n from '@vscode/l10n';
import * as net from 'node:net';

export interface DialAttempt {
  address: string;
  port: number;
  /** Why this address did not connect (Node's code, e.g. `ECONNREFUSED`, `ETIMEDOUT`); absent for the one that answered. */
  code?: string;
  message?: string;
  durationMs: number;
}

export interface DialOptions {
  port: number;
  /** How long each address but the last may take before the next is tried; the last one has until the caller gives up. */
  attemptTimeoutMs: number;
  /** Ends the dialling: the socket being opened is destroyed and no further address is tried. */
  signal?: AbortSignal;
  /** Opens one connection attempt; `net.connect` unless a test passes its own. */
  connect?: (address: string, port: number) => net.Socket;
  /** Sees every socket opened, so the caller can destroy it should it give up first. */
  onSocket?: (socket: net.Socket) => void;
}

export interface Dialled {
  socket: net.Socket;
  /** Every address tried, in order; the last one is the address that answered. */
  attempts: DialAttempt[];
}

/** No address connected; `attempts` says why, per address. */
export class DialError extends Error {
  override readonly name = 'DialError';

  constructor(
    readonly code: string,
    message: string,
    readonly attempts: DialAttempt[]
  ) {
    super(message);
  }
}

/**
 * Interleaves the families, starting with the family of the first address (as Node's
 * `autoSelectFamily` does), keeping the resolver's order within each family.
 */
export function interleaveFamilies(addresses: readonly string[]): string[] {
  const first = net.isIPv6(addresses[0] ?? '');
  const same = addresses.filter((a) => net.isIPv6(a) === first);
  const other = addresses.filter((a) => net.isIPv6(a) !== first);
  const out: string[] = [];
  for (let i = 0; i < Math.max(same.length, other.length); i++) {
    if (i < same.length) out.push(same[i]!);
    if (i < other.length) out.push(other[i]!);
  }
  return out;
}

function attempt(address: string, options: DialOptions, timeoutMs: number | undefined): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = (options.connect ?? ((host, port) => net.connect({ host, port })))(address, options.port);
    options.onSocket?.(socket);
    let timer: NodeJS.Timeout | undefined;
    const settle = (error?: Error) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      socket.off('error', onError);
      socket.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
      if (!error) return resolve(socket);
      socket.destroy();
      reject(error);
    };
    const onConnect = () => settle();
    const onError = (error: Error) => settle(error);
    // A socket destroyed from outside (the caller gave up) closes without an error.
    const onClose = () => settle(Object.assign(new Error(l10n.t('The connection attempt was ended.')), { code: 'ECONNABORTED' }));
    // The caller's reason (say, its own timeout) says more about this attempt than "cancelled".
    const onAbort = () => {
      const reason: unknown = options.signal?.reason;
      const coded = reason instanceof Error && typeof (reason as { code?: unknown }).code === 'string';
      settle(coded ? reason : Object.assign(new Error(l10n.t('The connection attempt was cancelled.')), { code: 'ECONNABORTED' }));
    };
    socket.once('connect', onConnect);
    socket.once('error', onError);
    socket.once('close', onClose);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => settle(Object.assign(new Error(l10n.t('No answer within {0} ms (timed out); trying the next address.', timeoutMs)), { code: 'ETIMEDOUT' })),
        timeoutMs
      );
    }
  });
}

/** Connects to the first of `addresses` that answers, trying them in the clients' order. */
export async function dialAddresses(addresses: readonly string[], options: DialOptions): Promise<Dialled> {
  const ordered = interleaveFamilies(addresses);
  const attempts: DialAttempt[] = [];
  for (const [index, address] of ordered.entries()) {
    if (options.signal?.aborted) break;
    const started = performance.now();
    const last = index === ordered.length - 1;
    const record = (error?: { code?: string; message?: string }): DialAttempt => {
      const entry: DialAttempt = { address, port: options.port, durationMs: Math.round((performance.now() - started) * 10) / 10 };
      if (error) Object.assign(entry, { code: String(error.code ?? 'ECONNECTION'), message: error.message });
      attempts.push(entry);
      return entry;
    };
    try {
      const socket = await attempt(address, options, last ? undefined : options.attemptTimeoutMs);
      record();
      return { socket, attempts };
    } catch (error) {
      record(error as { code?: string; message?: string });
    }
  }
  const failed = attempts.filter((a) => a.code);
  const lastCode = failed.at(-1)?.code ?? (options.signal?.aborted ? 'ECONNABORTED' : 'ENOTFOUND');
  const summary = failed.map((a) => `${net.isIPv6(a.address) ? `[${a.address}]` : a.address}:${a.port} ${a.code}`).join(', ');
  throw new DialError(lastCode, failed.length ? l10n.t('No address answered: {0}.', summary) : l10n.t('No address to dial.'), attempts);
}
