/**
 * TLS options for mail connections: Node's default roots plus the user's extra CAs (passing `ca`
 * replaces Node's roots, so both are given). Verification is always on. No `vscode` import.
 */
import * as tls from 'node:tls';

export function tlsOptions(extraCaCertificates: readonly string[], servername?: string): tls.ConnectionOptions {
  return {
    ca: extraCaCertificates.length ? [...tls.rootCertificates, ...extraCaCertificates] : undefined,
    minVersion: 'TLSv1.2',
    servername
  };
}
