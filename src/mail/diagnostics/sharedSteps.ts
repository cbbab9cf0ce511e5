/**
 * The steps IMAP and SMTP tests share: resolving the host, dialling its addresses, the TLS
 * handshake with the certificate chain, getting the access token and building the SASL XOAUTH2
 * response (both secrets go to the run's redactor before anything could log them).
 */
import * as l10n from '@vscode/l10n';
import { promises as dnsPromises } from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { isCancelled, M365MailError } from '../../core/errors';
import { onPeerChain, peerCertificateChain } from '../../net/certificateChain';
import { dialAddresses } from '../../net/dialAddresses';
import { tlsOptions } from '../../net/tlsContext';
import { xoauth2InitialResponse } from './protocol';
import type { ConnectionStep, StepError, TlsDetails } from './report';
import type { StepEngine } from './stepEngine';
import { codedError, StepFailure } from './stepErrors';

/**
 * The least time an address gets before the next one is tried: Node's own `autoSelectFamily`
 * default (250 ms). Otherwise each address but the last gets an equal share of the step's time, as
 * nodemailer gives them, so a slow but working address is still reached.
 */
const MIN_ATTEMPT_TIMEOUT_MS = 250;

/** The addresses of the host, in the resolver's order (`verbatim`, as the clients see them). */
export async function resolveHost(engine: StepEngine, step: ConnectionStep): Promise<string[]> {
  const host = engine.options.host;
  if (net.isIP(host)) {
    step.ipLiteral = true;
    step.addresses = [host];
    return step.addresses;
  }
  const found = await dnsPromises.lookup(host, { all: true, verbatim: true });
  step.addresses = found.map((a) => a.address);
  if (!found.length) throw codedError('ENOTFOUND', l10n.t('No address for {0}.', host));
  return step.addresses;
}

/** Dials each address in turn until one connects; the step lists every attempt and why it failed. */
export async function connectTcp(engine: StepEngine, addresses: readonly string[], step: ConnectionStep, signal: AbortSignal): Promise<net.Socket> {
  const attemptTimeoutMs = Math.max(MIN_ATTEMPT_TIMEOUT_MS, Math.floor(engine.stepTimeoutMs / Math.max(1, addresses.length)));
  try {
    const { socket, attempts } = await dialAddresses(addresses, {
      port: engine.options.port,
      attemptTimeoutMs,
      signal,
      onSocket: (s) => engine.track(s)
    });
    step.attempts = attempts;
    // Errors after this are the transport's; this listener keeps a late one from crashing the host.
    socket.on('error', () => undefined);
    step.remote = `${socket.remoteAddress}:${socket.remotePort}`;
    step.local = `${socket.localAddress}:${socket.localPort}`;
    return socket;
  } catch (error) {
    step.attempts = (error as { attempts?: ConnectionStep['attempts'] }).attempts;
    throw error;
  }
}

/**
 * The TLS handshake over a connected socket, verification on. The chain is captured as the
 * handshake completes, so an untrusted chain still appears in the report though Node then closes
 * the connection; `secureConnect` fills it in should that event ever change.
 */
export async function handshake(engine: StepEngine, socket: net.Socket, step: ConnectionStep): Promise<tls.TLSSocket> {
  const host = engine.options.host;
  const servername = net.isIP(host) ? undefined : host;
  const details: TlsDetails = { servername, authorized: false, chain: [] };
  step.tls = details;
  const secure = engine.track(tls.connect({ ...tlsOptions(engine.options.extraCaCertificates, servername), socket, host }));
  const capture = (chain: TlsDetails['chain']) => {
    if (details.chain.length) return;
    details.protocol = secure.getProtocol() ?? undefined;
    details.cipher = secure.getCipher()?.standardName ?? secure.getCipher()?.name;
    details.chain = chain;
  };
  onPeerChain(secure, capture);
  try {
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
  } catch (error) {
    details.authorizationError = (error as { code?: string }).code;
    throw error;
  }
  capture(peerCertificateChain(secure));
  secure.on('error', () => undefined);
  details.authorized = secure.authorized;
  if (!secure.authorized) {
    // Cannot happen with rejectUnauthorized left at its default (true); refuse rather than trust.
    details.authorizationError = String(secure.authorizationError ?? 'unverified');
    secure.destroy();
    throw codedError(details.authorizationError, l10n.t('certificate not verified: {0}', details.authorizationError));
  }
  return secure;
}

function tokenStepError(error: unknown): StepError {
  // The user said no to the server (see core/tokenDestinations.ts): nothing to authorize again.
  if (isCancelled(error)) {
    return { code: error.code, message: error.message, nextStep: l10n.t('Run the test again to be asked again, if you trust that server.') };
  }
  const nextStep = l10n.t('Authorize the credential again ("M365 Mail: Authorize credential"), then run the test again.');
  if (error instanceof M365MailError) return { code: error.code, message: error.message, nextStep: error.options.nextStep ?? nextStep };
  return { code: 'token', message: l10n.t('No access token: {0}', error instanceof Error ? error.message : String(error)), nextStep };
}

export async function accessToken(engine: StepEngine): Promise<string> {
  try {
    const token = await engine.options.getAccessToken();
    if (!token) throw new Error(l10n.t('the token is empty'));
    engine.redactor.add(token);
    return token;
  } catch (error) {
    throw new StepFailure(tokenStepError(error));
  }
}

export function saslResponse(engine: StepEngine, step: ConnectionStep, token: string): string {
  const user = engine.options.user;
  step.saslUser = user;
  if (!user) {
    throw new StepFailure({
      code: 'no_user',
      message: l10n.t('The credential has no user name, which XOAUTH2 needs (user=).'),
      nextStep: l10n.t('Edit the credential and set its user name (or shared mailbox).')
    });
  }
  const response = xoauth2InitialResponse(user, token);
  engine.redactor.add(response);
  return response;
}
