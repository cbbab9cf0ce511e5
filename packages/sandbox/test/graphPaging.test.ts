/**
 * How the Graph service pages a folder (server/graph/mailStore.ts), seen in the IMAP commands it
 * sends Dovecot: a page fetches a sequence range of its own messages and nothing else, however
 * large the folder, and the page after it starts below the lowest UID shown, so mail that arrives
 * or leaves between two pages neither repeats nor skips a message. Cross-checked with another IMAP
 * client (imapflow) that appends and deletes, and through the Graph endpoint with curl.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';
import { appToken, delegatedToken } from '../src/client/signIn';
import { GRAPH_SCOPES, MAIL_SCOPES, SANDBOX_APPS } from '../src/server/fixtures';
import { MailStore } from '../src/server/graph/mailStore';
import { startSandbox, type Sandbox } from '../src/server/sandbox';
import { seedFolder } from '../src/server/seeder';

const execFileP = promisify(execFile);
const USER = 'adele@contoso.test';
const FOLDER = 'Large';
const COUNT = 3000;
const ENVELOPE = { envelope: true, internalDate: true } as const;

describe('sandbox Microsoft Graph service: paging a large folder', function () {
  this.timeout(120000);
  let sandbox: Sandbox;
  let ca: string;
  let store: MailStore;
  /** The IMAP commands the store sent (imapflow's debug lines from the client side). */
  const commands: string[] = [];

  before(async function () {
    sandbox = await startSandbox();
    ca = readFileSync(sandbox.description.caCertPath, 'utf8');
    await seedFolder({
      mailDir: sandbox.description.mailServers.mailDir,
      user: USER,
      folder: FOLDER,
      count: COUNT,
      doveadm: (args) => sandbox.mail.doveadm(args)
    });
    const record = (entry: { src?: string; msg?: string }) => {
      if (entry.src === 'c' && entry.msg) commands.push(entry.msg);
    };
    store = new MailStore({
      port: sandbox.description.imap.port,
      ca,
      token: () => sandbox.auth.serviceToken(['IMAP.AccessAsApp']),
      logger: { debug: record, info: () => undefined, warn: () => undefined, error: () => undefined }
    });
  });

  after(async function () {
    await store?.close();
    await sandbox?.stop();
  });

  beforeEach(() => {
    commands.length = 0;
  });

  /** The commands that read messages (FETCH, SEARCH, SORT), without their tags. */
  const reads = () => commands.map((c) => c.replace(/^\S+ /, '')).filter((c) => /^(UID )?(FETCH|SEARCH|SORT)\b/i.test(c));

  /** A command up to its message set (a FETCH's data items left out). */
  const range = (command: string) => command.replace(/^(FETCH \S+) .*$/, '$1');

  /** Another client's read-write session on the folder (what a mail program or Postfix would do meanwhile). */
  async function otherClient<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const token = await appToken({ ca, authority: sandbox.description.authorization.authority, ...SANDBOX_APPS.daemonSecret, scopes: [MAIL_SCOPES.appOnly] });
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: sandbox.description.imap.port,
      secure: true,
      tls: { ca },
      auth: { user: USER, accessToken: token.accessToken },
      logger: false
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock(FOLDER);
      try {
        return await work(client);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  }

  it('the first page fetches the newest messages by sequence range and nothing more', async function () {
    const page = await store.page(USER, FOLDER, 10, undefined, ENVELOPE);
    assert.ok(page);
    assert.equal(page.total, COUNT);
    assert.equal(page.older, true);
    assert.equal(page.messages.length, 10);
    assert.deepEqual(reads().map(range), [`FETCH ${COUNT - 9}:${COUNT}`]);
    const dates = page.messages.map((m) => new Date(m.internalDate!).getTime());
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a),
      'newest first'
    );
  });

  it('the next page starts below the lowest UID shown, counting only the messages from there up', async function () {
    const first = await store.page(USER, FOLDER, 10, undefined, ENVELOPE);
    assert.ok(first);
    const lowest = first.messages.at(-1)!;
    commands.length = 0;
    const second = await store.page(USER, FOLDER, 10, lowest.uid, ENVELOPE);
    assert.ok(second);
    assert.deepEqual(reads().map(range), [`SEARCH RETURN (COUNT) UID ${lowest.uid}:4294967295`, `FETCH ${COUNT - 19}:${COUNT - 10}`]);
    assert.ok(second.messages.every((m) => m.uid < lowest.uid));
    assert.ok(new Date(second.messages[0]!.internalDate!).getTime() < new Date(lowest.internalDate!).getTime(), 'older than the page before');
  });

  it('mail that arrives between two pages, or leaves at their boundary, neither repeats nor skips a message', async function () {
    const first = await store.page(USER, FOLDER, 10, undefined, ENVELOPE);
    assert.ok(first);
    const boundary = first.messages.at(-1)!;
    const expected = await store.page(USER, FOLDER, 10, boundary.uid, ENVELOPE);
    assert.ok(expected);

    await otherClient(async (client) => {
      await client.append(FOLDER, `From: megan@contoso.test\r\nTo: ${USER}\r\nSubject: Arrived between pages\r\n\r\nHello\r\n`, [], new Date());
      await client.messageDelete(String(boundary.uid), { uid: true });
    });
    const second = await store.page(USER, FOLDER, 10, boundary.uid, ENVELOPE);
    assert.ok(second);
    assert.deepEqual(
      second.messages.map((m) => m.uid),
      expected.messages.map((m) => m.uid)
    );
    const fresh = await store.page(USER, FOLDER, 10, undefined, ENVELOPE);
    assert.equal(fresh?.messages[0]?.envelope?.subject, 'Arrived between pages');
    assert.equal(fresh?.total, COUNT);
  });

  it('the last page says no older messages follow; a folder that does not exist has no page', async function () {
    const page = await store.page(USER, FOLDER, 10, 6, ENVELOPE);
    assert.ok(page);
    assert.equal(page.older, false);
    assert.deepEqual(
      page.messages.map((m) => m.uid),
      [5, 4, 3, 2, 1]
    );
    assert.equal(await store.page(USER, 'No such folder', 10, undefined, ENVELOPE), undefined);
  });

  it('over Graph (curl), following @odata.nextLink: pages of the large folder, each message once, newest first', async function () {
    const token = await delegatedToken({
      ca,
      authority: sandbox.description.authorization.authority,
      clientId: SANDBOX_APPS.publicClient.clientId,
      scopes: [GRAPH_SCOPES.mailRead],
      user: USER
    });
    const folders = await getJson(token.accessToken, `${sandbox.description.graph.endpoint}/v1.0/me/mailFolders?$top=100`);
    const folder = (folders.value as Array<{ id: string; displayName: string }>).find((f) => f.displayName === FOLDER);
    assert.ok(folder);
    let url: string | undefined =
      `${sandbox.description.graph.endpoint}/v1.0/me/mailFolders/${folder.id}/messages?$select=subject,receivedDateTime&$top=25&$orderby=receivedDateTime%20desc`;
    const seen: Array<{ id: string; receivedDateTime: string }> = [];
    for (let pages = 0; url && pages < 4; pages++) {
      const page = await getJson(token.accessToken, url);
      seen.push(...(page.value as typeof seen));
      url = page['@odata.nextLink'] as string | undefined;
    }
    assert.equal(seen.length, 100);
    assert.equal(new Set(seen.map((m) => m.id)).size, 100);
    const dates = seen.map((m) => Date.parse(m.receivedDateTime));
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a)
    );
  });

  async function getJson(token: string, url: string): Promise<Record<string, unknown>> {
    const { stdout } = await execFileP('curl', [
      '-sS',
      '--fail-with-body',
      '--max-time',
      '30',
      '--cacert',
      sandbox.description.caCertPath,
      '-H',
      `Authorization: Bearer ${token}`,
      url
    ]);
    return JSON.parse(stdout) as Record<string, unknown>;
  }
});
