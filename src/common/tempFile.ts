/**
 * A file that exists only while a callback runs: the text of an unsaved editor that a library wants
 * as a path. The text may be a private mail, so it goes into a folder of its own made by `mkdtemp`
 * (0700, a name no other user can guess or pre-create) as a file only its owner may read (0600),
 * and the folder is removed afterwards, whatever the callback did. No `vscode` import.
 */
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export async function withPrivateTempFile<T>(fileName: string, content: string | Uint8Array, use: (file: string) => Promise<T>): Promise<T> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'm365-mail-'));
  try {
    const file = path.join(dir, path.basename(fileName));
    // 'wx': the file is new; mode applies on creation (the umask can only remove bits, and 0600 needs none added).
    await fs.writeFile(file, content, { mode: 0o600, flag: 'wx' });
    return await use(file);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
