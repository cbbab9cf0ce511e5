/**
 * The Graph service's view of Dovecot's real store, over IMAP (imapflow): one connection per
 * mailbox, opened with an app-only token the authorization server signs for the sandbox's own
 * services, so whatever IMAP clients append or Postfix delivers is what Graph lists, and what Graph
 * files (Sent Items) is what IMAP sees.
 *
 * Listing newest first (`receivedDateTime desc`, INTERNALDATE) keeps, per folder, the UIDs in that
 * order. It is built once per folder (one FETCH of UID and INTERNALDATE for all messages), then
 * kept current from STATUS: new UIDs are fetched and merged, and anything else (an expunge, a new
 * UIDVALIDITY) rebuilds it. A page then costs one STATUS and one FETCH of its own messages, however
 * large the folder.
 */
import { ImapFlow, type FetchMessageObject, type FetchQueryObject } from 'imapflow';

export interface MailStoreOptions {
  port: number;
  ca: string;
  /** A fresh app-only token with IMAP.AccessAsApp for logging in as any mailbox. */
  token: () => string;
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

interface Order {
  uidValidity: number;
  uidNext: number;
  /** (INTERNALDATE ms, UID), newest first. */
  entries: Array<{ t: number; uid: number }>;
}

const byNewest = (a: { t: number; uid: number }, b: { t: number; uid: number }) => b.t - a.t || b.uid - a.uid;

export class MailStore {
  private readonly clients = new Map<string, Promise<ImapFlow>>();
  private readonly orders = new Map<string, Order>();
  private readonly building = new Map<string, Promise<Order>>();

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
        logger: false,
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

  /** Runs `work` with the folder selected (read-only: fetching a body never marks it read). */
  private async inFolder<T>(mailbox: string, folder: string, work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = await this.client(mailbox);
    const lock = await client.getMailboxLock(folder, { readOnly: true });
    try {
      return await work(client);
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

  /** STATUS of one folder, or undefined when it does not exist. */
  async status(mailbox: string, folder: string): Promise<{ messages: number; unseen: number; uidNext: number; uidValidity: number } | undefined> {
    const client = await this.client(mailbox);
    const st = await client.status(folder, { messages: true, unseen: true, uidNext: true, uidValidity: true }).catch(() => false as const);
    if (!st) return undefined;
    return { messages: st.messages ?? 0, unseen: st.unseen ?? 0, uidNext: st.uidNext ?? 0, uidValidity: Number(st.uidValidity ?? 0) };
  }

  /** One page of the folder newest first: the UIDs at [offset, offset + top), the total, and the UIDVALIDITY. */
  async page(mailbox: string, folder: string, offset: number, top: number): Promise<{ uids: number[]; total: number; uidValidity: number } | undefined> {
    const st = await this.status(mailbox, folder);
    if (!st) return undefined;
    const order = await this.order(mailbox, folder, st);
    return { uids: order.entries.slice(offset, offset + top).map((e) => e.uid), total: order.entries.length, uidValidity: order.uidValidity };
  }

  private order(mailbox: string, folder: string, st: { messages: number; uidNext: number; uidValidity: number }): Promise<Order> {
    const key = `${mailbox.toLowerCase()}\n${folder}`;
    const known = this.orders.get(key);
    if (known && known.uidValidity === st.uidValidity && known.uidNext === st.uidNext && known.entries.length === st.messages) {
      return Promise.resolve(known);
    }
    // One rebuild at a time per folder; concurrent pages wait for it.
    let pending = this.building.get(key);
    if (!pending) {
      pending = this.inFolder(mailbox, folder, async (client) => {
        const stamp = (m: FetchMessageObject) => ({
          t: (m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0)).getTime(),
          uid: m.uid
        });
        const box = client.mailbox;
        const uidValidity = box ? Number(box.uidValidity) : st.uidValidity;
        const uidNext = box ? box.uidNext : st.uidNext;
        const exists = box ? box.exists : st.messages;
        let entries: Order['entries'] | undefined;
        if (known && known.uidValidity === uidValidity && uidNext > known.uidNext) {
          // `N:*` also matches the highest UID when N is above it: keep the new ones only.
          const added = (await client.fetchAll(`${known.uidNext}:*`, { uid: true, internalDate: true }, { uid: true })).filter((m) => m.uid >= known.uidNext);
          if (known.entries.length + added.length === exists) entries = [...known.entries, ...added.map(stamp)].sort(byNewest);
        }
        entries ??= exists === 0 ? [] : (await client.fetchAll('1:*', { uid: true, internalDate: true }, { uid: true })).map(stamp).sort(byNewest);
        const order = { uidValidity, uidNext, entries };
        this.orders.set(key, order);
        return order;
      }).finally(() => this.building.delete(key));
      this.building.set(key, pending);
    }
    return pending;
  }

  /** The messages with these UIDs, in the order given (missing ones left out). */
  async summaries(mailbox: string, folder: string, uids: number[], query: FetchQueryObject): Promise<FetchMessageObject[]> {
    if (uids.length === 0) return [];
    const found = await this.inFolder(mailbox, folder, (client) => client.fetchAll(uids.join(','), { ...query, uid: true }, { uid: true }));
    const byUid = new Map(found.map((m) => [m.uid, m]));
    return uids.map((u) => byUid.get(u)).filter((m): m is FetchMessageObject => !!m);
  }

  /** One message with its source, or undefined when the folder or message is gone (or UIDVALIDITY changed). */
  async message(mailbox: string, folder: string, uidValidity: number, uid: number): Promise<FetchMessageObject | undefined> {
    const st = await this.status(mailbox, folder);
    if (!st || st.uidValidity !== uidValidity) return undefined;
    const found = await this.inFolder(mailbox, folder, (client) =>
      client.fetchOne(String(uid), { uid: true, source: true, internalDate: true, flags: true, size: true }, { uid: true })
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
