/**
 * The certificate chain a TLS server presented, summarized for people: the auth engine names it in
 * an "untrusted certificate" error, the connection test shows it field by field. It is read when the
 * handshake ends, before Node verifies it, so that a chain Node then refuses can still be shown.
 * Node built-ins only.
 */
import { X509Certificate } from 'node:crypto';
import type * as tls from 'node:tls';

export interface CertificateSummary {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  /** SHA-256 over the DER, colon-separated hex (as browsers and SAP Cloud Integration show it). */
  fingerprint256: string;
  /** Subject alternative names, e.g. `DNS:outlook.office365.com`, `IP Address:127.0.0.1`. */
  subjectAltNames: string[];
  serialNumber: string;
  /** A CA certificate (basicConstraints CA:TRUE). */
  ca: boolean;
  selfIssued: boolean;
}

/** A chain longer than this is not a real one; the walk stops there. */
const MAX_CHAIN_LENGTH = 10;

/** Summarizes one DER certificate. */
export function describeCertificate(der: Buffer): CertificateSummary {
  const x = new X509Certificate(der);
  const dn = (s: string) => s.split('\n').filter(Boolean).join(', ');
  return {
    subject: dn(x.subject),
    issuer: dn(x.issuer),
    validFrom: new Date(x.validFrom).toISOString(),
    validTo: new Date(x.validTo).toISOString(),
    fingerprint256: x.fingerprint256,
    subjectAltNames: (x.subjectAltName ?? '').split(/,\s*/).filter(Boolean),
    serialNumber: x.serialNumber,
    ca: x.ca,
    selfIssued: x.subject === x.issuer
  };
}

/** The server's certificate first, then each issuer Node found (sent by the server or in the trust store). */
export function peerCertificateChain(socket: tls.TLSSocket): CertificateSummary[] {
  const chain: CertificateSummary[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (cert && cert.raw && !seen.has(cert.fingerprint256) && chain.length < MAX_CHAIN_LENGTH) {
    seen.add(cert.fingerprint256);
    try {
      chain.push(describeCertificate(cert.raw));
    } catch {
      break;
    }
    cert = cert.issuerCertificate && cert.issuerCertificate !== cert ? cert.issuerCertificate : undefined;
  }
  return chain;
}

/**
 * Calls `onChain` with the presented chain as soon as the handshake completes: on the socket's
 * internal `secure` event, which Node's own verification listens to as well (this listener runs
 * first), so the chain is known even when Node then rejects it and closes the connection.
 */
export function onPeerChain(socket: tls.TLSSocket, onChain: (chain: CertificateSummary[]) => void): void {
  socket.prependOnceListener('secure', () => {
    let chain: CertificateSummary[] = [];
    try {
      chain = peerCertificateChain(socket);
    } catch {
      // A socket torn down mid-handshake has no certificate to read; nothing to show then.
    }
    onChain(chain);
  });
}

/** One line per certificate, for an error message. */
export function formatCertificateLine(cert: CertificateSummary): string {
  return `subject: ${cert.subject} | issuer: ${cert.issuer} | valid ${cert.validFrom} – ${cert.validTo} | SHA-256 ${cert.fingerprint256}`;
}
