/**
 * IMAP over implicit TLS with SASL XOAUTH2, through imapflow. Reads only what a preview needs:
 * the folder list, a page of envelopes of the newest messages by sequence range (a fixed number of
 * messages whatever the folder's size; never the whole folder), and one message's source by UID.
 * Folders are opened read-only, so previewing never marks mail as seen. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { ImapFlow } from 'imapflow';
import { M365MailError } from '../../core/errors';
import type { EnvelopeSummary } from '../../core/messageView';
import { validateFolderName } from '../../core/validation';
import { explainImapFailure, type ImapFailure } from '../mailErrors';
import type { Logger } from '../../core/logger';
import { libraryLogger } from '../mailLogger';
import { withDirectMailNote } from '../../net/proxyErrors';
import { tlsOptions } from '../../net/tlsContext';

export interface ImapConnection {
  host: string;
  port: number;
  /** The XOAUTH2 `user=`: the mailbox (a shared mailbox for a delegate). */
  user: string;
  accessToken: string;
  extraCaCertificates: readonly string[];
  logger: Logger;
  timeoutMs?: number;
  /** Added to a refused, timed-out or reset connection: an HTTPS proxy is configured, which IMAP does not use (net/proxyErrors.ts). */
  directNote?: string;
}

export interface FolderInfo {
  path: string;
  name: string;
  delimiter: string;
  specialUse?: string;
}

export interface EnvelopePage {
  folder: string;
  total: number;
  /** Sequence number of the oldest message on this page; the next page ends just before it. */
  firstSeq: number;
  envelopes: EnvelopeSummary[];
}

function address(list: Array<{ name?: string; address?: string }> | undefined): string | undefined {
  if (!list?.length) return undefined;
  return list.map((a) => (a.name ? `${a.name} <${a.address ?? ''}>` : (a.address ?? ''))).join(', ');
}

function hasAttachment(structure: { disposition?: string; childNodes?: unknown[] } | undefined): boolean {
  if (!structure) return false;
  if (structure.disposition === 'attachment') return true;
  return (structure.childNodes ?? []).some((c) => hasAttachment(c as { disposition?: string; childNodes?: unknown[] }));
}

export class ImapSession {
  /**
   * Rejects when the connection closes. imapflow does not always fail the call in flight then (a
   * message download's stream, a mailbox lock still being taken were seen to wait on): every call
   * races it, so a dropped connection ends the call and the reader can reconnect.
   */
  private readonly closed: Promise<never>;

  private constructor(private readonly client: ImapFlow) {
    this.closed = new Promise<never>((_, reject) => {
      client.once('close', () => reject(Object.assign(new Error('The connection to the IMAP server was closed.'), { code: 'NoConnection' })));
    });
    // Nobody may be waiting when it closes (between calls): that is not an unhandled rejection.
    this.closed.catch(() => undefined);
  }

  static async open(connection: ImapConnection): Promise<ImapSession> {
    const timeout = connection.timeoutMs ?? 30_000;
    const client = new ImapFlow({
      host: connection.host,
      port: connection.port,
      secure: true,
      auth: { user: connection.user, accessToken: connection.accessToken },
      tls: tlsOptions(connection.extraCaCertificates),
      // Below Trace, imapflow logs nothing at all: building its per-line log records costs more
      // than the page it fetches. Failures still reach the log through 'error' and the callers.
      logger: (connection.logger.traceEnabled?.() === false ? false : libraryLogger(connection.logger, '[imap]')) as never,
      disableAutoIdle: true,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: Math.max(timeout, 120_000)
    });
    // A dropped connection surfaces as the next command's error; without a listener it would crash the host.
    client.on('error', (error: Error) => connection.logger.warn(`[imap] connection error: ${error.message}`));
    try {
      await client.connect();
    } catch (error) {
      throw withDirectMailNote(explainImapFailure(error as ImapFailure), connection.directNote);
    }
    return new ImapSession(client);
  }

  get usable(): boolean {
    return this.client.usable;
  }

  async folders(): Promise<FolderInfo[]> {
    return this.run(async () => {
      const list = await this.client.list();
      return list.map((f) => ({ path: f.path, name: f.name, delimiter: f.delimiter, specialUse: f.specialUse || undefined }));
    });
  }

  /** The `pageSize` newest messages ending at sequence `endSeq` (default: the newest). */
  async envelopes(folder: string, pageSize: number, endSeq?: number): Promise<EnvelopePage> {
    checkFolder(folder);
    return this.run(async () => {
      const lock = await this.client.getMailboxLock(folder, { readOnly: true });
      try {
        const mailbox = this.client.mailbox;
        const total = mailbox ? mailbox.exists : 0;
        const end = Math.min(endSeq ?? total, total);
        if (end < 1) return { folder, total, firstSeq: 1, envelopes: [] };
        const start = Math.max(1, end - pageSize + 1);
        const fetched: Array<{ seq: number; envelope: EnvelopeSummary }> = [];
        for await (const message of this.client.fetch(`${start}:${end}`, { uid: true, envelope: true, flags: true, size: true, bodyStructure: true })) {
          fetched.push({
            seq: message.seq,
            envelope: {
              id: String(message.uid),
              date: message.envelope?.date ? new Date(message.envelope.date).toISOString() : undefined,
              subject: message.envelope?.subject,
              from: address(message.envelope?.from),
              to: address(message.envelope?.to),
              size: message.size,
              seen: message.flags?.has('\\Seen') ?? false,
              hasAttachments: hasAttachment(message.bodyStructure as never)
            }
          });
        }
        const envelopes = fetched.sort((a, b) => b.seq - a.seq).map((f) => f.envelope);
        return { folder, total, firstSeq: start, envelopes };
      } finally {
        lock.release();
      }
    });
  }

  /** The raw RFC 5322 source of one message, refused above `maxBytes`. */
  async source(folder: string, uid: number, maxBytes: number): Promise<Buffer> {
    checkFolder(folder);
    return this.run(async () => {
      const lock = await this.client.getMailboxLock(folder, { readOnly: true });
      try {
        const message = await this.client.fetchOne(String(uid), { uid: true, size: true }, { uid: true });
        if (!message) throw explainImapFailure({ message: l10n.t('Message {0} is no longer in {1}.', uid, folder) });
        if ((message.size ?? 0) > maxBytes) {
          throw explainImapFailure({ message: l10n.t('The message is {0} bytes, over the preview limit of {1}.', message.size ?? 0, maxBytes) });
        }
        const download = await this.client.download(String(uid), undefined, { uid: true });
        const chunks: Buffer[] = [];
        for await (const chunk of download.content ?? []) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks);
      } finally {
        lock.release();
      }
    });
  }

  async close(): Promise<void> {
    try {
      await this.client.logout();
    } catch {
      this.client.close();
    }
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await Promise.race([operation(), this.closed]);
    } catch (error) {
      if (error instanceof M365MailError) throw error;
      throw explainImapFailure(error as ImapFailure);
    }
  }
}

/** A folder name with a line break or NUL could end the IMAP command early: refused before imapflow sees it. */
function checkFolder(folder: string): void {
  const problem = validateFolderName(folder);
  if (problem) throw new M365MailError('imap.invalid_folder', problem);
}
