import * as assert from 'node:assert/strict';
import { checkEmlSize, summarizeEml } from '../../../src/mail/eml/emlSummary';
import { multipartEml } from '../../support/emlFixtures';

describe('.eml summary', () => {
  // The bytes as the command gets them (a file read whole, or an editor's text as UTF-8).
  const bytes = (content: string | Buffer) => (typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  const refusedWith = (code: string) => (e: { code: string }) => e.code === code;

  it('reads addresses, an RFC 2047 subject and attachments with sizes', async () => {
    const message = multipartEml(
      [
        'From: "Adele Vance" <adele@contoso.test>',
        'To: megan@contoso.test, Team: a@contoso.test, b@contoso.test;',
        'Cc: c@contoso.test',
        'Subject: =?UTF-8?B?UmVjaG51bmcgZsO8ciBNw6Ryeg==?=',
        'Date: Sun, 22 Nov 2026 10:00:00 +0000',
        'Message-ID: <1@contoso.test>'
      ],
      'Hello',
      { filename: 'data.bin', bytes: Buffer.alloc(3000, 7) }
    );
    const summary = await summarizeEml(message);
    assert.equal(summary.from, 'adele@contoso.test');
    assert.deepEqual(summary.to, ['megan@contoso.test', 'a@contoso.test', 'b@contoso.test']);
    assert.deepEqual(summary.cc, ['c@contoso.test']);
    assert.equal(summary.subject, 'Rechnung für März');
    assert.equal(summary.date, '2026-11-22T10:00:00.000Z');
    assert.deepEqual(summary.attachments, [{ filename: 'data.bin', contentType: 'application/octet-stream', sizeBytes: 3000 }]);
  });

  it('refuses empty, binary, headerless and oversized files with a reason', async () => {
    await assert.rejects(summarizeEml(bytes('')), refusedWith('eml.empty'));
    await assert.rejects(summarizeEml(bytes(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 1]))), refusedWith('eml.binary'));
    await assert.rejects(summarizeEml(bytes('just some text\nwith lines\n')), refusedWith('eml.no_headers'));
    await assert.rejects(summarizeEml(bytes('From: a@b.test\r\nSubject: x')), refusedWith('eml.no_body_separator'));
    await assert.rejects(summarizeEml(bytes('From: a@b.test\r\n\r\n' + 'x'.repeat(2048)), 1024), refusedWith('eml.too_large'));
  });

  it('refuses a NUL anywhere in the message, also after the first 64 KB, with the same reason', async () => {
    const head = 'From: a@b.test\r\nSubject: late NUL\r\n\r\n';
    const late = Buffer.concat([Buffer.from(head + 'x'.repeat(100 * 1024)), Buffer.from([0]), Buffer.from('tail\r\n')]);
    await assert.rejects(summarizeEml(late), (e: { code: string; message: string; options: { nextStep?: string } }) => {
      assert.equal(e.code, 'eml.binary');
      assert.equal(e.message, 'The file is binary, not an RFC 5322 message (it contains NUL bytes).');
      assert.match(e.options.nextStep ?? '', /\.msg files are not \.eml/);
      return true;
    });
    // The same message without the NUL is fine.
    const clean = Buffer.concat([Buffer.from(head + 'x'.repeat(100 * 1024)), Buffer.from('tail\r\n')]);
    assert.equal((await summarizeEml(clean)).subject, 'late NUL');
  });

  it('refuses an empty or oversized file from its size alone, before reading it', () => {
    assert.throws(() => checkEmlSize(0), refusedWith('eml.empty'));
    assert.throws(
      () => checkEmlSize(151 * 1024 * 1024),
      (e: { code: string; message: string }) => e.code === 'eml.too_large' && /151\.0 MB, over the 150 MB limit/.test(e.message)
    );
    assert.doesNotThrow(() => checkEmlSize(35 * 1024 * 1024));
  });

  it('reads only the view it is given when the bytes are part of a larger buffer', async () => {
    // VS Code's readFile may hand back a view into a pooled ArrayBuffer: NULs outside it are not the file's.
    const message = Buffer.from('From: a@b.test\r\nSubject: view\r\n\r\nbody\r\n');
    const pool = Buffer.concat([Buffer.alloc(16), message, Buffer.alloc(16)]);
    const view = new Uint8Array(pool.buffer, pool.byteOffset + 16, message.length);
    const summary = await summarizeEml(view);
    assert.equal(summary.subject, 'view');
    assert.equal(summary.sizeBytes, message.length);
  });
});
