import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withPrivateTempFile } from '../../../src/common/tempFile';

/** The text of an unsaved .eml may be private mail: it is on disk only while it is read, for its owner only. */
describe('private temporary file', () => {
  it('writes the text as a 0600 file in a folder of its own, and removes the folder afterwards', async () => {
    let seen: { file: string; text: string; mode: number; dirMode: number } | undefined;
    const result = await withPrivateTempFile('message.eml', 'Subject: hi\r\n\r\nbody', async (file) => {
      seen = {
        file,
        text: fs.readFileSync(file, 'utf8'),
        mode: fs.statSync(file).mode & 0o777,
        dirMode: fs.statSync(path.dirname(file)).mode & 0o777
      };
      return 42;
    });
    assert.equal(result, 42);
    assert.ok(seen);
    assert.equal(seen.text, 'Subject: hi\r\n\r\nbody');
    assert.equal(path.dirname(path.dirname(seen.file)), os.tmpdir(), 'in a folder of its own under the temp folder, not directly in it');
    if (process.platform !== 'win32') {
      assert.equal(seen.mode, 0o600);
      assert.equal(seen.dirMode, 0o700);
    }
    assert.equal(fs.existsSync(path.dirname(seen.file)), false, 'the folder is gone');
  });

  it('removes the folder when the reader fails too', async () => {
    let file = '';
    await assert.rejects(
      withPrivateTempFile('message.eml', 'x', async (f) => {
        file = f;
        throw new Error('parse failed');
      }),
      /parse failed/
    );
    assert.ok(file);
    assert.equal(fs.existsSync(path.dirname(file)), false);
  });

  it('keeps a file name that tries to leave its folder inside it', async () => {
    await withPrivateTempFile('../../escape.eml', 'x', async (file) => {
      assert.equal(path.basename(file), 'escape.eml');
      assert.match(path.basename(path.dirname(file)), /^m365-mail-/);
    });
  });
});
