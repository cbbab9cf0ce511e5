/**
 * An .eml over Graph's raw-MIME limit, sent by the product (src/mail/graph) against the sandbox's
 * Graph service: a draft, the small attachment by POST, the large one through an upload session in
 * chunks, then send. What arrived is checked over IMAP with a client of its own, attachment by
 * attachment, byte for byte; a cancelled or refused send must leave no draft, and an upload URL on
 * a host the cloud does not name must get none of the message's bytes.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { simpleParser } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { AuthService } from '../../src/auth/authService';
import { CancelledError } from '../../src/core/errors';
import type { CredentialDefinition } from '../../src/core/model';
import { planDraft } from '../../src/mail/eml/graphDraft';
import { UPLOAD_CHUNK_BYTES } from '../../src/mail/graph/graphLargeSend';
import { sendMailOverGraph, type GraphSendTarget } from '../../src/mail/graph/graphSend';
import { useSandboxAuth } from '../support/sandboxAuth';
import { typedFailure } from '../support/typedFailure';
import { SandboxMailbox } from '../support/sandboxMailbox';

const MB = 1024 * 1024;

describe('Microsoft Graph: an .eml over the raw-MIME limit, against the sandbox', function () {
  this.timeout(120_000);
  const env = useSandboxAuth();
  const graphScope = (name: string) => `${env.sandbox.description.cloud.graphScopePrefix}${name}`;

  /** Adele, sending and reading over Graph, with Mail.ReadWrite for drafts unless `readWrite` is false. */
  async function adele(readWrite = true): Promise<{ auth: AuthService; def: CredentialDefinition }> {
    const auth = env.engine();
    const base = env.credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' });
    const def = readWrite ? { ...base, scopes: [...base.scopes.filter((s) => s !== 'offline_access'), graphScope('Mail.ReadWrite'), 'offline_access'] } : base;
    await env.signIn(auth, def);
    return { auth, def };
  }

  /** Where the product sends, as the extension wires it (the sandbox cloud's upload hosts: none besides the Graph host). */
  const target = (auth: AuthService, def: CredentialDefinition, requests: string[], overrides: Partial<GraphSendTarget> = {}): GraphSendTarget => ({
    graphEndpoint: env.sandbox.description.graph.endpoint,
    getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
    extraCaCertificates: [env.ca],
    logger: env.logger,
    mailbox: def.userName ?? '',
    appOnly: false,
    uploadHosts: [],
    onRequest: (method, url) => requests.push(`${method} ${new URL(url).pathname}`),
    ...overrides
  });

  const subject = (what: string) => `Graph large ${what} ${Math.random().toString(36).slice(2, 10)}`;

  async function eml(title: string, attachments: Array<{ filename: string; content: Buffer }>): Promise<Buffer> {
    return new MailComposer({
      from: 'Adele Vance <adele@contoso.test>',
      to: 'megan@contoso.test',
      cc: 'lee@contoso.test',
      subject: title,
      html: '<p>Large, over <b>Graph</b></p>',
      headers: { 'X-Large-Test': 'carried' },
      attachments
    })
      .compile()
      .build();
  }

  const send = (t: GraphSendTarget, mime: Buffer) =>
    sendMailOverGraph(t, { kind: 'raw', envelope: { from: 'adele@contoso.test', to: ['adele@contoso.test'] }, raw: { content: mime } }, { planDraft });

  /** Drafts over IMAP, with the subject: none may be left behind. */
  const drafts = (title: string) => new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').find(title, 'Drafts');

  for (const [label, large] of [
    ['an 8 MB .eml (a 6 MB binary attachment and a small one)', 6 * MB],
    ['a 5 MB .eml (a 3.5 MB binary attachment and a small one)', 3.5 * MB]
  ] as const) {
    it(`${label} goes as a draft with an upload session; both attachments arrive over IMAP byte for byte, To is the envelope`, async () => {
      const { auth, def } = await adele();
      const title = subject(label.split(' ')[1]);
      const big = randomBytes(large);
      const small = randomBytes(200 * 1024);
      const mime = await eml(title, [
        { filename: 'large.bin', content: big },
        { filename: 'small.bin', content: small }
      ]);
      assert.ok(mime.length > (large === 6 * MB ? 8 : 4.9) * MB, `the .eml is ${mime.length} bytes`);
      const requests: string[] = [];
      const chunks: Array<[number, number]> = [];
      const result = await send(target(auth, def, requests, { onUpload: (_name, sent, total) => chunks.push([sent, total]) }), mime);
      assert.equal(result.status, 202);
      assert.equal(result.path, 'draft');
      assert.deepEqual(result.attachments, { posted: 1, uploaded: 1 });
      assert.deepEqual(
        chunks.map(([sent]) => sent),
        Array.from({ length: Math.ceil(large / UPLOAD_CHUNK_BYTES) }, (_, i) => Math.min((i + 1) * UPLOAD_CHUNK_BYTES, large)),
        'chunks of 12 x 320 KiB, the last one shorter'
      );
      const uploads = requests.filter((r) => r.startsWith('PUT '));
      assert.equal(uploads.length, chunks.length);
      assert.ok(
        requests.some((r) => /^POST .*\/messages\/[^/]+\/send$/.test(r)),
        requests.join('\n')
      );

      const [arrived] = await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').waitFor(title);
      const parsed = await simpleParser(arrived.source);
      const byName = new Map(parsed.attachments.map((a) => [a.filename, a.content]));
      assert.ok(byName.get('large.bin')?.equals(big), 'large.bin byte for byte');
      assert.ok(byName.get('small.bin')?.equals(small), 'small.bin byte for byte');
      assert.match(parsed.html || '', /Large, over <b>Graph<\/b>/);
      assert.equal(parsed.headers.get('x-large-test'), 'carried');
      assert.equal(parsed.cc, undefined, 'the file’s Cc is not a recipient');
      for (const other of ['megan@contoso.test', 'lee@contoso.test']) {
        assert.equal((await new SandboxMailbox(env.sandbox.description, other).find(title)).length, 0, `${other} got nothing`);
      }
      assert.equal((await drafts(title)).length, 0, 'no draft left');
      assert.equal((await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').find(title, 'Sent Items')).length, 1);
      assert.ok(!env.logger.lines.join('\n').includes('authtoken'), 'no upload URL credential in the log');
    });
  }

  it('cancelled during the upload: stops between chunks, cancels the session, deletes the draft and never sends', async () => {
    const { auth, def } = await adele();
    const title = subject('cancelled');
    const mime = await eml(title, [{ filename: 'large.bin', content: randomBytes(9 * MB) }]);
    const requests: string[] = [];
    const abort = new AbortController();
    const error = await typedFailure(send(target(auth, def, requests, { signal: abort.signal, onUpload: () => abort.abort() }), mime));
    assert.ok(error instanceof CancelledError, `cancelled, not ${error.code}`);
    const puts = requests.filter((r) => r.startsWith('PUT '));
    assert.equal(puts.length, 1, 'no chunk after the cancel');
    assert.ok(
      requests.some((r) => r.startsWith('DELETE /upload/')),
      'the upload session is cancelled'
    );
    assert.ok(
      requests.some((r) => /^DELETE .*\/messages\/[^/]+$/.test(r)),
      'the draft is deleted'
    );
    assert.ok(!requests.some((r) => r.endsWith('/send')), 'never sent');
    assert.equal((await drafts(title)).length, 0, 'no draft left in Drafts');
    assert.equal((await env.sandbox.control.graphUploads()).bytes, UPLOAD_CHUNK_BYTES);
  });

  it('refuses an upload URL on a host the cloud does not name (even one that would answer) or over http: no byte goes there, no draft is left', async () => {
    const { auth, def } = await adele();
    const port = new URL(env.sandbox.description.graph.endpoint).port;
    // localhost reaches the same sandbox with a valid certificate: a product that followed it would upload.
    for (const origin of [`https://localhost:${port}`, `http://127.0.0.1:${port}`]) {
      await env.sandbox.control.setGraphUploadOrigin(origin);
      const title = subject('foreign host');
      const requests: string[] = [];
      const error = await typedFailure(send(target(auth, def, requests), await eml(title, [{ filename: 'large.bin', content: randomBytes(4 * MB) }])));
      assert.equal(error.code, 'graph.upload_host_refused', error.message);
      assert.match(error.message, origin.startsWith('https') ? /localhost/ : /not https/);
      assert.ok(!requests.some((r) => r.startsWith('PUT ')), requests.join('\n'));
      assert.deepEqual(await env.sandbox.control.graphUploads(), { requests: 0, bytes: 0 }, 'nothing reached an upload URL');
      assert.equal((await drafts(title)).length, 0, 'no draft left');
    }
  });

  it('without Mail.ReadWrite: refused before any request, saying which permission to add', async () => {
    const { auth, def } = await adele(false);
    const title = subject('no readwrite');
    const requests: string[] = [];
    const error = await typedFailure(send(target(auth, def, requests), await eml(title, [{ filename: 'large.bin', content: randomBytes(4 * MB) }])));
    assert.equal(error.code, 'graph.needs_mail_readwrite');
    assert.match(error.message, /Mail\.ReadWrite/);
    assert.match(error.options.nextStep ?? '', /Edit credential/);
    assert.deepEqual(requests, [], 'no draft was attempted');
  });
});
