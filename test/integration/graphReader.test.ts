/**
 * The inbox preview's Microsoft Graph reader (src/mail/graph/graphReader.ts) against the sandbox's
 * Graph service, with tokens from the auth engine: the folder list, the newest page and the next
 * one through `@odata.nextLink`, a message opened with its HTML and attachments, its MIME through
 * `$value` byte for byte as IMAP holds it, and a shared mailbox through `/users/{shared}`.
 */
import * as assert from 'node:assert/strict';
import type { AuthService } from '../../src/auth/authService';
import type { PageContinuation } from '../../src/core/mailboxReader';
import type { CredentialDefinition } from '../../src/core/model';
import { M365MailError } from '../../src/core/errors';
import { GraphMailboxReader } from '../../src/mail/graph/graphReader';
import { useSandboxAuth } from '../support/sandboxAuth';
import { SandboxMailbox } from '../support/sandboxMailbox';

describe('inbox preview over Microsoft Graph against the sandbox', function () {
  this.timeout(90_000);
  const env = useSandboxAuth();

  const reader = (auth: AuthService, def: CredentialDefinition, requests?: string[]) =>
    new GraphMailboxReader({
      graphEndpoint: env.sandbox.description.graph.endpoint,
      getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
      extraCaCertificates: [env.ca],
      logger: env.logger,
      mailbox: def.sharedMailbox ?? def.userName ?? '',
      appOnly: false,
      onRequest: requests ? (method, url) => requests.push(`${method} ${url}`) : undefined
    });

  const signedIn = async (id: 'sandbox-adele' | 'sandbox-orders') => {
    const auth = env.engine();
    const def = env.credential(id, { sendTransport: 'graph', readTransport: 'graph' });
    await env.signIn(auth, def);
    return { auth, def };
  };

  it('lists folders, the newest page, and page 2 by following @odata.nextLink as given', async () => {
    const mailbox = new SandboxMailbox(env.sandbox.description, 'adele@contoso.test');
    const folder = `Paging ${Math.random().toString(36).slice(2, 8)}`;
    await mailbox.seed(folder, 30);
    const { auth, def } = await signedIn('sandbox-adele');
    const requests: string[] = [];
    const graph = reader(auth, def, requests);

    const { folders, inbox } = await graph.folders();
    const labels = folders.map((f) => f.label);
    for (const name of ['Inbox', 'Sent Items', folder]) assert.ok(labels.includes(name), `${name} in ${labels.join(', ')}`);
    assert.equal(folders.find((f) => f.label === 'Inbox')?.path, inbox, 'the inbox is named by its ID');
    const paging = folders.find((f) => f.label === folder);
    assert.ok(paging);

    const first = await graph.page(paging.path, 20);
    assert.equal(first.total, 30);
    assert.equal(first.envelopes.length, 20);
    assert.ok(first.next?.kind === 'graph', 'a next page');
    const listing = requests.find((r) => r.includes('/messages?'));
    assert.ok(listing, requests.join('\n'));
    const query = new URL(listing.slice(listing.indexOf(' ') + 1)).searchParams;
    assert.equal(query.get('$top'), '20');
    assert.equal(query.get('$orderby'), 'receivedDateTime desc');
    assert.match(query.get('$select') ?? '', /subject/);
    assert.doesNotMatch(query.get('$select') ?? '', /body/, 'a listing asks no bodies');

    requests.length = 0;
    const second = await graph.page(paging.path, 20, first.next as PageContinuation);
    assert.deepEqual(
      requests.map((r) => r.slice(r.indexOf(' ') + 1)),
      [(first.next as { nextLink: string }).nextLink],
      'page 2 is the nextLink itself, nothing built here'
    );
    assert.equal(second.envelopes.length, 10);
    assert.equal(second.next, undefined, 'the last page');
    const all = [...first.envelopes, ...second.envelopes];
    assert.equal(new Set(all.map((e) => e.id)).size, 30, 'each message once');
    const dates = all.map((e) => Date.parse(e.date ?? ''));
    assert.deepEqual(
      dates,
      [...dates].sort((a, b) => b - a),
      'newest first'
    );
    assert.ok(!requests.concat(env.logger.lines).some((line) => /\$skip=/.test(line)), 'never a $skip');
  });

  it('opens a message with its HTML and attachment list, and $value is its MIME byte for byte', async () => {
    const mailbox = new SandboxMailbox(env.sandbox.description, 'adele@contoso.test');
    const subject = `Graph preview ${Math.random().toString(36).slice(2, 8)}`;
    const boundary = 'b1';
    const source = [
      'From: Megan <megan@contoso.test>',
      'To: adele@contoso.test',
      'Cc: lee@contoso.test',
      `Subject: ${subject}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>Hello <b>Adele</b><script>alert(1)</script></p>',
      `--${boundary}`,
      'Content-Type: text/csv; name="orders.csv"',
      'Content-Disposition: attachment; filename="orders.csv"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('id,total\n1,42\n').toString('base64'),
      `--${boundary}--`,
      ''
    ].join('\r\n');
    // Dated ahead, so it is the newest whatever else the inbox holds.
    await mailbox.append('INBOX', source, new Date(Date.now() + 3_600_000));
    const { auth, def } = await signedIn('sandbox-adele');
    const graph = reader(auth, def);
    const { inbox } = await graph.folders();
    const [newest] = (await graph.page(inbox, 5)).envelopes;
    assert.equal(newest.subject, subject);
    assert.equal(newest.hasAttachments, true);
    assert.match(newest.from ?? '', /megan@contoso\.test/);

    const opened = await graph.message(inbox, newest.id, 25 * 1024 * 1024);
    assert.equal(opened.subject, subject);
    assert.match(opened.cc ?? '', /lee@contoso\.test/);
    // Unsanitized here: the webview's sanitizer (the same as for IMAP) removes the script.
    assert.match(opened.html ?? '', /<b>Adele<\/b>/);
    assert.deepEqual(opened.attachments, [{ filename: 'orders.csv', contentType: 'text/csv', size: 14 }]);

    const mime = await graph.source(inbox, newest.id, 25 * 1024 * 1024);
    assert.equal(mime.toString('latin1'), source);
    await assert.rejects(graph.source(inbox, newest.id, 100), (error: M365MailError) => error.code === 'graph.too_large');
  });

  it('reads a shared mailbox through /users/{shared}, as its delegate', async () => {
    const subject = `Graph shared ${Math.random().toString(36).slice(2, 8)}`;
    await new SandboxMailbox(env.sandbox.description, 'orders@contoso.test').append(
      'INBOX',
      `From: adele@contoso.test\r\nTo: orders@contoso.test\r\nSubject: ${subject}\r\n\r\nFor the shared mailbox.\r\n`,
      new Date(Date.now() + 3_600_000)
    );
    const { auth, def } = await signedIn('sandbox-orders');
    const requests: string[] = [];
    const graph = reader(auth, def, requests);
    const { inbox } = await graph.folders();
    const [newest] = (await graph.page(inbox, 5)).envelopes;
    assert.equal(newest.subject, subject);
    const opened = await graph.message(inbox, newest.id, 1024 * 1024);
    assert.match(opened.text ?? '', /For the shared mailbox\./);
    assert.ok(
      requests.every((r) => r.includes('/v1.0/users/orders%40contoso.test/')),
      requests.join('\n')
    );
  });

  it('a mailbox Graph does not serve is the typed MailboxNotEnabledForRESTAPI error', async () => {
    const { auth, def } = await signedIn('sandbox-adele');
    await env.sandbox.control.disableGraphMailbox('adele@contoso.test');
    await assert.rejects(reader(auth, def).folders(), (error: M365MailError) => {
      assert.equal(error.code, 'graph.MailboxNotEnabledForRESTAPI');
      assert.ok(error.options.nextStep);
      return true;
    });
  });
});
