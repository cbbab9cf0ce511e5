/**
 * "Test connection": walks a credential's IMAP or SMTP server step by step (DNS, TCP, TLS with the
 * certificate chain, greeting, capabilities, SASL XOAUTH2, opening INBOX or checking MAIL FROM) and
 * records each step's result, timing and, on failure, what to do next. Speaks the protocols itself
 * over node:net/node:tls/node:dns because imapflow and nodemailer hide exactly these steps; only the
 * handful of commands needed (RFC 9051 IMAP4rev2 / RFC 3501, RFC 5321 SMTP, RFC 3207 STARTTLS,
 * RFC 4954 SMTP AUTH, RFC 4959 SASL-IR). Never sends a message: SMTP stops at MAIL FROM, then RSET
 * and QUIT; IMAP opens INBOX read-only (EXAMINE).
 *
 * Certificate verification is always on (Node's own, with the extra CAs of
 * `m365mail.trustedCaCertificates` added to the system roots): an untrusted chain ends the test at
 * the TLS step, but the chain the server sent is still captured for the report.
 *
 * The access token comes from the caller; it and the SASL string are never logged, stored in the
 * report or shown (every line that could hold them passes a {@link SecretRedactor}). No `vscode` import.
 */
import { promises as dnsPromises } from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { M365MailError } from '../../core/errors';
import { SecretRedactor } from '../../core/redact';
import { explainImapFailure, explainSmtpFailure } from '../mailErrors';
import type { Logger as LineLogger } from '../../core/logger';
import { tlsOptions } from '../tlsOptions';
import {
  decodeXoauth2Challenge,
  describeCertificate,
  ehloName,
  imapQuoted,
  isLastSmtpReplyLine,
  parseEhlo,
  parseImapCapabilities,
  parseImapGreeting,
  parseImapTagged,
  parseMailboxStatus,
  parseSmtpReply,
  xoauth2InitialResponse,
  type CertificateSummary,
  type ImapTagged,
  type SmtpReply
} from './protocol';

export type ConnectionProtocol = 'imap' | 'smtp';

/**
 * The steps, in the order they run. `starttls` and `ehloTls` exist for SMTP on 587 only; `tls` is
 * the implicit TLS handshake (IMAP 993, SMTP 465).
 */
export type StepId = 'dns' | 'tcp' | 'tls' | 'greeting' | 'capability' | 'ehlo' | 'starttls' | 'ehloTls' | 'token' | 'auth' | 'mailbox' | 'mailFrom' | 'quit';

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
  /** dns: the addresses found (the first is dialled); `ipLiteral` when the host is an address. */
  addresses?: string[];
  ipLiteral?: boolean;
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
  /** The server's final reply for this step (redacted). */
  reply?: string;
  error?: StepError;
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
  /** Per step, default 15 s. */
  stepTimeoutMs?: number;
  signal?: AbortSignal;
  /** Receives the protocol conversation (redacted); the token and the SASL string never reach it. */
  logger?: LineLogger;
  /** Called as each step ends, for progress. */
  onStep?: (step: ConnectionStep, report: { protocol: ConnectionProtocol }) => void;
  /** The mailbox the IMAP test opens, default INBOX. */
  mailbox?: string;
}

export const IMAP_STEPS: readonly StepId[] = ['dns', 'tcp', 'tls', 'greeting', 'capability', 'token', 'auth', 'mailbox'];

export function smtpSteps(security: 'tls' | 'starttls'): readonly StepId[] {
  return security === 'tls'
    ? ['dns', 'tcp', 'tls', 'greeting', 'ehlo', 'token', 'auth', 'mailFrom', 'quit']
    : ['dns', 'tcp', 'greeting', 'ehlo', 'starttls', 'ehloTls', 'token', 'auth', 'mailFrom', 'quit'];
}

const DEFAULT_STEP_TIMEOUT_MS = 15_000;

/** Raised inside a step with an explanation already made. */
class StepFailure extends Error {
  constructor(readonly error: StepError) {
    super(error.message);
  }
}

/** Ends the run after a failed step (the remaining steps are reported as skipped). */
class Stopped extends Error {}

function codedError(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code });
}

function abortError(): Error {
  return Object.assign(new Error('The connection test was cancelled.'), { name: 'AbortError' });
}

function fromMailError(error: M365MailError): StepError {
  return { code: error.code, message: error.message, nextStep: error.options.nextStep };
}

/**
 * One socket's lines (CRLF-terminated, RFC 9051 section 2.2 / RFC 5321 section 2.3.8). After a
 * STARTTLS upgrade it reads from the TLS socket instead.
 */
class LineChannel {
  private buffer = '';
  private readonly lines: string[] = [];
  private waiter: { resolve: (line: string) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;
  private detachListeners: () => void = () => undefined;

  constructor(
    public socket: net.Socket,
    private readonly log: (line: string) => void
  ) {
    this.attach(socket);
  }

  attach(socket: net.Socket): void {
    this.detachListeners();
    this.socket = socket;
    this.failure = undefined;
    const onData = (chunk: Buffer) => {
      // latin1 keeps bytes as they are; each line is decoded as UTF-8 below.
      this.buffer += chunk.toString('latin1');
      let index: number;
      while ((index = this.buffer.indexOf('\n')) >= 0) {
        const line = Buffer.from(this.buffer.slice(0, index).replace(/\r$/, ''), 'latin1').toString('utf8');
        this.buffer = this.buffer.slice(index + 1);
        this.log(`S: ${line}`);
        if (this.waiter) {
          const { resolve } = this.waiter;
          this.waiter = undefined;
          resolve(line);
        } else {
          this.lines.push(line);
        }
      }
    };
    const onError = (error: Error) => this.fail(error);
    const onClose = () => this.fail(codedError('ECONNRESET', 'The server closed the connection.'));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    this.detachListeners = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
  }

  /** Stops reading this socket (before a TLS upgrade); returns whether unread data was pending. */
  detach(): boolean {
    this.detachListeners();
    this.detachListeners = () => undefined;
    const pending = this.buffer.length > 0 || this.lines.length > 0;
    this.buffer = '';
    this.lines.length = 0;
    return pending;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.waiter) {
      const { reject } = this.waiter;
      this.waiter = undefined;
      reject(this.failure);
    }
  }

  readLine(): Promise<string> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Sends one line; `logAs` replaces it in the log (for the line that carries the SASL string). */
  write(line: string, logAs?: string): void {
    this.log(`C: ${logAs ?? line}`);
    this.socket.write(`${line}\r\n`);
  }

  /** Says goodbye if it still can (the caller destroys the socket soon after), else closes now. */
  close(farewell?: string): void {
    this.detachListeners();
    const socket = this.socket;
    socket.on('error', () => undefined);
    if (farewell && socket.writable && !socket.destroyed) {
      this.log(`C: ${farewell}`);
      socket.end(`${farewell}\r\n`);
    } else {
      socket.destroy();
    }
  }
}

/** Runs the steps in order, times them, explains failures and, at the end, lists what did not run. */
class Probe {
  readonly steps: ConnectionStep[] = [];
  readonly redactor = new SecretRedactor();
  channel: LineChannel | undefined;
  /** Every socket opened (the TCP socket and the TLS socket over it): all are destroyed at the end. */
  private readonly sockets = new Set<net.Socket>();
  private readonly startedAt = new Date();
  private readonly started = performance.now();

  constructor(
    readonly protocol: ConnectionProtocol,
    private readonly plan: readonly StepId[],
    readonly options: ConnectionTestOptions,
    private readonly explain: (failure: { code?: string; message?: string }) => StepError
  ) {}

  log(line: string): void {
    this.options.logger?.trace(`[test ${this.protocol}] ${this.redactor.redact(line)}`);
  }

  async step<T>(id: StepId, body: (step: ConnectionStep) => Promise<T>): Promise<T> {
    const step: ConnectionStep = { id, status: 'passed', durationMs: 0 };
    const timeoutMs = this.options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
    const signal = this.options.signal;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (signal?.aborted) throw abortError();
      const running = body(step);
      running.catch(() => undefined);
      const stop = new Promise<never>((_resolve, reject) => {
        const end = (error: Error) => {
          // End whatever the step is waiting on, so nothing is left behind.
          this.destroyAll();
          reject(error);
        };
        timer = setTimeout(() => end(codedError('ETIMEDOUT', `No answer within ${timeoutMs / 1000} s (timed out).`)), timeoutMs);
        onAbort = () => end(abortError());
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      stop.catch(() => undefined);
      const value = await Promise.race([running, stop]);
      this.record(step, started);
      return value;
    } catch (error) {
      if (signal?.aborted) throw abortError();
      step.status = 'failed';
      step.error = error instanceof StepFailure ? error.error : this.explain(error as { code?: string; message?: string });
      this.record(step, started);
      throw new Stopped();
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private record(step: ConnectionStep, started: number): void {
    step.durationMs = Math.round((performance.now() - started) * 10) / 10;
    const r = (s: string | undefined) => (s === undefined ? undefined : this.redactor.redact(s));
    step.reply = r(step.reply);
    step.greeting = r(step.greeting);
    if (step.error) step.error = { code: step.error.code, message: r(step.error.message) ?? '', nextStep: r(step.error.nextStep) };
    this.steps.push(step);
    this.options.onStep?.(step, { protocol: this.protocol });
  }

  finish(): ConnectionReport {
    const done = new Set(this.steps.map((s) => s.id));
    for (const id of this.plan) if (!done.has(id)) this.steps.push({ id, status: 'skipped', durationMs: 0 });
    return {
      protocol: this.protocol,
      host: this.options.host,
      port: this.options.port,
      security: this.protocol === 'imap' ? 'tls' : this.options.security,
      user: this.options.user,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.started),
      passed: this.steps.every((s) => s.status === 'passed'),
      steps: this.steps
    };
  }

  track<T extends net.Socket>(socket: T): T {
    this.sockets.add(socket);
    return socket;
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Runs the protocol body; a failed step ends it, cancellation rejects; the connection is always closed. */
  async run(body: () => Promise<void>, farewell: () => string | undefined): Promise<ConnectionReport> {
    try {
      await body();
    } catch (error) {
      if (!(error instanceof Stopped)) {
        this.channel?.close();
        this.destroyAll();
        throw error;
      }
    }
    const goodbye = farewell();
    if (this.channel && goodbye) {
      // LOGOUT / QUIT, then give the server a moment to read it before everything is torn down.
      this.channel.close(goodbye);
      setTimeout(() => this.destroyAll(), 1000).unref();
    } else {
      this.channel?.close();
      this.destroyAll();
    }
    return this.finish();
  }
}

// ---- steps shared by IMAP and SMTP ----

async function resolveHost(probe: Probe, step: ConnectionStep): Promise<string> {
  const host = probe.options.host;
  if (net.isIP(host)) {
    step.ipLiteral = true;
    step.addresses = [host];
    return host;
  }
  const found = await dnsPromises.lookup(host, { all: true, verbatim: true });
  step.addresses = found.map((a) => a.address);
  if (!found.length) throw codedError('ENOTFOUND', `No address for ${host}.`);
  return found[0]!.address;
}

function connectTcp(probe: Probe, address: string, step: ConnectionStep): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = probe.track(net.connect({ host: address, port: probe.options.port }));
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // Errors after this are the channel's; this listener keeps a late one from crashing the host.
      socket.on('error', () => undefined);
      step.remote = `${socket.remoteAddress}:${socket.remotePort}`;
      step.local = `${socket.localAddress}:${socket.localPort}`;
      resolve(socket);
    });
  });
}

/**
 * The TLS handshake over a connected socket, verification on. The chain is read when the handshake
 * completes (the socket's internal `secure` event, which Node's own verification listens to as
 * well; ours runs first), so an untrusted chain still appears in the report though Node then closes
 * the connection. `secureConnect` fills it in should that event ever change.
 */
async function handshake(probe: Probe, socket: net.Socket, step: ConnectionStep): Promise<tls.TLSSocket> {
  const host = probe.options.host;
  const servername = net.isIP(host) ? undefined : host;
  const details: TlsDetails = { servername, authorized: false, chain: [] };
  step.tls = details;
  const secure = probe.track(tls.connect({ ...tlsOptions(probe.options.extraCaCertificates, servername), socket, host }));
  const capture = () => {
    if (details.chain.length) return;
    details.protocol = secure.getProtocol() ?? undefined;
    details.cipher = secure.getCipher()?.standardName ?? secure.getCipher()?.name;
    details.chain = peerChain(secure);
  };
  secure.prependOnceListener('secure', capture);
  try {
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
  } catch (error) {
    details.authorizationError = (error as { code?: string }).code;
    throw error;
  }
  capture();
  secure.on('error', () => undefined);
  details.authorized = secure.authorized;
  if (!secure.authorized) {
    // Cannot happen with rejectUnauthorized left at its default (true); refuse rather than trust.
    details.authorizationError = String(secure.authorizationError ?? 'unverified');
    secure.destroy();
    throw codedError(details.authorizationError, `certificate not verified: ${details.authorizationError}`);
  }
  return secure;
}

function peerChain(socket: tls.TLSSocket): CertificateSummary[] {
  const chain: CertificateSummary[] = [];
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true) as tls.DetailedPeerCertificate | undefined;
  while (cert && cert.raw && !seen.has(cert.fingerprint256) && chain.length < 10) {
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

function tokenStepError(error: unknown): StepError {
  const nextStep = 'Authorize the credential again ("M365 Mail: Authorize credential"), then run the test again.';
  if (error instanceof M365MailError) return { code: error.code, message: error.message, nextStep: error.options.nextStep ?? nextStep };
  return { code: 'token', message: `No access token: ${error instanceof Error ? error.message : String(error)}`, nextStep };
}

async function accessToken(probe: Probe): Promise<string> {
  try {
    const token = await probe.options.getAccessToken();
    if (!token) throw new Error('the token is empty');
    probe.redactor.add(token);
    return token;
  } catch (error) {
    throw new StepFailure(tokenStepError(error));
  }
}

function saslResponse(probe: Probe, step: ConnectionStep, token: string): string {
  const user = probe.options.user;
  step.saslUser = user;
  if (!user) {
    throw new StepFailure({
      code: 'no_user',
      message: 'The credential has no user name, which XOAUTH2 needs (user=).',
      nextStep: 'Edit the credential and set its user name (or shared mailbox).'
    });
  }
  const response = xoauth2InitialResponse(user, token);
  probe.redactor.add(response);
  return response;
}

// ---- IMAP (RFC 9051; Exchange Online and Gmail speak IMAP4rev1, RFC 3501, which reads the same here) ----

async function imapCommand(
  channel: LineChannel,
  tag: string,
  command: string,
  options: { logAs?: string; onContinuation?: (text: string) => void } = {}
): Promise<{ untagged: string[]; tagged: ImapTagged }> {
  channel.write(`${tag} ${command}`, options.logAs);
  const untagged: string[] = [];
  for (;;) {
    const line = await channel.readLine();
    const tagged = parseImapTagged(line, tag);
    if (tagged) return { untagged, tagged };
    if (line.startsWith('+')) {
      // A command continuation request (RFC 9051 section 7.5).
      if (!options.onContinuation) throw codedError('EPROTO', `Unexpected continuation: ${line}`);
      options.onContinuation(line.slice(1).trim());
    } else {
      untagged.push(line);
    }
  }
}

/** Tests the IMAP server of a credential: DNS, TCP, TLS, greeting, CAPABILITY, XOAUTH2, EXAMINE INBOX. */
export async function testImapConnection(options: ConnectionTestOptions): Promise<ConnectionReport> {
  const probe = new Probe('imap', IMAP_STEPS, options, (f) => fromMailError(explainImapFailure({ code: f.code, message: f.message })));
  const mailbox = options.mailbox ?? 'INBOX';
  let tagNumber = 0;
  const nextTag = () => `t${++tagNumber}`;
  return probe.run(
    async () => {
      const address = await probe.step('dns', (s) => resolveHost(probe, s));
      const socket = await probe.step('tcp', (s) => connectTcp(probe, address, s));
      const secure = await probe.step('tls', (s) => handshake(probe, socket, s));
      const channel = (probe.channel = new LineChannel(secure, (l) => probe.log(l)));
      let capabilities: string[] | undefined;

      await probe.step('greeting', async (s) => {
        const greeting = parseImapGreeting(await channel.readLine());
        s.greeting = greeting.text;
        if (greeting.status === 'BYE') {
          throw new StepFailure({
            code: 'imap.BYE',
            message: `The server refused the session: "${greeting.text}".`,
            nextStep: 'The server may be busy or block this address; try again later or ask its admin.'
          });
        }
        if (greeting.status === 'unknown') {
          throw new StepFailure({
            code: 'imap.greeting',
            message: `This does not look like an IMAP server: "${greeting.text.slice(0, 200)}".`,
            nextStep: 'Check the IMAP host and port (outlook.office365.com:993 for Microsoft 365).'
          });
        }
        capabilities = greeting.capabilities;
      });

      await probe.step('capability', async (s) => {
        // Ask even if the greeting listed them: after TLS, servers may list more (RFC 9051 section 6.1.1).
        const { untagged, tagged } = await imapCommand(channel, nextTag(), 'CAPABILITY');
        capabilities = untagged.map(parseImapCapabilities).find(Boolean) ?? capabilities ?? [];
        s.capabilities = capabilities;
        s.authMechanisms = capabilities.filter((c) => /^AUTH=/i.test(c)).map((c) => c.slice(5).toUpperCase());
        s.xoauth2Offered = s.authMechanisms.includes('XOAUTH2');
        s.reply = `${tagged.status} ${tagged.text}`;
        if (tagged.status !== 'OK') throw new StepFailure(fromMailError(explainImapFailure({ responseText: tagged.text, responseStatus: tagged.status })));
        if (!s.xoauth2Offered) {
          throw new StepFailure({
            code: 'imap.no_xoauth2',
            message: 'The server does not offer SASL XOAUTH2 (no AUTH=XOAUTH2 among its capabilities), so it cannot take an OAuth token this way.',
            nextStep:
              'Check the IMAP host: Exchange Online (outlook.office365.com) and Gmail (imap.gmail.com) offer XOAUTH2; a server that offers only LOGIN or PLAIN wants a password.'
          });
        }
      });

      const token = await probe.step('token', () => accessToken(probe));

      await probe.step('auth', async (s) => {
        const response = saslResponse(probe, s, token);
        const saslIr = (capabilities ?? []).some((c) => c.toUpperCase() === 'SASL-IR');
        let sentResponse = saslIr;
        const tag = nextTag();
        // With SASL-IR (RFC 4959) the initial response rides on the command; otherwise it follows the first "+".
        const { tagged } = await imapCommand(channel, tag, saslIr ? `AUTHENTICATE XOAUTH2 ${response}` : 'AUTHENTICATE XOAUTH2', {
          logAs: saslIr ? `${tag} AUTHENTICATE XOAUTH2 [redacted]` : undefined,
          onContinuation: (text) => {
            if (!sentResponse) {
              sentResponse = true;
              channel.write(response, '[redacted]');
            } else {
              // An XOAUTH2 error challenge: answer with an empty line to get the final NO.
              s.saslChallenge = decodeXoauth2Challenge(text);
              channel.write('');
            }
          }
        });
        s.reply = `${tagged.status}${tagged.code ? ` [${tagged.code}]` : ''} ${tagged.text}`;
        if (tagged.status !== 'OK') {
          throw new StepFailure(
            fromMailError(
              explainImapFailure({
                responseText: tagged.text,
                responseStatus: tagged.status,
                serverResponseCode: tagged.code,
                authenticationFailed: tagged.status === 'NO'
              })
            )
          );
        }
      });

      await probe.step('mailbox', async (s) => {
        // EXAMINE opens read-only (RFC 9051 section 6.3.3): nothing changes, no \Seen or \Recent is touched.
        const { untagged, tagged } = await imapCommand(channel, nextTag(), `EXAMINE ${imapQuoted(mailbox)}`);
        const status = parseMailboxStatus(untagged);
        s.mailbox = { name: mailbox, exists: status.exists, uidValidity: status.uidValidity, readOnly: true };
        s.reply = `${tagged.status}${tagged.code ? ` [${tagged.code}]` : ''} ${tagged.text}`;
        if (tagged.status !== 'OK') {
          throw new StepFailure(
            fromMailError(explainImapFailure({ responseText: tagged.text, responseStatus: tagged.status, serverResponseCode: tagged.code }))
          );
        }
      });
    },
    () => `t${++tagNumber} LOGOUT`
  );
}

// ---- SMTP (RFC 5321, STARTTLS RFC 3207, AUTH RFC 4954) ----

async function smtpRead(channel: LineChannel): Promise<SmtpReply> {
  const lines: string[] = [];
  for (;;) {
    const line = await channel.readLine();
    lines.push(line);
    if (isLastSmtpReplyLine(line)) return parseSmtpReply(lines);
    if (!/^\d{3}-/.test(line)) throw codedError('EPROTO', `Not an SMTP reply: "${line.slice(0, 200)}"`);
  }
}

async function smtpCommand(channel: LineChannel, command: string, logAs?: string): Promise<SmtpReply> {
  channel.write(command, logAs);
  return smtpRead(channel);
}

function smtpFailure(reply: SmtpReply): StepFailure {
  return new StepFailure(fromMailError(explainSmtpFailure({ responseCode: reply.code, response: reply.raw })));
}

function expectSmtp(reply: SmtpReply, step: ConnectionStep, code: number): void {
  step.reply = reply.raw;
  if (reply.code !== code) throw smtpFailure(reply);
}

/** Tests the SMTP submission server of a credential up to MAIL FROM, then RSET and QUIT: never sends a message. */
export async function testSmtpConnection(options: ConnectionTestOptions): Promise<ConnectionReport> {
  const probe = new Probe('smtp', smtpSteps(options.security), options, (f) => fromMailError(explainSmtpFailure({ code: f.code, message: f.message })));
  let quitSent = false;
  return probe.run(
    async () => {
      const address = await probe.step('dns', (s) => resolveHost(probe, s));
      const socket = await probe.step('tcp', (s) => connectTcp(probe, address, s));
      const implicitTls = options.security === 'tls';
      const first = implicitTls ? await probe.step('tls', (s) => handshake(probe, socket, s)) : socket;
      const channel = (probe.channel = new LineChannel(first, (l) => probe.log(l)));
      const helo = `EHLO ${ehloName(socket.localAddress)}`;

      const ehloStep = async (s: ConnectionStep, afterTls: boolean) => {
        const reply = await smtpCommand(channel, helo);
        expectSmtp(reply, s, 250);
        const ehlo = parseEhlo(reply);
        s.capabilities = ehlo.extensions;
        if (!afterTls) return ehlo;
        s.authMechanisms = ehlo.authMechanisms;
        s.xoauth2Offered = ehlo.authMechanisms.includes('XOAUTH2');
        if (!s.xoauth2Offered) {
          throw new StepFailure({
            code: 'smtp.no_xoauth2',
            message: ehlo.authMechanisms.length
              ? `The server does not offer AUTH XOAUTH2 (it offers ${ehlo.authMechanisms.join(', ')}).`
              : 'The server offers no AUTH at all after TLS.',
            nextStep:
              'Use the submission server and port (smtp.office365.com:587 with STARTTLS for Microsoft 365, smtp.gmail.com:587 for Gmail); port 25 of a mail exchanger does not take logins.'
          });
        }
        return ehlo;
      };

      await probe.step('greeting', async (s) => {
        const reply = await smtpRead(channel);
        s.greeting = reply.raw;
        expectSmtp(reply, s, 220);
      });

      if (implicitTls) {
        await probe.step('ehlo', (s) => ehloStep(s, true));
      } else {
        const ehlo = await probe.step('ehlo', (s) => ehloStep(s, false));
        await probe.step('starttls', async (s) => {
          if (!ehlo.starttls) {
            throw new StepFailure({
              code: 'smtp.no_starttls',
              message: 'The server does not offer STARTTLS, so the session would stay unencrypted.',
              nextStep: 'Check the port and security: 587 uses STARTTLS, 465 implicit TLS. Logging in without TLS is never done.'
            });
          }
          const reply = await smtpCommand(channel, 'STARTTLS');
          expectSmtp(reply, s, 220);
          // Anything the server sent after its 220 would be read as if it came over TLS: refuse it (RFC 3207 section 4.2).
          if (channel.detach()) {
            throw new StepFailure({
              code: 'smtp.starttls_injection',
              message: 'The server sent data after agreeing to STARTTLS; the connection is not safe to continue.',
              nextStep: 'Something between this machine and the server tampers with the session; try another network.'
            });
          }
          const secure = await handshake(probe, socket, s);
          channel.attach(secure);
        });
        // After STARTTLS the client forgets everything it knew and asks again (RFC 3207 section 4.2).
        await probe.step('ehloTls', (s) => ehloStep(s, true));
      }

      const token = await probe.step('token', () => accessToken(probe));

      await probe.step('auth', async (s) => {
        const response = saslResponse(probe, s, token);
        // Initial response on the AUTH line (RFC 4954 section 4).
        let reply = await smtpCommand(channel, `AUTH XOAUTH2 ${response}`, 'AUTH XOAUTH2 [redacted]');
        if (reply.code === 334) {
          // An XOAUTH2 error challenge: answer with an empty line to get the final 5xx.
          s.saslChallenge = decodeXoauth2Challenge(reply.lines[0] ?? '');
          reply = await smtpCommand(channel, '');
        }
        expectSmtp(reply, s, 235);
      });

      await probe.step('mailFrom', async (s) => {
        s.mailFrom = options.user;
        const reply = await smtpCommand(channel, `MAIL FROM:<${options.user}>`);
        expectSmtp(reply, s, 250);
      });

      await probe.step('quit', async (s) => {
        // RSET drops the transaction MAIL FROM began (RFC 5321 section 4.1.1.5); QUIT ends the session.
        const rset = await smtpCommand(channel, 'RSET');
        expectSmtp(rset, s, 250);
        quitSent = true;
        const quit = await smtpCommand(channel, 'QUIT');
        expectSmtp(quit, s, 221);
        s.reply = `${rset.raw}\n${quit.raw}`;
      });
    },
    () => (quitSent ? undefined : 'QUIT')
  );
}
