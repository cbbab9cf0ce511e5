/**
 * Fakes of interfaces this project owns, for plain-Node tests, extension-host suites and benchmarks: a SecretVault kept in
 * memory (VS Code's SecretStorage stands behind it in the extension) and a logger that keeps lines
 * so a test can assert what was, or was not, logged.
 */
import { AuthError } from '../../src/auth/errors';
import type { SecretVault } from '../../src/core/secretVault';
import type { Logger } from '../../src/core/logger';
import type { SecretRedactor } from '../../src/core/redact';

/**
 * One SecretStorage as every window sees it: engines that share one instance are two windows.
 * `failWrites` makes the next writes of matching keys fail (a locked keychain).
 */
export class MemoryVault implements SecretVault {
  readonly values = new Map<string, string>();
  private readonly listeners = new Set<(key: string) => void>();
  /** Writes of keys matching this fail, this many more times. */
  failWrites: { match: RegExp; times: number } | undefined;

  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    if (this.failWrites && this.failWrites.times > 0 && this.failWrites.match.test(key)) {
      this.failWrites.times--;
      throw new Error('the keychain is locked');
    }
    this.values.set(key, value);
    this.changed(key);
  }
  async delete(key: string): Promise<void> {
    if (this.values.delete(key)) this.changed(key);
  }
  onDidChange(listener: (key: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  private changed(key: string): void {
    // Like SecretStorage.onDidChange: after the write, not inside it.
    queueMicrotask(() => this.listeners.forEach((listener) => listener(key)));
  }
}

export interface TestLoggerOptions {
  /** Keep nothing and report trace as off, like VS Code's default Info level with no one reading (benchmarks). */
  quiet?: boolean;
  /** Redact every line as the product's logger does; without it, a test sees exactly what a component logged. */
  redactor?: SecretRedactor;
}

/** The product's Logger that keeps its lines, so a test can assert what was, or was not, logged. */
export class TestLogger implements Logger {
  constructor(
    private readonly options: TestLoggerOptions = {},
    private readonly prefix = '',
    /** Shared with the loggers made by child(). */
    readonly lines: string[] = []
  ) {}
  private keep(message: string | Error): void {
    if (this.options.quiet) return;
    const line = this.prefix + String(message);
    this.lines.push(this.options.redactor ? this.options.redactor.redact(line) : line);
  }
  trace(m: string): void {
    this.keep(m);
  }
  debug(m: string): void {
    this.keep(m);
  }
  info(m: string): void {
    this.keep(m);
  }
  warn(m: string): void {
    this.keep(m);
  }
  error(m: string | Error): void {
    this.keep(m);
  }
  traceEnabled(): boolean {
    return !this.options.quiet;
  }
  child(component: string): Logger {
    return new TestLogger(this.options, `[${component}] `, this.lines);
  }
}

/**
 * A token server's refresh tokens, for fakes of the grant provider (our interface): each use
 * rotates the token, and a spent one used again revokes the whole grant, as servers with reuse
 * detection do (RFC 9700 section 4.14.2).
 */
export class RotatingRefreshTokens {
  private next = 1;
  private live = 'rt-0';
  private readonly spent = new Set<string>();
  revoked = false;

  /** Spends `used`: the serial of the answer (the new refresh token is `rt-<serial>`), or invalid_grant. */
  spend(used: string | undefined): number {
    const token = used ?? '';
    if (this.spent.has(token)) this.revoked = true;
    if (this.revoked || token !== this.live) throw new AuthError('invalid_grant', 'AADSTS70008: the refresh token was revoked.', {}, true);
    this.spent.add(token);
    const serial = this.next++;
    this.live = `rt-${serial}`;
    return serial;
  }

  /** A serial for an answer that spends no refresh token (a sign-in, an app-only token). */
  issue(): number {
    return this.next++;
  }

  /** The refresh token a sign-in hands out now. */
  current(): string {
    return this.live;
  }
}
