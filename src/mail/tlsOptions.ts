/**
 * TLS options for mail connections: Node's default roots plus the user's extra CAs (passing `ca`
 * replaces Node's roots, so both are given). Verification is always on. No `vscode` import.
 *
 * Building a context from ~150 roots costs tens of milliseconds, on every connection if done per
 * call; one context is kept per list of extra CAs and shared by every IMAP, SMTP and diagnostic
 * connection.
 */
import * as tls from 'node:tls';

const contexts = new Map<string, tls.SecureContext>();
const MIN_VERSION = 'TLSv1.2';

function secureContext(extraCaCertificates: readonly string[]): tls.SecureContext {
  const key = extraCaCertificates.join('\n');
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, ...extraCaCertificates], minVersion: MIN_VERSION });
    // Settings change rarely; a handful of lists at most is ever kept.
    if (contexts.size >= 8) contexts.clear();
    contexts.set(key, context);
  }
  return context;
}

export function tlsOptions(extraCaCertificates: readonly string[], servername?: string): tls.ConnectionOptions {
  if (!extraCaCertificates.length) return { minVersion: MIN_VERSION, servername };
  return { secureContext: secureContext(extraCaCertificates), minVersion: MIN_VERSION, servername };
}
