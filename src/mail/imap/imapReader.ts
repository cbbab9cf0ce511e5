/**
 * The inbox preview's {@link MailboxReader} over IMAP: one {@link ImapSession}, opened on first use
 * with a fresh token and opened again once when the connection dropped (imapflow does not
 * reconnect; every call here only reads, so repeating it is safe). No `vscode` import.
 */
import { M365MailError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { MailboxReader, MessagePage, OpenedMessage, PageContinuation } from '../../core/mailboxReader';
import { ImapSession } from './imapSession';
import { parseForPreview } from './messagePreview';

export interface ImapReaderOptions {
  host: string;
  port: number;
  /** The XOAUTH2 `user=`: the mailbox, or the shared mailbox a delegate opens. */
  user: string;
  /** Asked each time a session opens. */
  getAccessToken: () => Promise<string>;
  extraCaCertificates: readonly string[];
  logger: Logger;
  /** Told when a dropped connection is being opened again. */
  onReconnecting?: () => void;
  /** See ImapConnection.directNote. */
  directNote?: string;
}

export class ImapMailboxReader implements MailboxReader {
  readonly idKind = 'imapUid' as const;
  readonly server: string;
  private session: ImapSession | undefined;
  /**
   * The session being opened. The page asks for several things at once (the folder list and a
   * page; a message while a page loads): they all wait for this one connection rather than each
   * opening its own and leaving the others behind, unclosed.
   */
  private opening: Promise<ImapSession> | undefined;

  constructor(private readonly options: ImapReaderOptions) {
    this.server = options.host;
  }

  private open(): Promise<ImapSession> {
    if (this.session?.usable) return Promise.resolve(this.session);
    this.opening ??= this.connect().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async connect(): Promise<ImapSession> {
    void this.session?.close();
    this.session = undefined;
    const { host, port, user, extraCaCertificates, logger, directNote } = this.options;
    this.session = await ImapSession.open({ host, port, user, accessToken: await this.options.getAccessToken(), extraCaCertificates, logger, directNote });
    return this.session;
  }

  private async withSession<T>(operation: (session: ImapSession) => Promise<T>): Promise<T> {
    const session = await this.open();
    try {
      return await operation(session);
    } catch (error) {
      // Whatever the error says, a session that is no longer usable was dropped under the call (a
      // server restart, an idle kick noticed only now): imapflow then fails the pending command with
      // its own error, not always a network one. The calls it failed at once share one new session.
      if (!session.usable && !(error instanceof M365MailError && error.code === 'cancelled')) {
        this.options.onReconnecting?.();
        this.options.logger.warn(`[imap] connection to ${this.options.host} dropped; reconnecting once`);
        if (this.session === session) this.session = undefined;
        return operation(await this.open());
      }
      throw error;
    }
  }

  async folders(): Promise<{ folders: Array<{ path: string; label: string; specialUse?: string }>; inbox: string }> {
    const folders = await this.withSession((s) => s.folders());
    return { folders: folders.map((f) => ({ path: f.path, label: f.path, specialUse: f.specialUse })), inbox: 'INBOX' };
  }

  async page(folder: string, pageSize: number, after?: PageContinuation): Promise<MessagePage> {
    const endSeq = after?.kind === 'imap' ? after.endSeq : undefined;
    const page = await this.withSession((s) => s.envelopes(folder, pageSize, endSeq));
    return {
      folder,
      total: page.total,
      envelopes: page.envelopes,
      next: page.firstSeq > 1 && page.envelopes.length ? { kind: 'imap', endSeq: page.firstSeq - 1 } : undefined
    };
  }

  async source(folder: string, id: string, maxBytes: number): Promise<Buffer> {
    return this.withSession((s) => s.source(folder, Number(id), maxBytes));
  }

  async message(folder: string, id: string, maxBytes: number): Promise<OpenedMessage> {
    return parseForPreview(await this.source(folder, id, maxBytes));
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await session?.close();
  }
}
