/**
 * The Graph service's view of Dovecot's real store, over IMAP (imapflow): one connection per
 * mailbox, opened with an app-only token the authorization server signs for the sandbox's own
 * services, so whatever IMAP clients append or Postfix delivers is what Graph lists, and what Graph
 * files (Sent Items) is what IMAP sees.
 *
 * Listing newest first (`receivedDateTime desc`) is the order messages reached the folder, newest
 * first: Exchange's receivedDateTime is when a message reached the mailbox, and IMAP numbers a
 * folder's messages in the order they arrived (sequence numbers). So a page is one FETCH of a
 * sequence range of its own messages, and the page after it starts below the lowest UID it showed
 * (an `ESEARCH COUNT` of the messages from that UID up, which reads no more than the pages
 * before): its cost does not grow with the folder, as Graph's own listing does not. Sorting by
 * INTERNALDATE (IMAP SORT, or reading every message's date) would cost the whole folder on every
 * page. receivedDateTime shows INTERNALDATE, which follows the arrival order for delivered mail,
 * Graph's own Sent Items copies and seeded folders (the seeder names files by date, and Dovecot
 * numbers new Maildir files in that order); a message appended with an older date keeps its place
 * of arrival.
 */
import { ImapFlow, type FetchMessageObject, type FetchQueryObject, type ImapFlowOptions, type MailboxObject } from 'imapflow';

export interface MailStoreOptions {
  port: number;
  ca: string;
  /** A fresh app-only token with IMAP.AccessAsApp for logging in as any mailbox. */
  token: () => string;
  /** imapflow's logger (commands at debug level); none by default. */
  logger?: ImapFlowOptions['logger'];
}

export interface FolderInfo {
  path: string;
  name: string;
  parentPath: string;
  specialUse?: string;
  total: number;
  unread: number;
  children: number;
}

/** One page of a folder, newest first. */
export interface FolderPage {
  messages: FetchMessageObject[];
  /** Messages in the folder. */
  total: number;
  uidValidity: number;
  /** Whether older messages follow (below the lowest UID of this page). */
  older: boolean;
}

/** The highest UID IMAP allows (RFC 3501 section 2.3.1.1): `N:MAX_UID` is every UID from N up, never `*`'s highest message. */
const MAX_UID = 4294967295;

export class MailStore {
  private readonly clients = new Map<string, Promise<ImapFlow>>();

  constructor(private readonly options: MailStoreOptions) {}

  /** The mailbox's IMAP connection (opened on first use, again after it closed). */
  private client(mailbox: string): Promise<ImapFlow> {
    const key = mailbox.toLowerCase();
    let client = this.clients.get(key);
    if (!client) {
      const flow = new ImapFlow({
        host: '127.0.0.1',
        port: this.options.port,
        secure: true,
        tls: { ca: this.options.ca },
        auth: { user: key, accessToken: this.options.token() },
        logger: this.options.logger ?? false,
        disableAutoIdle: true
      });
      flow.on('error', () => undefined);
      flow.on('close', () => {
        if (this.clients.get(key) === client) this.clients.delete(key);
      });
      client = flow.connect().then(() => flow);
      client.catch(() => this.clients.delete(key));
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Runs `work` with the folder selected (read-only: fetching a body never marks it read) and in
   * step with it; undefined when the folder does not exist.
   */
  private async inFolder<T>(mailbox: string, folder: string, work: (client: ImapFlow, box: MailboxObject) => Promise<T>): Promise<T | undefined> {
    const client = await this.client(mailbox);
    let lock: Awaited<ReturnType<ImapFlow['getMailboxLock']>>;
    try {
      lock = await client.getMailboxLock(folder, { readOnly: true });
    } catch (error) {
      if ((error as { mailboxMissing?: boolean }).mailboxMissing) return undefined;
      throw error;
    }
    try {
      // The folder may have stayed selected since an earlier request: hear what arrived or left since.
      await client.noop();
      if (!client.mailbox) throw new Error(`${folder} is no longer selected`);
      return await work(client, client.mailbox);
    } finally {
      lock.release();
    }
  }

  async folders(mailbox: string): Promise<FolderInfo[]> {
    const client = await this.client(mailbox);
    const list = await client.list({ statusQuery: { messages: true, unseen: true } });
    return list.map((f) => ({
      path: f.path,
      name: f.path === 'INBOX' ? 'Inbox' : f.name,
      parentPath: f.parentPath,
      specialUse: f.specialUse,
      total: f.status?.messages ?? 0,
      unread: f.status?.unseen ?? 0,
      children: list.filter((c) => c.parentPath === f.path).length
    }));
  }

  /**
   * Up to `top` messages of the folder, newest first: the newest ones, or those below `belowUid`
   * (the lowest UID of the page before); undefined when the folder does not exist.
   */
  async page(mailbox: string, folder: string, top: number, belowUid: number | undefined, query: FetchQueryObject): Promise<FolderPage | undefined> {
    return this.inFolder(mailbox, folder, async (client, box) => {
      const newer = belowUid === undefined ? 0 : await this.countFrom(client, belowUid);
      const end = box.exists - newer;
      const start = Math.max(1, end - top + 1);
      const messages = end < 1 ? [] : await client.fetchAll(`${start}:${end}`, { ...query, uid: true });
      return { messages: messages.sort((a, b) => b.seq - a.seq), total: box.exists, uidValidity: Number(box.uidValidity), older: start > 1 };
    });
  }

  /** How many messages of the selected folder have a UID of `uid` or above. */
  private async countFrom(client: ImapFlow, uid: number): Promise<number> {
    const found = await client.search({ uid: `${uid}:${MAX_UID}` }, { returnOptions: ['COUNT'] });
    if (!found) throw new Error('the IMAP server refused SEARCH');
    return Array.isArray(found) ? found.length : (found.count ?? 0);
  }

  /** One message with its source, or undefined when the folder or message is gone (or UIDVALIDITY changed). */
  async message(mailbox: string, folder: string, uidValidity: number, uid: number): Promise<FetchMessageObject | undefined> {
    const found = await this.inFolder(mailbox, folder, async (client, box) =>
      Number(box.uidValidity) === uidValidity
        ? client.fetchOne(String(uid), { uid: true, source: true, internalDate: true, flags: true, size: true }, { uid: true })
        : false
    );
    return found || undefined;
  }

  /** Files a message into a folder (as Exchange files a sent message in Sent Items); where it went (Dovecot has UIDPLUS). */
  async append(mailbox: string, folder: string, raw: Buffer, flags: string[]): Promise<{ uid: number; uidValidity: number }> {
    const client = await this.client(mailbox);
    const appended = await client.append(folder, raw, flags, new Date());
    if (!appended || appended.uid === undefined || appended.uidValidity === undefined) throw new Error(`the append to ${folder} reported no UID`);
    return { uid: appended.uid, uidValidity: Number(appended.uidValidity) };
  }

  /** Removes one message from a folder for good (a draft replaced, sent or deleted). */
  async remove(mailbox: string, folder: string, uid: number): Promise<void> {
    const client = await this.client(mailbox);
    const lock = await client.getMailboxLock(folder);
    try {
      await client.messageDelete(String(uid), { uid: true });
    } finally {
      lock.release();
    }
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((c) => c.then((flow) => flow.logout()).catch(() => undefined)));
  }
}
