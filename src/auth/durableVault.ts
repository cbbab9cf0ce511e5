/**
 * The auth engine's view of the vault: a write that fails (the OS keychain locked, the browser's
 * storage full) does not lose what it was writing. A freshly rotated refresh token is the only
 * copy there is (the old one is spent), so the value is kept in memory, served to readers, and
 * written again with a growing delay until a write succeeds. The owner is told once per key until
 * then. No `vscode` import.
 */
import type { SecretVault } from '../core/secretVault';

/** Delays before each new attempt at a failed write (the last repeats). */
const RETRY_DELAYS_MS = [2_000, 10_000, 60_000];

export interface DurableVaultEvents {
  /** The first failure to store `key` since it was last stored (the value is kept in memory). */
  onWriteFailed(key: string, error: unknown): void;
  /** A value kept in memory after a failure is now stored. */
  onWriteRecovered(key: string): void;
}

export class DurableVault implements SecretVault {
  private readonly unsaved = new Map<string, { value: string; attempt: number; timer?: ReturnType<typeof setTimeout> }>();
  /** Keys whose last write failed and was reported; reported again only after one succeeds. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly inner: SecretVault,
    private readonly events: DurableVaultEvents
  ) {}

  async get(key: string): Promise<string | undefined> {
    // What failed to be written is newer than what the vault holds.
    return this.unsaved.get(key)?.value ?? this.inner.get(key);
  }

  async store(key: string, value: string): Promise<void> {
    this.clear(key);
    try {
      await this.inner.store(key, value);
      this.stored(key);
    } catch (error) {
      this.unsaved.set(key, { value, attempt: 0 });
      if (!this.failing.has(key)) {
        this.failing.add(key);
        this.events.onWriteFailed(key, error);
      }
      this.scheduleRetry(key);
    }
  }

  async delete(key: string): Promise<void> {
    this.clear(key);
    this.failing.delete(key);
    await this.inner.delete(key);
  }

  private scheduleRetry(key: string): void {
    const entry = this.unsaved.get(key);
    if (!entry) return;
    const delay = RETRY_DELAYS_MS[Math.min(entry.attempt, RETRY_DELAYS_MS.length - 1)];
    entry.timer = setTimeout(() => void this.retry(key), delay);
    // A pending retry must not keep a test process or an extension host alive on its own.
    entry.timer.unref?.();
  }

  private async retry(key: string): Promise<void> {
    const entry = this.unsaved.get(key);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = undefined;
    try {
      await this.inner.store(key, entry.value);
      // Only if nothing newer was stored or deleted meanwhile.
      if (this.unsaved.get(key) === entry) {
        this.unsaved.delete(key);
        this.stored(key);
      }
    } catch {
      if (this.unsaved.get(key) !== entry) return;
      entry.attempt++;
      this.scheduleRetry(key);
    }
  }

  private stored(key: string): void {
    if (this.failing.delete(key)) this.events.onWriteRecovered(key);
  }

  private clear(key: string): void {
    const entry = this.unsaved.get(key);
    if (entry?.timer) clearTimeout(entry.timer);
    this.unsaved.delete(key);
  }

  dispose(): void {
    for (const key of this.unsaved.keys()) this.clear(key);
  }
}
