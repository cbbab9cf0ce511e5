/**
 * The sandbox's Microsoft Graph service, driven by the official Graph SDK
 * (@microsoft/microsoft-graph-client) as an independent client, with tokens from the sandbox's
 * authorization server through the real sign-in pages (client/signIn.ts), and cross-checked with
 * `curl` and over IMAP (imapflow): a sendMail arrives in the recipient's inbox and in the sender's
 * Sent Items, a message appended over IMAP is listed over Graph, and a draft with attachments
 * uploaded through an upload session (the SDK's LargeFileUploadTask) arrives byte for byte.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Client, FileUpload, GraphError, HTTPMessageHandler, LargeFileUploadTask, PageIterator } from '@microsoft/microsoft-graph-client';
import type { Message, User } from '@microsoft/microsoft-graph-types';
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer';
import { simpleParser } from 'mailparser';
import { appToken, delegatedToken } from '../src/client/signIn';
import { SandboxControlClient } from '../src/controlClient';
import { GRAPH_SCOPES, MAIL_SCOPES, SANDBOX_APPS } from '../src/server/fixtures';
import { startSandbox, type Sandbox } from '../src/server/sandbox';
import { seedFolder } from '../src/server/seeder';

const execFileP = promisify(execFile);

interface CurlResult {
  status: number;
  headers: Record<string, string>;
  body: string;
}

describe('sandbox Microsoft Graph service', function () {
  this.timeout(120000);
  let sandbox: Sandbox;
  let ca: string;
  let control: SandboxControlClient;
  let tmp: string;
  const tokens = new Map<string, string>();

  before(async function () {
    sandbox = await startSandbox();
    ca = readFileSync(sandbox.description.caCertPath, 'utf8');
    control = new SandboxControlClient(sandbox.description);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'm365-graph-test-'));
    // The SDK calls the global fetch, which takes no CA per request: trust the sandbox CA in this test process.
    // (Node 22.19 / 24.5 and later; the typings of the oldest supported Node lack it.)
    const caStore = tls as unknown as { setDefaultCACertificates(certs: string[]): void; getCACertificates(which: 'default'): string[] };
    caStore.setDefaultCACertificates([...caStore.getCACertificates('default'), ca]);
  });

  after(async function () {
    await sandbox?.stop();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  afterEach(async function () {
    await control.clearGraphFaults();
    if (this.currentTest?.state === 'failed') {
      console.error((await fs.readFile(path.join(sandbox.description.dir, 'graph.log'), 'utf8').catch(() => '')).split('\n').slice(-20).join('\n'));
    }
  });

  /** A delegated Graph token of the public client (cached per user and scopes). */
  async function userToken(user: string, scopes: string[] = [GRAPH_SCOPES.mailSend, GRAPH_SCOPES.mailRead, GRAPH_SCOPES.userRead]): Promise<string> {
    const key = `${user} ${scopes.join(' ')}`;
    if (!tokens.has(key)) {
      const t = await delegatedToken({
        ca,
        authority: sandbox.description.authorization.authority,
        clientId: SANDBOX_APPS.publicClient.clientId,
        scopes,
        user
      });
      tokens.set(key, t.accessToken);
    }
    return tokens.get(key)!;
  }

  async function daemonToken(scope: string = GRAPH_SCOPES.appOnly): Promise<string> {
    const t = await appToken({
      ca,
      authority: sandbox.description.authorization.authority,
      clientId: SANDBOX_APPS.daemonSecret.clientId,
      clientSecret: SANDBOX_APPS.daemonSecret.clientSecret,
      scopes: [scope]
    });
    return t.accessToken;
  }

  function graph(token: string): Client {
    return Client.init({
      authProvider: (done) => done(null, token),
      baseUrl: `${sandbox.description.graph.endpoint}/`,
      customHosts: new Set(['127.0.0.1'])
    });
  }

  async function graphError(promise: Promise<unknown>): Promise<GraphError> {
    try {
      await promise;
    } catch (err) {
      assert.ok(err instanceof GraphError, `expected a GraphError, got ${String(err)}`);
      return err;
    }
    assert.fail('expected a Graph error');
  }

  async function curl(args: string[]): Promise<CurlResult> {
    const headerFile = path.join(tmp, `headers-${Date.now()}-${Math.random()}`);
    const { stdout } = await execFileP('curl', ['-sS', '--max-time', '30', '--cacert', sandbox.description.caCertPath, '-D', headerFile, ...args], {
      maxBuffer: 32 * 1024 * 1024
    }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    // The last header block: a large upload first gets `100 Continue`.
    const blocks = (await fs.readFile(headerFile, 'utf8')).split('\r\n\r\n').filter((b) => b.startsWith('HTTP/'));
    const lines = (blocks.at(-1) ?? '').split('\r\n');
    const status = Number(/^HTTP\/[\d.]+ (\d+)/.exec(lines[0] ?? '')?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
    }
    return { status, headers, body: stdout };
  }

  /** The mailbox over IMAP, logged in with an app-only Exchange token (an independent path to Dovecot). */
  async function imap(mailbox: string): Promise<ImapFlow> {
    const token = await daemonToken(MAIL_SCOPES.appOnly);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: sandbox.description.imap.port,
      secure: true,
      tls: { ca },
      auth: { user: mailbox, accessToken: token },
      logger: false
    });
    await client.connect();
    return client;
  }

  /** Waits (bounded) until a message with this subject is in the folder; resolves its UID. */
  async function arrival(client: ImapFlow, folder: string, subject: string): Promise<number> {
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      const lock = await client.getMailboxLock(folder);
      try {
        const found = await client.search({ subject }, { uid: true });
        if (found && found.length) return found[0];
      } finally {
        lock.release();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`no message "${subject}" in ${folder} within 30 s`);
  }

  describe('users', function () {
    it('GET /users/{upn}, /users/{id} and /me; an unknown user is Request_ResourceNotFound', async function () {
      const client = graph(await userToken('adele@contoso.test'));
      const byUpn = (await client.api('/users/adele@contoso.test').get()) as User;
      assert.equal(byUpn.displayName, 'Adele Vance');
      assert.equal(byUpn.mail, 'adele@contoso.test');
      assert.equal(byUpn.userPrincipalName, 'adele@contoso.test');
      const byId = (await client.api(`/users/${byUpn.id}`).get()) as User;
      assert.equal(byId.userPrincipalName, 'adele@contoso.test');
      assert.equal(((await client.api('/me').get()) as User).id, byUpn.id);
      const unknown = await graphError(client.api('/users/nobody@contoso.test').get());
      assert.equal(unknown.statusCode, 404);
      assert.equal(unknown.code, 'Request_ResourceNotFound');
    });

    it('answers with request-id on success and Graph’s error shape with innerError on failure (curl)', async function () {
      const ok = await curl(['-H', `Authorization: Bearer ${await userToken('adele@contoso.test')}`, `${sandbox.description.graph.endpoint}/v1.0/me`]);
      assert.equal(ok.status, 200);
      assert.match(ok.headers['request-id'] ?? '', /^[0-9a-f-]{36}$/);
      const refused = await curl([`${sandbox.description.graph.endpoint}/v1.0/me`]);
      assert.equal(refused.status, 401);
      const body = JSON.parse(refused.body);
      assert.equal(body.error.code, 'InvalidAuthenticationToken');
      assert.equal(body.error.innerError['request-id'], refused.headers['request-id']);
      assert.match(body.error.innerError.date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    });
  });

  describe('tokens', function () {
    it('refuses an Exchange token (wrong audience) and a garbled one with 401 InvalidAuthenticationToken', async function () {
      const exchange = await delegatedToken({
        ca,
        authority: sandbox.description.authorization.authority,
        clientId: SANDBOX_APPS.publicClient.clientId,
        scopes: [MAIL_SCOPES.imap],
        user: 'adele@contoso.test'
      });
      const wrongAudience = await graphError(graph(exchange.accessToken).api('/me/mailFolders').get());
      assert.equal(wrongAudience.statusCode, 401);
      assert.equal(wrongAudience.code, 'InvalidAuthenticationToken');
      assert.match(wrongAudience.message, /Invalid audience/);
      const token = await userToken('adele@contoso.test');
      const tampered = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.from('forged').toString('base64url')}`;
      const forged = await graphError(graph(tampered).api('/me').get());
      assert.equal(forged.statusCode, 401);
    });

    it('a token without the mail scope may read the profile but not the mail: 403 ErrorAccessDenied', async function () {
      const client = graph(await userToken('adele@contoso.test', [GRAPH_SCOPES.userRead]));
      assert.equal(((await client.api('/me').get()) as User).mail, 'adele@contoso.test');
      const read = await graphError(client.api('/me/mailFolders/inbox/messages').get());
      assert.equal(read.statusCode, 403);
      assert.equal(read.code, 'ErrorAccessDenied');
      const send = await graphError(
        client.api('/me/sendMail').post({ message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'adele@contoso.test' } }] } })
      );
      assert.equal(send.code, 'ErrorAccessDenied');
    });

    it('an app-only token reads with the Mail.Read role and cannot use /me', async function () {
      const client = graph(await daemonToken());
      const folders = (await client.api('/users/megan@contoso.test/mailFolders').get()) as { value: Array<{ displayName: string }> };
      assert.ok(
        folders.value.some((f) => f.displayName === 'Inbox'),
        JSON.stringify(folders.value)
      );
      const me = await graphError(client.api('/me').get());
      assert.equal(me.statusCode, 400);
    });
  });

  describe('sendMail', function () {
    it('a JSON message (SDK) arrives over IMAP with its attachment, and a copy is in Sent Items', async function () {
      const subject = `Graph JSON ${Date.now()}`;
      const client = graph(await userToken('adele@contoso.test'));
      await client.api('/me/sendMail').post({
        message: {
          subject,
          body: { contentType: 'HTML', content: '<p>Hello from <b>Graph</b></p>' },
          toRecipients: [{ emailAddress: { address: 'megan@contoso.test', name: 'Megan Bowen' } }],
          bccRecipients: [{ emailAddress: { address: 'lee@contoso.test' } }],
          attachments: [
            {
              '@odata.type': '#microsoft.graph.fileAttachment',
              name: 'note.txt',
              contentType: 'text/plain',
              contentBytes: Buffer.from('attached').toString('base64')
            }
          ]
        },
        saveToSentItems: true
      });
      const megan = await imap('megan@contoso.test');
      const lee = await imap('lee@contoso.test');
      const adele = await imap('adele@contoso.test');
      try {
        const uid = await arrival(megan, 'INBOX', subject);
        const lock = await megan.getMailboxLock('INBOX');
        let source: string;
        try {
          source = ((await megan.fetchOne(String(uid), { source: true }, { uid: true })) || undefined)?.source?.toString() ?? '';
        } finally {
          lock.release();
        }
        assert.match(source, /^From: Adele Vance <adele@contoso\.test>/m);
        assert.match(source, /filename=note\.txt/);
        assert.doesNotMatch(source, /^Bcc:/im, 'Bcc is not delivered');
        await arrival(lee, 'INBOX', subject);
        const sentUid = await arrival(adele, 'Sent Items', subject);
        const sentLock = await adele.getMailboxLock('Sent Items');
        try {
          const sent = await adele.fetchOne(String(sentUid), { flags: true, source: true }, { uid: true });
          assert.ok(sent && sent.flags?.has('\\Seen'));
          assert.match(sent.source!.toString(), /^Bcc: lee@contoso\.test/im, 'Sent Items keeps Bcc');
        } finally {
          sentLock.release();
        }
      } finally {
        await Promise.all([megan.logout(), lee.logout(), adele.logout()]);
      }
    });

    it('raw MIME (curl, base64 text/plain) is sent as it is: 202 with an empty body; megan sends although her SMTP AUTH is off', async function () {
      const subject = `Graph MIME ${Date.now()}`;
      const mime = await new MailComposer({
        from: 'megan@contoso.test',
        to: 'adele@contoso.test',
        subject,
        text: 'raw MIME body',
        headers: { 'X-Sandbox-Test': 'kept' }
      })
        .compile()
        .build();
      const file = path.join(tmp, 'mime.b64');
      await fs.writeFile(file, mime.toString('base64'));
      const token = await userToken('megan@contoso.test');
      const sent = await curl([
        '-X',
        'POST',
        '-H',
        `Authorization: Bearer ${token}`,
        '-H',
        'Content-Type: text/plain',
        '--data-binary',
        `@${file}`,
        `${sandbox.description.graph.endpoint}/v1.0/me/sendMail`
      ]);
      assert.equal(sent.status, 202, sent.body);
      assert.equal(sent.body, '');
      assert.ok(sent.headers['request-id']);
      const adele = await imap('adele@contoso.test');
      try {
        const uid = await arrival(adele, 'INBOX', subject);
        const lock = await adele.getMailboxLock('INBOX');
        try {
          const got = ((await adele.fetchOne(String(uid), { source: true }, { uid: true })) || undefined)?.source?.toString() ?? '';
          assert.match(got, /^X-Sandbox-Test: kept/m);
          assert.ok(got.endsWith(mime.toString().split('\r\n\r\n').slice(1).join('\r\n\r\n')), 'the body is delivered as sent');
        } finally {
          lock.release();
        }
      } finally {
        await adele.logout();
      }
    });

    it('bad base64 is 400 ErrorMimeContentInvalidBase64String; a body over 4 MB is 413', async function () {
      const token = await userToken('adele@contoso.test');
      const url = `${sandbox.description.graph.endpoint}/v1.0/me/sendMail`;
      const bad = await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: text/plain', '--data-binary', 'not*base64!', url]);
      assert.equal(bad.status, 400);
      assert.equal(JSON.parse(bad.body).error.code, 'ErrorMimeContentInvalidBase64String');
      const big = path.join(tmp, 'big.b64');
      await fs.writeFile(big, Buffer.alloc(4 * 1024 * 1024 + 1, 'A'));
      const tooLarge = await curl(['-X', 'POST', '-H', `Authorization: Bearer ${token}`, '-H', 'Content-Type: text/plain', '--data-binary', `@${big}`, url]);
      assert.equal(tooLarge.status, 413);
      assert.equal(JSON.parse(tooLarge.body).error.code, 'RequestEntityTooLarge');
    });

    it('a message without recipients is 400 ErrorInvalidRecipients', async function () {
      const error = await graphError(
        graph(await userToken('adele@contoso.test'))
          .api('/me/sendMail')
          .post({ message: { subject: 'nobody' } })
      );
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'ErrorInvalidRecipients');
    });
  });

  describe('drafts and upload sessions', function () {
    const writer = () => userToken('adele@contoso.test', [GRAPH_SCOPES.mailSend, GRAPH_SCOPES.mailReadWrite]);
    const draftBody = (subject: string) => ({
      subject,
      body: { contentType: 'text', content: 'see the attachments' },
      toRecipients: [{ emailAddress: { address: 'megan@contoso.test' } }],
      internetMessageHeaders: [{ name: 'X-Sandbox-Draft', value: 'kept' }]
    });

    /** The messages of a folder whose subject is this one, over IMAP (with source and flags). */
    async function inFolder(mailbox: string, folder: string, subject: string) {
      const client = await imap(mailbox);
      try {
        const lock = await client.getMailboxLock(folder, { readOnly: true });
        try {
          const uids = (await client.search({ subject }, { uid: true })) || [];
          return uids.length ? await client.fetchAll(uids.join(','), { source: true, flags: true }, { uid: true }) : [];
        } finally {
          lock.release();
        }
      } finally {
        await client.logout();
      }
    }

    /** An upload session's uploadUrl for a new draft's attachment of `size` bytes. */
    async function session(client: Client, subject: string, size: number): Promise<{ draft: Message; uploadUrl: string }> {
      const draft = (await client.api('/me/messages').post(draftBody(subject))) as Message;
      const opened = (await client
        .api(`/me/messages/${draft.id}/attachments/createUploadSession`)
        .post({ AttachmentItem: { attachmentType: 'file', name: 'big.bin', size } })) as { uploadUrl: string };
      return { draft, uploadUrl: opened.uploadUrl };
    }

    it('POST /messages makes a draft in Drafts (IMAP sees it, flagged \\Draft); without Mail.ReadWrite it is 403 ErrorAccessDenied', async function () {
      const subject = `Draft ${Date.now()}`;
      const client = graph(await writer());
      const draft = (await client.api('/me/messages').post(draftBody(subject))) as Message;
      assert.ok(draft.id);
      assert.equal(draft.isDraft, true);
      assert.equal(draft.subject, subject);
      assert.equal(((await client.api(`/me/messages/${draft.id}`).get()) as Message).subject, subject, 'read back by its ID');
      const [copy] = await inFolder('adele@contoso.test', 'Drafts', subject);
      assert.ok(copy?.flags?.has('\\Draft'), 'in Drafts, flagged \\Draft');
      assert.match(copy.source!.toString(), /^X-Sandbox-Draft: kept/m);

      const readOnly = await graphError(
        graph(await userToken('adele@contoso.test'))
          .api('/me/messages')
          .post(draftBody(subject))
      );
      assert.equal(readOnly.statusCode, 403);
      assert.equal(readOnly.code, 'ErrorAccessDenied');
      const sixHeaders = await graphError(
        client.api('/me/messages').post({
          ...draftBody(subject),
          internetMessageHeaders: Array.from({ length: 6 }, (_, i) => ({ name: `X-H${i}`, value: 'v' }))
        })
      );
      assert.equal(sixHeaders.code, 'InvalidInternetMessageHeaderCollection');

      await client.api(`/me/messages/${draft.id}`).delete();
      assert.equal((await inFolder('adele@contoso.test', 'Drafts', subject)).length, 0, 'DELETE removes the draft');
      assert.equal((await graphError(client.api(`/me/messages/${draft.id}`).get())).code, 'ErrorItemNotFound');
    });

    it('a small attachment by POST and a 5 MB one through LargeFileUploadTask arrive over IMAP byte for byte; the draft leaves Drafts for Sent Items', async function () {
      const subject = `Uploaded ${Date.now()}`;
      const small = randomBytes(100_000);
      const large = randomBytes(5 * 1024 * 1024 + 123);
      const client = graph(await writer());
      const draft = (await client.api('/me/messages').post(draftBody(subject))) as Message;
      const attached = (await client.api(`/me/messages/${draft.id}/attachments`).post({
        '@odata.type': '#microsoft.graph.fileAttachment',
        name: 'small.bin',
        contentType: 'application/octet-stream',
        contentBytes: small.toString('base64')
      })) as { id: string; size: number };
      assert.equal(attached.size, small.length);

      const uploadSession = await LargeFileUploadTask.createUploadSession(client, `/me/messages/${draft.id}/attachments/createUploadSession`, {
        AttachmentItem: { attachmentType: 'file', name: 'large.bin', size: large.length, contentType: 'application/octet-stream' }
      });
      assert.equal(new URL(uploadSession.url).host, new URL(sandbox.description.graph.endpoint).host);
      // The SDK's own client would add its token to the sandbox host (a custom host): the upload URL refuses it.
      const withToken = await new LargeFileUploadTask(client, new FileUpload(large, 'large.bin', large.length), uploadSession, { rangeSize: 320 * 1024 })
        .upload()
        .then(
          () => undefined,
          (e: unknown) => e as { error?: { code?: string } }
        );
      assert.equal(withToken?.error?.code, 'InvalidAudience');
      // The upload URL is pre-authenticated: a client without the authentication handler, as Graph's docs say.
      const anonymous = Client.initWithMiddleware({ middleware: new HTTPMessageHandler() });
      const chunks: string[] = [];
      const task = new LargeFileUploadTask(anonymous, new FileUpload(large, 'large.bin', large.length), uploadSession, {
        rangeSize: 12 * 320 * 1024,
        uploadEventHandlers: { progress: (range) => chunks.push(`${range?.minValue}-${range?.maxValue}`) }
      });
      const uploaded = await task.upload();
      assert.deepEqual(chunks, ['0-3932159', `3932160-${large.length - 1}`]);
      assert.match(uploaded.location ?? '', /\/attachments\('[^']+'\)$/, '201 with a Location');

      await client.api(`/me/messages/${draft.id}/send`).post(null);
      const megan = await imap('megan@contoso.test');
      try {
        const uid = await arrival(megan, 'INBOX', subject);
        const lock = await megan.getMailboxLock('INBOX');
        try {
          const source = ((await megan.fetchOne(String(uid), { source: true }, { uid: true })) || undefined)?.source;
          const parsed = await simpleParser(source!);
          const byName = new Map(parsed.attachments.map((a) => [a.filename, a.content]));
          assert.ok(byName.get('small.bin')?.equals(small), 'small.bin byte for byte');
          assert.ok(byName.get('large.bin')?.equals(large), 'large.bin byte for byte');
          assert.equal(parsed.headers.get('x-sandbox-draft'), 'kept');
        } finally {
          lock.release();
        }
      } finally {
        await megan.logout();
      }
      assert.equal((await inFolder('adele@contoso.test', 'Drafts', subject)).length, 0, 'the draft is gone');
      assert.equal((await inFolder('adele@contoso.test', 'Sent Items', subject)).length, 1, 'a copy in Sent Items');
      assert.equal((await graphError(client.api(`/me/messages/${draft.id}/send`).post(null))).code, 'ErrorItemNotFound', 'sent once');
    });

    it('upload URLs (curl): out of order is 416, a chunk over 4 MB is 413, a wrong authtoken is 404, DELETE cancels; sizes under 3 MB or over 150 MB are refused', async function () {
      const client = graph(await writer());
      const size = 3_500_000;
      const { draft, uploadUrl } = await session(client, `Ranges ${Date.now()}`, size);
      const chunk = path.join(tmp, 'chunk.bin');
      await fs.writeFile(chunk, randomBytes(1000));
      const put = (url: string, range: string, file = chunk) =>
        curl(['-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '-H', `Content-Range: ${range}`, '--data-binary', `@${file}`, url]);

      const first = await put(uploadUrl, `bytes 0-999/${size}`);
      assert.equal(first.status, 200, first.body);
      assert.deepEqual(JSON.parse(first.body).nextExpectedRanges, ['1000']);
      const gap = await put(uploadUrl, `bytes 2000-2999/${size}`);
      assert.equal(gap.status, 416);
      assert.equal(JSON.parse(gap.body).error.code, 'InvalidRange');
      const overlap = await put(uploadUrl, `bytes 500-1499/${size}`);
      assert.equal(overlap.status, 416);
      const big = path.join(tmp, 'chunk-big.bin');
      await fs.writeFile(big, Buffer.alloc(4 * 1024 * 1024 + 1));
      assert.equal((await put(uploadUrl, `bytes 1000-${1000 + 4 * 1024 * 1024}/${size}`, big)).status, 413);
      const forged = new URL(uploadUrl);
      forged.searchParams.set('authtoken', Buffer.alloc(32).toString('base64url'));
      assert.equal((await put(forged.href, `bytes 1000-1999/${size}`)).status, 404);
      const cancelled = await curl(['-X', 'DELETE', uploadUrl]);
      assert.equal(cancelled.status, 204);
      assert.equal((await put(uploadUrl, `bytes 1000-1999/${size}`)).status, 404, 'the session is gone');

      const create = (bytes: number) =>
        graphError(
          client
            .api(`/me/messages/${draft.id}/attachments/createUploadSession`)
            .post({ AttachmentItem: { attachmentType: 'file', name: 'x.bin', size: bytes } })
        );
      assert.equal((await create(2_999_999)).code, 'ErrorAttachmentSizeShouldNotBeLessThanMinimumSize');
      assert.equal((await create(150 * 1024 * 1024 + 1)).code, 'ErrorMessageSizeExceeded');
      await client.api(`/me/messages/${draft.id}`).delete();
    });
  });

  describe('reading', function () {
    it('a message appended over IMAP is listed first, opens with body and attachments, and $value is its MIME', async function () {
      const subject = `Appended ${Date.now()}`;
      const raw = await new MailComposer({
        from: 'Lee Gu <lee@contoso.test>',
        to: 'adele@contoso.test',
        subject,
        html: '<p>appended over IMAP</p>',
        attachments: [{ filename: 'data.csv', content: 'a,b\n1,2\n', contentType: 'text/csv' }]
      })
        .compile()
        .build();
      const adele = await imap('adele@contoso.test');
      try {
        await adele.append('INBOX', raw, [], new Date(Date.now() + 60_000));
      } finally {
        await adele.logout();
      }
      const client = graph(await userToken('adele@contoso.test'));
      const page = (await client
        .api('/me/mailFolders/inbox/messages')
        .select(['subject', 'from', 'receivedDateTime', 'hasAttachments'])
        .orderby('receivedDateTime desc')
        .top(5)
        .get()) as { value: Message[] };
      const first = page.value[0];
      assert.equal(first.subject, subject);
      assert.equal(first.from?.emailAddress?.address, 'lee@contoso.test');
      assert.equal(first.hasAttachments, true);
      assert.equal(first.body, undefined, '$select leaves the body out');
      const full = (await client.api(`/me/messages/${first.id}`).get()) as Message;
      assert.equal(full.body?.contentType, 'html');
      assert.match(full.body?.content ?? '', /appended over IMAP/);
      assert.equal(full.toRecipients?.[0]?.emailAddress?.address, 'adele@contoso.test');
      assert.match(full.internetMessageId ?? '', /^<.+@.+>$/);
      const attachments = (await client.api(`/me/messages/${first.id}/attachments`).get()) as { value: Array<{ name: string; contentBytes: string }> };
      assert.equal(attachments.value.length, 1);
      assert.equal(attachments.value[0].name, 'data.csv');
      assert.equal(Buffer.from(attachments.value[0].contentBytes, 'base64').toString(), 'a,b\n1,2\n');
      const value = await curl([
        '-H',
        `Authorization: Bearer ${await userToken('adele@contoso.test')}`,
        `${sandbox.description.graph.endpoint}/v1.0/me/messages/${first.id}/$value`
      ]);
      assert.equal(value.status, 200);
      assert.equal(value.body, raw.toString());
    });

    it('pages through a folder with @odata.nextLink (an opaque $skiptoken), newest first, each message once', async function () {
      await seedFolder({
        mailDir: sandbox.description.mailServers.mailDir,
        user: 'adele@contoso.test',
        folder: 'Paging',
        count: 25,
        doveadm: (args) => sandbox.mail.doveadm(args)
      });
      const client = graph(await userToken('adele@contoso.test'));
      const folders = (await client.api('/me/mailFolders').get()) as { value: Array<{ id: string; displayName: string; totalItemCount: number }> };
      const paging = folders.value.find((f) => f.displayName === 'Paging');
      assert.ok(paging, JSON.stringify(folders.value.map((f) => f.displayName)));
      assert.equal(paging.totalItemCount, 25);
      const first = (await client.api(`/me/mailFolders/${paging.id}/messages`).select(['subject', 'receivedDateTime']).top(10).get()) as {
        value: Message[];
        '@odata.nextLink'?: string;
      };
      assert.equal(first.value.length, 10);
      const next = new URL(first['@odata.nextLink']!);
      assert.ok(next.searchParams.get('$skiptoken'), next.href);
      assert.equal(next.searchParams.get('$skip'), null);
      const seen: Message[] = [];
      await new PageIterator(client, first, (m: Message) => {
        seen.push(m);
        return true;
      }).iterate();
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen.map((m) => m.id)).size, 25);
      const dates = seen.map((m) => Date.parse(m.receivedDateTime!));
      assert.deepEqual(
        dates,
        [...dates].sort((a, b) => b - a)
      );
      const tooMany = await graphError(client.api(`/me/mailFolders/${paging.id}/messages`).top(1001).get());
      assert.equal(tooMany.statusCode, 400);
    });

    it('a delegate reads the shared mailbox only with Mail.Read.Shared; a non-delegate never', async function () {
      const shared = graph(await userToken('adele@contoso.test', [GRAPH_SCOPES.mailReadShared]));
      const folders = (await shared.api('/users/orders@contoso.test/mailFolders').get()) as { value: unknown[] };
      assert.ok(folders.value.length > 0);
      const ownOnly = await graphError(
        graph(await userToken('adele@contoso.test'))
          .api('/users/orders@contoso.test/mailFolders')
          .get()
      );
      assert.equal(ownOnly.code, 'ErrorAccessDenied');
      const notDelegate = await graphError(
        graph(await userToken('megan@contoso.test', [GRAPH_SCOPES.mailReadShared]))
          .api('/users/orders@contoso.test/mailFolders')
          .get()
      );
      assert.equal(notDelegate.code, 'ErrorAccessDenied');
    });
  });

  describe('failures on demand (control API)', function () {
    it('429 with Retry-After for the next request (curl); the SDK waits and retries through it', async function () {
      const token = await userToken('adele@contoso.test');
      await control.throttleGraph({ requests: 1, retryAfterSeconds: 1 });
      const throttled = await curl(['-H', `Authorization: Bearer ${token}`, `${sandbox.description.graph.endpoint}/v1.0/me/mailFolders`]);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers['retry-after'], '1');
      assert.equal(JSON.parse(throttled.body).error.code, 'ApplicationThrottled');
      assert.equal((await control.graphFaults()).throttle, undefined, 'used up');

      await control.throttleGraph({ requests: 2, retryAfterSeconds: 1 });
      const started = Date.now();
      const folders = (await graph(token).api('/me/mailFolders').get()) as { value: unknown[] };
      assert.ok(folders.value.length > 0);
      assert.ok(Date.now() - started >= 2000, 'the SDK honoured Retry-After twice');
    });

    it('refusals for the next requests: InvalidAuthenticationToken (any request), ErrorMimeContentInvalidBase64String (MIME sendMail only)', async function () {
      const token = await userToken('adele@contoso.test');
      await control.refuseGraph({ requests: 1, error: 'invalid-token' });
      const refused = await curl(['-H', `Authorization: Bearer ${token}`, `${sandbox.description.graph.endpoint}/v1.0/me/mailFolders`]);
      assert.equal(refused.status, 401);
      assert.equal(JSON.parse(refused.body).error.code, 'InvalidAuthenticationToken');
      assert.match(refused.headers['www-authenticate'] ?? '', /^Bearer /);
      assert.equal((await control.graphFaults()).refusal, undefined, 'used up');
      await control.refuseGraph({ requests: 1, error: 'invalid-base64' });
      const client = graph(token);
      assert.ok(((await client.api('/me/mailFolders').get()) as { value: unknown[] }).value.length > 0, 'a read is not a MIME send');
      const mime = Buffer.from('From: adele@contoso.test\r\nTo: adele@contoso.test\r\nSubject: b64\r\n\r\nbody\r\n').toString('base64');
      const invalid = await graphError(client.api('/me/sendMail').header('Content-Type', 'text/plain').post(mime));
      assert.equal(invalid.statusCode, 400);
      assert.equal(invalid.code, 'ErrorMimeContentInvalidBase64String');
      assert.equal((await control.graphFaults()).refusal, undefined, 'used up by the send');
    });

    it('ErrorAccessDenied (application access policy) and MailboxNotEnabledForRESTAPI for a mailbox', async function () {
      const client = graph(await daemonToken());
      await control.denyGraphAccess('megan@contoso.test');
      const denied = await graphError(client.api('/users/megan@contoso.test/mailFolders/inbox/messages').get());
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.code, 'ErrorAccessDenied');
      assert.match(denied.message, /AccessPolicy/);
      await control.clearGraphFaults();
      await control.disableGraphMailbox('megan@contoso.test');
      const disabled = await graphError(
        client
          .api('/users/megan@contoso.test/sendMail')
          .post({ message: { subject: 'x', toRecipients: [{ emailAddress: { address: 'adele@contoso.test' } }] } })
      );
      assert.equal(disabled.statusCode, 404);
      assert.equal(disabled.code, 'MailboxNotEnabledForRESTAPI');
      assert.equal((await client.api('/users/megan@contoso.test').get()).mail, 'megan@contoso.test', 'the directory entry is still there');
    });

    it('a delegate sends as the shared mailbox with Mail.Send.Shared until Send As is denied: ErrorSendAsDenied', async function () {
      const client = graph(await userToken('adele@contoso.test', [GRAPH_SCOPES.mailSendShared]));
      const subject = `As orders ${Date.now()}`;
      await client
        .api('/users/orders@contoso.test/sendMail')
        .post({ message: { subject, toRecipients: [{ emailAddress: { address: 'adele@contoso.test' } }] } });
      const adele = await imap('adele@contoso.test');
      try {
        await arrival(adele, 'INBOX', subject);
      } finally {
        await adele.logout();
      }
      await control.denyGraphSendAs('orders@contoso.test');
      const denied = await graphError(
        client.api('/users/orders@contoso.test/sendMail').post({ message: { subject, toRecipients: [{ emailAddress: { address: 'adele@contoso.test' } }] } })
      );
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.code, 'ErrorSendAsDenied');
      const notDelegate = await graphError(
        graph(await userToken('megan@contoso.test', [GRAPH_SCOPES.mailSendShared]))
          .api('/users/orders@contoso.test/sendMail')
          .post({ message: { subject, toRecipients: [{ emailAddress: { address: 'adele@contoso.test' } }] } })
      );
      assert.equal(notDelegate.code, 'ErrorSendAsDenied');
    });
  });
});
