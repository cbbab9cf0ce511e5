/**
 * Which window may spend a credential's refresh token. Every window of VS Code runs its own
 * extension host; they share SecretStorage and, on one machine, a disk (the host passes a store on
 * disk where it can: a browser tab's SecretStorage does not show other tabs' writes). Two windows that refresh at once would both
 * spend the same refresh token, and a server that rotates refresh tokens treats the second use as
 * theft and revokes the whole grant (RFC 9700 section 4.14.2), signing the user out everywhere.
 *
 * Neither store has compare-and-set, so the lease follows Fischer's mutual exclusion: read the
 * lease; if nobody holds it, write our claim, wait longer than a write takes to land, and read it
 * again; only if our claim is still there do we hold it. The lease expires on its own, so a window
 * that dies while holding it blocks the others for at most LEASE_MS. No `vscode` import.
 */
import { randomUUID } from 'node:crypto';
import type { SecretVault } from '../core/secretVault';

/** Longer than a SecretStorage write takes to reach the other windows. */
const SETTLE_MS = 250;
/** How often a waiting window looks again. */
const POLL_MS = 250;
/** A holder that has not released by then is presumed gone (a refresh takes seconds). */
const LEASE_MS = 60_000;

interface LeaseRecord {
  holder: string;
  until: number;
}

export type LeaseOutcome = { held: true; release(): Promise<void> } | { held: false };

export class RefreshLease {
  /** This engine (one per extension host, that is one per window). */
  private readonly holder = randomUUID();

  constructor(
    private readonly vault: Pick<SecretVault, 'get' | 'store' | 'delete'>,
    private readonly now: () => number = Date.now
  ) {}

  /**
   * Holds the lease at `key`, or waits while another window holds it. `settled()` is asked after
   * each wait: when it says the work is done (the other window stored fresh tokens), this returns
   * `{ held: false }` without taking the lease.
   */
  async acquire(key: string, settled: () => Promise<boolean>, signal?: AbortSignal): Promise<LeaseOutcome> {
    const deadline = this.now() + LEASE_MS;
    while (this.now() < deadline && !signal?.aborted) {
      // Asked before every claim, not only after a wait: a window that may not refresh (it throws)
      // or need not (it says so) never writes a claim that could outlive it.
      if (await settled()) return { held: false };
      const current = await this.read(key);
      if (!current || current.until <= this.now() || current.holder === this.holder) {
        await this.vault.store(key, JSON.stringify({ holder: this.holder, until: this.now() + LEASE_MS } satisfies LeaseRecord));
        await pause(SETTLE_MS);
        const after = await this.read(key);
        if (after?.holder === this.holder) return { held: true, release: () => this.release(key) };
      } else {
        await pause(POLL_MS);
      }
    }
    // The holder never released nor stored tokens: go ahead rather than never refresh.
    return { held: true, release: () => this.release(key) };
  }

  private async release(key: string): Promise<void> {
    const current = await this.read(key);
    if (current?.holder === this.holder) await this.vault.delete(key);
  }

  private async read(key: string): Promise<LeaseRecord | undefined> {
    const text = await this.vault.get(key);
    if (!text) return undefined;
    try {
      const record = JSON.parse(text) as LeaseRecord;
      return typeof record.holder === 'string' && typeof record.until === 'number' ? record : undefined;
    } catch {
      return undefined;
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
