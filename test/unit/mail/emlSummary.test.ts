import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeEml } from '../../../src/mail/eml/emlSummary';

describe('.eml summary', () => {
  let dir: string;
  const write = (name: string, content: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  };

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-eml-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads addresses, an RFC 2047 subject and attachments with sizes', async () => {
    const attachment = Buffer.alloc(3000, 7).toString('base64').replace(/.{76}/g, '$&\r\n');
    const file = write(
      'ok.eml',
      [
        'From: "Adele Vance" <adele@contoso.test>',
        'To: megan@contoso.test, Team: a@contoso.test, b@contoso.test;',
        'Cc: c@contoso.test',
        'Subject: =?UTF-8?B?UmVjaG51bmcgZsO8ciBNw6Ryeg==?=',
        'Date: Sun, 22 Nov 2026 10:00:00 +0000',
        'Message-ID: <1@contoso.test>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hello',
        '--b1',
        'Content-Type: application/octet-stream; name="data.bin"',
        'Content-Disposition: attachment; filename="data.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        attachment,
        '--b1--',
        ''
      ].join('\r\n')
    );
    const summary = await summarizeEml(file);
    assert.equal(summary.from, 'adele@contoso.test');
    assert.deepEqual(summary.to, ['megan@contoso.test', 'a@contoso.test', 'b@contoso.test']);
    assert.deepEqual(summary.cc, ['c@contoso.test']);
    assert.equal(summary.subject, 'Rechnung für März');
    assert.equal(summary.date, '2026-11-22T10:00:00.000Z');
    assert.deepEqual(summary.attachments, [{ filename: 'data.bin', contentType: 'application/octet-stream', sizeBytes: 3000 }]);
  });

  it('refuses empty, binary, headerless and oversized files with a reason', async () => {
    await assert.rejects(summarizeEml(write('empty.eml', '')), (e: { code: string }) => e.code === 'eml.empty');
    await assert.rejects(summarizeEml(write('bin.eml', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1]))), (e: { code: string }) => e.code === 'eml.binary');
    await assert.rejects(summarizeEml(write('text.eml', 'just some text\nwith lines\n')), (e: { code: string }) => e.code === 'eml.no_headers');
    await assert.rejects(summarizeEml(write('nosep.eml', 'From: a@b.test\r\nSubject: x')), (e: { code: string }) => e.code === 'eml.no_body_separator');
    await assert.rejects(
      summarizeEml(write('big.eml', 'From: a@b.test\r\n\r\n' + 'x'.repeat(2048)), 1024),
      (e: { code: string }) => e.code === 'eml.too_large'
    );
  });
});
