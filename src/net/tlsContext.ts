/**
 * TLS for every outgoing connection (token endpoints, IMAP, SMTP, the connection test): Node's
 * default roots plus the user's extra CAs (passing `ca` replaces Node's roots, so both are given).
 * Verification is always on. Node built-ins only.
 *
 * Building a context from ~150 roots costs tens of milliseconds, on every connection if done per
 * call; one context (and, for HTTPS, one agent over it) is kept per list of extra CAs and shared.
 */
import * as https from 'node:https';
import * as tls from 'node:tls';

export const MIN_TLS_VERSION: tls.SecureVersion = 'TLSv1.2';
/** Settings change rarely; a handful of CA lists at most is ever kept. */
const MAX_CACHED_LISTS = 8;

interface Cached {
  context: tls.SecureContext;
  agent?: https.Agent;
}

const cache = new Map<string, Cached>();

function cached(extraCaCertificates: readonly string[]): Cached {
  const key = extraCaCertificates.join('\n');
  let entry = cache.get(key);
  if (!entry) {
    const context = extraCaCertificates.length
      ? tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCaCertificates], minVersion: MIN_TLS_VERSION })
      : tls.createSecureContext({ minVersion: MIN_TLS_VERSION });
    entry = { context };
    // Without keep-alive a dropped agent holds no idle socket; requests in flight finish on it.
    if (cache.size >= MAX_CACHED_LISTS) cache.clear();
    cache.set(key, entry);
  }
  return entry;
}

/** The secure context for a list of extra CAs, built once per list. */
export function secureContextFor(extraCaCertificates: readonly string[]): tls.SecureContext {
  return cached(extraCaCertificates).context;
}

/** Options for `tls.connect` (and nodemailer's and imapflow's `tls`). */
export function tlsOptions(extraCaCertificates: readonly string[], servername?: string): tls.ConnectionOptions {
  if (!extraCaCertificates.length) return { minVersion: MIN_TLS_VERSION, servername };
  return { secureContext: secureContextFor(extraCaCertificates), minVersion: MIN_TLS_VERSION, servername };
}

/**
 * One HTTPS agent per list of extra CAs, over that list's secure context. No keep-alive: token
 * requests are minutes apart, and an idle socket would only keep the process (and tests) alive.
 * The agent still reuses the context and its TLS session cache.
 */
export function httpsAgentFor(extraCaCertificates: readonly string[]): https.Agent {
  const entry = cached(extraCaCertificates);
  entry.agent ??= new https.Agent({ keepAlive: false, secureContext: entry.context, minVersion: MIN_TLS_VERSION });
  return entry.agent;
}
