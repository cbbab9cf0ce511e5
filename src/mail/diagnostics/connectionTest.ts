/**
 * "Test connection": walks a credential's IMAP or SMTP server step by step (DNS, TCP to each
 * address in turn, TLS with the certificate chain, greeting, capabilities, SASL XOAUTH2, opening
 * INBOX or checking MAIL FROM) and records each step's result, timing and, on failure, what to do
 * next. Speaks the protocols itself over node:net/node:tls/node:dns because imapflow and nodemailer
 * hide exactly these steps, and only the handful of commands needed. Never sends a message: SMTP
 * stops at MAIL FROM, then RSET and QUIT; IMAP opens INBOX read-only (EXAMINE).
 *
 * Certificate verification is always on (Node's own, with the extra CAs of
 * `m365mail.trustedCaCertificates` added to the system roots): an untrusted chain ends the test at
 * the TLS step, but the chain the server sent is still captured for the report.
 *
 * The access token comes from the caller; it and the SASL string are never logged, stored in the
 * report or shown. No `vscode` import.
 *
 * The pieces: `report.ts` (what a test reports), `stepEngine.ts` (runs and times the steps),
 * `lineTransport.ts` (lines and IMAP literals), `sharedSteps.ts`, `imapScript.ts`, `smtpScript.ts`.
 */
import { testGraphConnection } from './graphScript';
import { testImapConnection } from './imapScript';
import { testProxyConnection } from './proxyScript';
import type { ConnectionProtocol, ConnectionReport, ConnectionTestOptions } from './report';
import { testSmtpConnection } from './smtpScript';

export { testGraphConnection } from './graphScript';
export { testImapConnection } from './imapScript';
export { testProxyConnection } from './proxyScript';
export { testSmtpConnection } from './smtpScript';

/** Runs the test of one protocol (Microsoft Graph needs `options.graph`, the proxy `options.proxyTest` and `options.route`). */
export function testConnection(protocol: ConnectionProtocol, options: ConnectionTestOptions): Promise<ConnectionReport> {
  if (protocol === 'proxy') return testProxyConnection(options);
  if (protocol === 'graph') {
    const graph = options.graph;
    if (!graph) return Promise.reject(new Error('a Microsoft Graph test needs its endpoint (options.graph)'));
    return testGraphConnection({ ...options, graph });
  }
  return protocol === 'imap' ? testImapConnection(options) : testSmtpConnection(options);
}
