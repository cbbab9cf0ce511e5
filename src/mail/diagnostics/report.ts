/**
 * What a connection test reports: the steps it runs per protocol, each step's findings (addresses
 * dialled, TLS details with the certificate chain, capabilities, the server's replies) and, on
 * failure, a coded explanation with the next step. Also the options a test takes. Types only, and
 * the step plans.
 */
import type { CertificateSummary } from '../../net/certificateChain';
import type { DialAttempt } from '../../net/dialAddresses';
import type { Logger } from '../../core/logger';
import type { HttpsRoute } from '../../net/proxyAgent';
import type { ProxyConfig, ProxySource, ProxySupport } from '../../net/proxyRoute';

/** `proxy`: the HTTPS proxy's own report (one step), present only when a proxy is configured. */
export type ConnectionProtocol = 'imap' | 'smtp' | 'graph' | 'proxy';

/**
 * The steps, in the order they run. `starttls` and `ehloTls` exist for SMTP on 587 only; `tls` is
 * the implicit TLS handshake (IMAP 993, SMTP 465).
 */
export type StepId =
  | 'dns'
  | 'tcp'
  | 'tls'
  | 'greeting'
  | 'capability'
  | 'ehlo'
  | 'starttls'
  | 'ehloTls'
  | 'token'
  | 'auth'
  | 'mailbox'
  | 'mailFrom'
  | 'quit'
  // Microsoft Graph: GET /users/{id}, GET mailFolders/inbox, and the send permission read from the token.
  | 'graphUser'
  | 'graphInbox'
  | 'graphSend'
  // The HTTPS proxy: the token endpoint reached through it (or directly, for a no-proxy host).
  | 'proxy';

/** `skipped`: not run because an earlier step failed. */
export type StepStatus = 'passed' | 'failed' | 'skipped';

export interface StepError {
  /** Stable code: an SMTP/IMAP reply (`smtp.535 5.7.139`), `network.refused`, `tls.untrusted`, … */
  code: string;
  message: string;
  nextStep?: string;
}

export interface TlsDetails {
  /** The SNI host name sent (none for an IP address, RFC 6066 section 3). */
  servername?: string;
  protocol?: string;
  cipher?: string;
  /** The chain verified against the system roots plus the trusted CAs (and the host name matched). */
  authorized: boolean;
  /** Node's verification error code, e.g. `SELF_SIGNED_CERT_IN_CHAIN`. */
  authorizationError?: string;
  /** The server's certificate first, then each issuer Node found (sent by the server or in the trust store). */
  chain: CertificateSummary[];
}

export interface ConnectionStep {
  id: StepId;
  status: StepStatus;
  durationMs: number;
  /** dns: the addresses found (all are dialled in turn, see tcp); `ipLiteral` when the host is an address. */
  addresses?: string[];
  ipLiteral?: boolean;
  /** tcp: each address dialled, in order, with why it failed; the last one is the one that answered (if any did). */
  attempts?: DialAttempt[];
  /** tcp: both ends, `address:port`. */
  remote?: string;
  local?: string;
  /** tls and starttls. */
  tls?: TlsDetails;
  /** greeting: the server's greeting text. */
  greeting?: string;
  /** capability (IMAP capabilities), ehlo and ehloTls (SMTP service extensions). */
  capabilities?: string[];
  /** SMTP: the AUTH mechanisms; IMAP: the AUTH= capabilities. */
  authMechanisms?: string[];
  xoauth2Offered?: boolean;
  /** auth: the XOAUTH2 `user=` (the shared mailbox for a delegate). */
  saslUser?: string;
  /** auth: the server's XOAUTH2 error challenge, decoded (e.g. `{status: "401", schemes: "bearer"}`). */
  saslChallenge?: Record<string, string>;
  /** mailbox: what EXAMINE reported. */
  mailbox?: { name: string; exists?: number; uidValidity?: string; readOnly: boolean };
  /** mailFrom: the sender checked. */
  mailFrom?: string;
  /** token (Graph): what the token says, never the token. */
  tokenClaims?: { audience?: string; scopes: string[]; roles: string[] };
  /** graphUser, graphInbox: Graph's status and `request-id`. */
  http?: { status: number; requestId?: string };
  /** proxy: which proxy, and how the token endpoint was reached. */
  proxy?: ProxyFindings;
  /** The server's final reply for this step (redacted). */
  reply?: string;
  error?: StepError;
}

export interface ProxyFindings {
  /** The proxy without credentials, e.g. `http://proxy.corp:3128`. */
  proxy: string;
  source: ProxySource;
  /** The token endpoint's `host:port`. */
  target: string;
  /** False: the host is in the no-proxy list, reached directly. */
  through: boolean;
  /** What the proxy answered to CONNECT (200 opens the tunnel). */
  connectStatus?: number;
  /** The token endpoint's HTTP status (any answer proves it was reached). */
  httpStatus?: number;
  /** `http.proxyStrictSSL` is false, and verification stayed on anyway. */
  strictSslOff: boolean;
  /** `vscode`: VS Code's extension-host patch routed the request (`http.proxySupport` {@link ProxyFindings.support}), not our agent. */
  routedBy?: 'vscode';
  support?: ProxySupport;
  /** What VS Code's resolution said: `DIRECT` or the proxy (no credentials). */
  vscodeChoice?: string;
}

export interface ConnectionReport {
  protocol: ConnectionProtocol;
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  /** The XOAUTH2 user (and, SMTP, the MAIL FROM address). */
  user: string;
  startedAt: string;
  durationMs: number;
  /** Every step passed. */
  passed: boolean;
  steps: ConnectionStep[];
  /** Graph: the proxy its requests went through (no credentials). */
  viaProxy?: string;
}

export interface ConnectionTestOptions {
  host: string;
  port: number;
  /** SMTP: `starttls` (587) or implicit `tls` (465). IMAP is always implicit TLS. */
  security: 'tls' | 'starttls';
  /** The XOAUTH2 `user=`: the mailbox, or the shared mailbox a delegate opens. */
  user: string;
  /** Called once, right before SASL; a rejection makes the token step red with its message. */
  getAccessToken: () => Promise<string>;
  /** PEM text of extra CAs (`m365mail.trustedCaCertificates`), added to the system roots. */
  extraCaCertificates: readonly string[];
  /**
   * IMAP and SMTP: added to a refused, timed-out or reset connection when an HTTPS proxy is
   * configured (they never go through it; net/proxyErrors.ts `mailPortsNote`).
   */
  directNote?: string;
  /**
   * How an HTTPS request goes out (direct, or through VS Code's proxy): `httpsRouteFor` of the
   * `proxy` chunk, which the host loads only when a proxy is configured. Without it: direct.
   */
  route?: (target: URL) => HttpsRoute;
  /** The `proxy` test: the token endpoint to reach through the proxy. */
  proxyTest?: { config: ProxyConfig; tokenEndpoint: string };
  /** Per step, default 15 s. */
  stepTimeoutMs?: number;
  signal?: AbortSignal;
  /** Receives the protocol conversation (redacted); the token and the SASL string never reach it. */
  logger?: Logger;
  /** Called as each step ends, for progress. */
  onStep?: (step: ConnectionStep, report: { protocol: ConnectionProtocol }) => void;
  /** The mailbox the IMAP test opens, default INBOX. */
  mailbox?: string;
  /** Microsoft Graph only: host and port come from the endpoint; `user` is the mailbox of `/users/{user}`. */
  graph?: GraphTestOptions;
}

export interface GraphTestOptions {
  /** The cloud's Graph origin, where requests go. */
  endpoint: string;
  /** The audience a Graph token must carry: the cloud's Graph root (its scope prefix without the slash). */
  audience: string;
  /** Client credentials: `roles`, not `scp`. */
  appOnly: boolean;
  /** A shared mailbox: the `.Shared` permissions. */
  shared: boolean;
  /** What the credential does over Graph: the steps for the other are left out. */
  reads: boolean;
  sends: boolean;
}

/** Through a proxy there is no direct DNS, TCP or TLS to Graph to test: the requests go through the tunnel. */
export function graphSteps(graph: Pick<GraphTestOptions, 'reads' | 'sends'>, viaProxy = false): readonly StepId[] {
  return [
    ...(viaProxy ? [] : (['dns', 'tcp', 'tls'] as const)),
    'token',
    'graphUser',
    ...(graph.reads ? (['graphInbox'] as const) : []),
    ...(graph.sends ? (['graphSend'] as const) : [])
  ];
}

export const IMAP_STEPS: readonly StepId[] = ['dns', 'tcp', 'tls', 'greeting', 'capability', 'token', 'auth', 'mailbox'];

export function smtpSteps(security: 'tls' | 'starttls'): readonly StepId[] {
  return security === 'tls'
    ? ['dns', 'tcp', 'tls', 'greeting', 'ehlo', 'token', 'auth', 'mailFrom', 'quit']
    : ['dns', 'tcp', 'greeting', 'ehlo', 'starttls', 'ehloTls', 'token', 'auth', 'mailFrom', 'quit'];
}
