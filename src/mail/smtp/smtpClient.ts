/**
 * Sends mail over SMTP with SASL XOAUTH2 through nodemailer: STARTTLS required on 587, implicit TLS
 * on 465. A raw message is streamed from its file, never read whole. nodemailer does not retry, so
 * a failed send is never repeated behind the user's back. No `vscode` import.
 */
import type { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import { explainSmtpFailure, type SmtpFailure } from '../mailErrors';
import type { Logger } from '../../core/logger';
import { libraryLogger } from '../mailLogger';
import { withDirectMailNote } from '../../net/proxyErrors';
import { tlsOptions } from '../../net/tlsContext';

export interface SmtpConnection {
  host: string;
  port: number;
  security: 'starttls' | 'tls';
  /** The XOAUTH2 `user=`: the mailbox (a shared mailbox for a delegate). */
  user: string;
  accessToken: string;
  extraCaCertificates: readonly string[];
  logger: Logger;
  /** Milliseconds for connect, greeting and each reply. */
  timeoutMs?: number;
  /** Added to a refused, timed-out or reset connection: an HTTPS proxy is configured, which SMTP does not use (net/proxyErrors.ts). */
  directNote?: string;
}

export interface SendResult {
  messageId?: string;
  /** The server's final reply, e.g. "250 2.0.0 OK <id> [Hostname=…]". */
  response: string;
  accepted: string[];
  rejected: string[];
}

export type OutgoingMessage =
  | { kind: 'compose'; from: string; to: string[]; subject: string; text: string; headers?: Record<string, string> }
  | { kind: 'raw'; envelope: { from: string; to: string[] }; raw: { path: string } | { content: Readable | Buffer | string } };

function transport(connection: SmtpConnection) {
  const timeout = connection.timeoutMs ?? 30_000;
  return nodemailer.createTransport({
    host: connection.host,
    port: connection.port,
    secure: connection.security === 'tls',
    requireTLS: connection.security === 'starttls',
    auth: { type: 'OAuth2', user: connection.user, accessToken: connection.accessToken },
    tls: tlsOptions(connection.extraCaCertificates),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: Math.max(timeout, 120_000),
    // The SMTP conversation (redacted) is logged at Trace; below that nodemailer records nothing
    // (the server's final reply and the message ID are logged by the command). Its commands and
    // replies only: nodemailer's `debug` would also log every line of the message, attachments
    // and all, which is the user's mail and no business of a log.
    logger: connection.logger.traceEnabled?.() === false ? false : libraryLogger(connection.logger, '[smtp]'),
    transactionLog: connection.logger.traceEnabled?.() ?? true
  });
}

export async function sendMail(connection: SmtpConnection, message: OutgoingMessage): Promise<SendResult> {
  const smtp = transport(connection);
  try {
    const info = await smtp.sendMail(
      message.kind === 'compose'
        ? { from: message.from, to: message.to, subject: message.subject, text: message.text, headers: message.headers }
        : { envelope: message.envelope, raw: 'path' in message.raw ? { path: message.raw.path } : message.raw.content }
    );
    return {
      messageId: info.messageId,
      response: String(info.response ?? ''),
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String)
    };
  } catch (error) {
    throw withDirectMailNote(explainSmtpFailure(error as SmtpFailure), connection.directNote);
  } finally {
    smtp.close();
  }
}
