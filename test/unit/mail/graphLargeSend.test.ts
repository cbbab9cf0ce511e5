import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { BUILT_IN_CLOUDS, CloudCatalog, normalizeCustomCloud } from '../../../src/core/clouds';
import { M365MailError } from '../../../src/core/errors';
import { telemetryErrorCode } from '../../../src/core/telemetryCodes';
import { ATTACHMENT_POST_LIMIT_BYTES, MAX_CUSTOM_HEADERS, planDraft } from '../../../src/mail/eml/graphDraft';
import { UPLOAD_CHUNK_BYTES } from '../../../src/mail/graph/graphLargeSend';
import { needsMailReadWrite } from '../../../src/mail/graph/graphErrors';
import { emlSendPath, GRAPH_MIME_LIMIT_BYTES } from '../../../src/mail/graph/graphSend';
import { checkUploadUrl } from '../../../src/mail/graph/uploadUrlPolicy';
import { sandboxCloud } from '../credentials/fixtures';

function eml(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer({ from: 'Adele Vance <adele@contoso.com>', to: 'megan@contoso.com', cc: 'lee@contoso.com', subject: 'Large', ...options })
    .compile()
    .build();
}

function refused(work: () => unknown): M365MailError {
  try {
    work();
  } catch (error) {
    assert.ok(error instanceof M365MailError);
    return error;
  }
  assert.fail('not refused');
}

describe('Microsoft Graph: messages over the raw-MIME limit', () => {
  describe('the draft plan', () => {
    it('takes subject, HTML body, From and the envelope recipients (never the file’s To or Cc), and marks attachments for a POST or an upload session', async () => {
      const small = randomBytes(1000);
      const large = randomBytes(ATTACHMENT_POST_LIMIT_BYTES);
      const plan = await planDraft(
        await eml({
          html: '<p>see <img src="cid:logo@x"></p>',
          text: 'see',
          attachments: [
            { filename: 'small.bin', content: small },
            { filename: 'large.bin', content: large, contentType: 'application/zip' },
            { filename: 'logo.png', content: Buffer.from('png'), cid: 'logo@x', contentType: 'image/png' }
          ]
        }),
        ['orders@contoso.com']
      );
      assert.equal(plan.message.subject, 'Large');
      assert.equal(plan.message.body?.contentType, 'html');
      assert.match(plan.message.body?.content ?? '', /src="cid:logo@x"/, 'cid references stay for the inline part');
      assert.deepEqual(plan.message.toRecipients, [{ emailAddress: { address: 'orders@contoso.com' } }]);
      assert.equal(plan.message.ccRecipients, undefined);
      assert.deepEqual(plan.message.from, { emailAddress: { name: 'Adele Vance', address: 'adele@contoso.com' } });
      assert.equal(plan.message.internetMessageHeaders, undefined, 'no empty header list (Graph refuses one)');
      const byName = new Map(plan.attachments.map((a) => [a.name, a]));
      assert.equal(byName.get('small.bin')?.upload, false);
      assert.ok(byName.get('small.bin')?.content.equals(small));
      assert.equal(byName.get('large.bin')?.upload, true, '3 MB and more go through an upload session');
      assert.equal(byName.get('large.bin')?.contentType, 'application/zip');
      assert.ok(byName.get('large.bin')?.content.equals(large));
      assert.deepEqual([byName.get('logo.png')?.isInline, byName.get('logo.png')?.contentId], [true, 'logo@x']);
    });

    it('keeps the first five X- headers, unfolded, and names the ones left out; other headers are Exchange’s to write', async () => {
      const headers: Record<string, string> = { 'List-Id': '<list.contoso.com>' };
      for (let i = 1; i <= MAX_CUSTOM_HEADERS + 2; i++) headers[`X-Custom-${i}`] = `value ${i}`;
      const mime = (await eml({ text: 'body', headers })).toString().replace('X-Custom-1: value 1', 'X-Custom-1: value\r\n 1');
      const plan = await planDraft(Buffer.from(mime), ['megan@contoso.com']);
      assert.deepEqual(
        plan.message.internetMessageHeaders?.map((h) => `${h.name}: ${h.value}`),
        ['X-Custom-1: value 1', 'X-Custom-2: value 2', 'X-Custom-3: value 3', 'X-Custom-4: value 4', 'X-Custom-5: value 5']
      );
      assert.deepEqual(plan.droppedHeaders, ['X-Custom-6', 'X-Custom-7']);
      assert.equal(plan.message.body?.contentType, 'text');
    });

    it('refuses, before any request, a body too large for the draft’s one request', async () => {
      await assert.rejects(planDraft(await eml({ text: 'x'.repeat(5 * 1024 * 1024) }), ['megan@contoso.com']), (e: M365MailError) => {
        assert.equal(e.code, 'graph.draft_too_large');
        assert.match(e.options.nextStep ?? '', /SMTP/);
        return true;
      });
    });
  });

  it('picks the path by the size Graph would get: its own MIME up to the limit, a draft above', async () => {
    const under = await eml({ text: 'x', attachments: [{ filename: 'a.bin', content: randomBytes(1024 * 1024) }] });
    const over = await eml({ text: 'x', attachments: [{ filename: 'a.bin', content: randomBytes(GRAPH_MIME_LIMIT_BYTES) }] });
    assert.equal(emlSendPath(under, ['megan@contoso.com']), 'mime');
    assert.equal(emlSendPath(over, ['megan@contoso.com']), 'draft');
  });

  it('uploads in chunks under 4 MB, a multiple of 320 KiB', () => {
    assert.ok(UPLOAD_CHUNK_BYTES < 4_000_000);
    assert.equal(UPLOAD_CHUNK_BYTES % (320 * 1024), 0);
  });

  describe('where an upload URL may point', () => {
    const global = BUILT_IN_CLOUDS.find((c) => c.id === 'global')!;
    const hosts = global.graphUploadHosts ?? [];

    it('gives each built-in cloud its Outlook hosts', () => {
      assert.deepEqual(
        BUILT_IN_CLOUDS.map((c) => [c.id, c.graphUploadHosts]),
        [
          ['global', ['outlook.office.com', 'outlook.office365.com']],
          ['usGovHigh', ['outlook.office365.us']],
          ['usGovDoD', ['outlook-dod.office365.us']],
          ['china', ['partner.outlook.cn']]
        ]
      );
    });

    it('accepts https on an Outlook host of the cloud or on the Graph host itself', () => {
      const outlook = "https://outlook.office.com/api/v2.0/Users('a@b')/Messages('m')/AttachmentSessions('s')?authtoken=abc";
      assert.equal(checkUploadUrl(outlook, global.graphEndpoint!, hosts).hostname, 'outlook.office.com');
      assert.equal(checkUploadUrl('https://outlook.office365.com/api/gv1.0/x?authtoken=a', global.graphEndpoint!, hosts).hostname, 'outlook.office365.com');
      assert.equal(checkUploadUrl('https://127.0.0.1:4443/upload/x?authtoken=a', 'https://127.0.0.1:4443', []).port, '4443');
    });

    for (const [what, url] of [
      ['another host', 'https://outlook.evil.example/upload?authtoken=a'],
      ['a look-alike suffix', 'https://outlook.office.com.evil.example/x'],
      ['another cloud’s Outlook host', 'https://outlook.office365.us/x'],
      ['plain http', 'http://outlook.office.com/x'],
      ['another port', 'https://outlook.office.com:8443/x'],
      ['user info', 'https://user@outlook.office.com/x'],
      ['the Graph host on another port', 'https://graph.microsoft.com:8443/x'],
      ['no URL', 'not a url']
    ] as const) {
      it(`refuses ${what}, saying what is allowed`, () => {
        const error = refused(() => checkUploadUrl(url, global.graphEndpoint!, hosts));
        assert.equal(error.code, 'graph.upload_host_refused');
        assert.match(error.options.nextStep ?? '', /graph\.microsoft\.com, outlook\.office\.com, outlook\.office365\.com/);
        assert.equal(telemetryErrorCode(error.code), 'graph.upload_host_refused');
      });
    }

    it('takes a custom cloud’s upload hosts only when they are host names', () => {
      const cloud = normalizeCustomCloud({
        ...sandboxCloud(),
        graphEndpoint: 'https://graph.contoso.test',
        graphUploadHosts: ['Mail.Contoso.Test', 'https://x', 'a/b', '']
      });
      assert.deepEqual(cloud.graphUploadHosts, ['mail.contoso.test']);
      assert.equal(new CloudCatalog([cloud]).get(cloud.id)?.graphUploadHosts?.length, 1);
    });
  });

  it('says which permission a draft needs, for a user, a shared mailbox and an app', () => {
    const user = needsMailReadWrite({ appOnly: false, mailbox: 'adele@contoso.com', certain: true, limit: '3.0 MB' }, undefined);
    assert.equal(user.code, 'graph.needs_mail_readwrite');
    assert.match(user.message, /permission Mail\.ReadWrite;/);
    assert.match(user.options.nextStep ?? '', /Edit credential/);
    const shared = needsMailReadWrite({ appOnly: false, shared: true, mailbox: 'orders@contoso.com', certain: false, limit: '3.0 MB' }, undefined);
    assert.match(shared.message, /may lack Mail\.ReadWrite\.Shared/);
    const app = needsMailReadWrite({ appOnly: true, mailbox: 'orders@contoso.com', certain: true, limit: '3.0 MB' }, undefined);
    assert.match(app.options.nextStep ?? '', /application permission Mail\.ReadWrite with admin consent/);
  });
});
