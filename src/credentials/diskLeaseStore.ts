import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SecretVault } from '../core/secretVault';

/**
 * Where windows on one machine record which of them may spend a refresh token (auth/refreshLease.ts).
 * A lease names a random window ID and an expiry, nothing secret, so it lives in a file on the
 * extension host's disk: unlike SecretStorage in a browser tab, which loads once, a file is seen by
 * every window the moment it is written. One file per key; a rename makes each write whole.
 */
export class DiskLeaseStore implements Pick<SecretVault, 'get' | 'store' | 'delete'> {
  constructor(private readonly directory: string) {}

  async get(key: string): Promise<string | undefined> {
    try {
      return await fs.promises.readFile(this.fileOf(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  async store(key: string, value: string): Promise<void> {
    const file = this.fileOf(key);
    await fs.promises.mkdir(this.directory, { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.promises.writeFile(temporary, value);
    await fs.promises.rename(temporary, file);
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.fileOf(key), { force: true });
  }

  private fileOf(key: string): string {
    // Keys hold a credential ID; a hash keeps the name a plain file name whatever the key.
    return path.join(this.directory, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lease`);
  }
}
