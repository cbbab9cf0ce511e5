import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { M365MailError } from '../core/errors';
import type { Logger } from '../core/logger';

/** A secret every window can read: the revision of the credentials this window's storage holds. */
export const REVISION_SECRET = 'm365mail/revision';
const REVISION_FILE = 'revision.json';

interface RevisionRecord {
  revision: string;
  window: string;
}

/**
 * Whether this window still sees the credentials as they are. Every VS Code window runs its own
 * extension host, and they share SecretStorage and global state. In desktop VS Code a write in one
 * window reaches the others. In VS Code for the Web (code-server, Codespaces in a browser) it does
 * not: each browser tab reads its secrets once when it loads and later writes all of them back at
 * once, so a tab that loaded before another tab's change would serve a token that was signed out
 * there, spend a refresh token that was already rotated, and overwrite the newer secrets.
 *
 * So every change is recorded twice: a new revision in SecretStorage, and the same revision in a
 * small file on the extension host's disk, which every window of that machine sees at once (no
 * secret in it: a random revision and a random window ID). A window whose SecretStorage does not
 * hold the revision the file names is stale: it changes nothing, serves no token, and asks the user
 * to reload it. Without a disk (a folder that is not on this machine) the check is off.
 */
export class WindowCoherence implements vscode.Disposable {
  private readonly window = randomUUID();
  private readonly file: string | undefined;
  /** The newest revision this window wrote or saw in its own storage. */
  private current: string | undefined;
  /** The newest revision this window wrote. */
  private written: string | undefined;
  private stale = false;
  private readonly staleEmitter = new vscode.EventEmitter<void>();
  /** Fired once, when this window finds that it is stale. */
  readonly onDidBecomeStale = this.staleEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.staleEmitter];

  constructor(
    storageUri: vscode.Uri,
    private readonly secrets: vscode.SecretStorage,
    private readonly logger: Logger
  ) {
    if (storageUri.scheme !== 'file') {
      logger.debug(`global storage is ${storageUri.scheme}:, not on this machine: no check for stale windows`);
      return;
    }
    this.file = path.join(storageUri.fsPath, REVISION_FILE);
    try {
      fs.mkdirSync(storageUri.fsPath, { recursive: true });
      // Another window's change shows at once, not only at this window's next use.
      const watcher = fs.watch(storageUri.fsPath, (_event, name) => {
        if (name === REVISION_FILE) void this.check();
      });
      watcher.on('error', () => undefined);
      this.disposables.push({ dispose: () => watcher.close() });
    } catch (error) {
      logger.debug(`cannot watch ${REVISION_FILE}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Where a window that shares this disk keeps its coordination files (no secrets), if anywhere. */
  get directory(): string | undefined {
    return this.file ? path.dirname(this.file) : undefined;
  }

  /** True when another window changed the credentials and this one cannot see it. */
  isStale(): Promise<boolean> {
    return this.check();
  }

  /** Whether this window wrote `revision` last (its own change, echoed back). */
  isOwn(revision: string): boolean {
    return revision === this.written;
  }

  /** Throws when another window changed the credentials and this one cannot see it. */
  async ensureCurrent(): Promise<void> {
    if (await this.check()) throw staleError();
  }

  /** Records a change this window made (after it is stored), so the other windows can tell. */
  noteChange(): Promise<void> {
    // One at a time, so that the file names the revision the secret holds.
    const next = this.noting.then(() => this.record());
    this.noting = next.catch(() => undefined);
    return next;
  }

  private noting: Promise<void> = Promise.resolve();

  private async record(): Promise<void> {
    const revision = randomUUID();
    this.written = revision;
    await this.secrets.store(REVISION_SECRET, revision);
    this.current = revision;
    if (!this.file) return;
    const temporary = `${this.file}.${revision}.tmp`;
    try {
      await fs.promises.writeFile(temporary, JSON.stringify({ revision, window: this.window } satisfies RevisionRecord));
      // A rename replaces the file at once: a reader sees the old record or the new one, never half.
      await fs.promises.rename(temporary, this.file);
    } catch (error) {
      this.logger.warn(`could not record the change for other windows: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** True when this window is stale; reports it once. */
  private async check(): Promise<boolean> {
    if (this.stale) return true;
    const record = await this.read();
    if (!record || record.window === this.window || record.revision === this.current) return false;
    // Another window wrote. Desktop VS Code delivers its secrets here too: then this window is current.
    const seen = await this.secrets.get(REVISION_SECRET);
    if (seen === record.revision) {
      this.current = seen;
      return false;
    }
    // Read the file again: a window that just wrote may have written the secret after this read.
    const again = await this.read();
    if (again && again.revision !== record.revision) return false;
    this.stale = true;
    this.logger.warn('another window changed the credentials, and this window cannot see the change: it changes nothing until it is reloaded');
    this.staleEmitter.fire();
    return true;
  }

  private async read(): Promise<RevisionRecord | undefined> {
    if (!this.file) return undefined;
    try {
      const record = JSON.parse(await fs.promises.readFile(this.file, 'utf8')) as RevisionRecord;
      return typeof record.revision === 'string' && typeof record.window === 'string' ? record : undefined;
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}

function staleError(): M365MailError {
  return new M365MailError(
    'window_stale',
    vscode.l10n.t(
      'M365 Mail credentials were changed in another window or browser tab, and this one cannot see the change (VS Code in a browser keeps secrets per tab until it reloads). Nothing was changed or sent here.'
    ),
    { nextStep: vscode.l10n.t('Reload this window (Developer: Reload Window), then try again.') }
  );
}
