/**
 * The test process's own view of a sandbox mailbox, independent of the extension: an IMAP client
 * (imapflow, app-only token from the sandbox) to see what really arrived, the seeder to put mail
 * there, and `doveadm` to drop a user's IMAP connections.
 */
import fs from 'node:fs';
import { ImapFlow } from 'imapflow';
import { appToken, doveadm, seedFolder, seedHostileMessages, type HostileKind, type SandboxDescription } from '@m365-mail/sandbox';

export interface ArrivedMessage {
  uid: number;
  subject: string;
  messageId?: string;
  source: Buffer;
}

export class SandboxMailbox {
  constructor(
    private readonly sandbox: SandboxDescription,
    readonly user: string
  ) {}

  /** Runs `doveadm -c <the sandbox's config> …args`. */
  doveadm(args: string[]): Promise<string> {
    return doveadm(this.sandbox.mailServers.dovecotConfigPath, args);
  }

  private async withClient<T>(operation: (client: ImapFlow) => Promise<T>): Promise<T> {
    const ca = fs.readFileSync(this.sandbox.caCertPath, 'utf8');
    const { daemonSecret } = this.sandbox.apps;
    const token = await appToken({
      authority: this.sandbox.authorization.authority,
      ca,
      clientId: daemonSecret.clientId,
      clientSecret: daemonSecret.clientSecret
    });
    const client = new ImapFlow({
      host: this.sandbox.imap.host,
      port: this.sandbox.imap.port,
      secure: true,
      auth: { user: this.user, accessToken: token.accessToken },
      tls: { ca },
      logger: false
    });
    await client.connect();
    try {
      return await operation(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  /** Every message of `folder` (default INBOX) whose subject contains `subject`, with its source as IMAP serves it. */
  async find(subject: string, folder = 'INBOX'): Promise<ArrivedMessage[]> {
    return this.withClient(async (client) => {
      const lock = await client.getMailboxLock(folder, { readOnly: true });
      try {
        const uids = (await client.search({ subject }, { uid: true })) || [];
        const found: ArrivedMessage[] = [];
        for (const uid of uids) {
          const message = await client.fetchOne(String(uid), { uid: true, envelope: true, source: true }, { uid: true });
          if (message && message.envelope?.subject?.includes(subject)) {
            found.push({ uid, subject: message.envelope.subject, messageId: message.envelope.messageId, source: message.source as Buffer });
          }
        }
        return found;
      } finally {
        lock.release();
      }
    });
  }

  /** Waits until a message whose subject contains `subject` is in `folder` (Postfix delivers asynchronously). */
  async waitFor(subject: string, timeoutMs = 30_000, folder = 'INBOX'): Promise<ArrivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await this.find(subject, folder);
      if (found.length) return found;
      if (Date.now() > deadline) throw new Error(`no message "${subject}" arrived in ${this.user}'s ${folder} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Appends a message to `folder` over IMAP, as a client filing mail would; resolves its UID. */
  async append(folder: string, source: Buffer | string, date = new Date()): Promise<number> {
    return this.withClient(async (client) => {
      const appended = await client.append(folder, source, [], date);
      if (!appended || !appended.uid) throw new Error(`APPEND to ${folder} gave no UID`);
      return appended.uid;
    });
  }

  /** Fills `folder` with `count` generated messages (the sandbox's seeder), newest first from `startDate`. */
  async seed(folder: string, count: number, startDate = new Date()): Promise<void> {
    await seedFolder({ mailDir: this.sandbox.mailServers.mailDir, user: this.user, folder, count, startDate, doveadm: (args) => this.doveadm(args) });
  }

  /** The number of messages in the INBOX. */
  async count(): Promise<number> {
    return this.withClient(async (client) => {
      const status = await client.status('INBOX', { messages: true });
      if (!status) throw new Error('STATUS INBOX failed');
      return status.messages ?? 0;
    });
  }

  async seedHostile(kinds?: HostileKind[]): Promise<string[]> {
    const result = await seedHostileMessages({
      mailDir: this.sandbox.mailServers.mailDir,
      user: this.user,
      folder: 'INBOX',
      kinds,
      startDate: new Date(),
      doveadm: (args) => this.doveadm(args)
    });
    return result.subjects;
  }

  /** Drops every IMAP connection of the user, as a server restart or a network cut would. */
  async kickImap(): Promise<string> {
    return this.doveadm(['kick', this.user]);
  }
}

/** The body of an RFC 5322 message: everything after the first empty line. */
export function messageBody(source: Buffer): Buffer {
  const crlf = source.indexOf('\r\n\r\n');
  const lf = source.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return source.subarray(crlf + 4);
  return lf >= 0 ? source.subarray(lf + 2) : Buffer.alloc(0);
}
