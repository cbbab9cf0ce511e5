/**
 * Fakes of interfaces this project owns, for plain-Node tests and benchmarks: a SecretVault kept in
 * memory (VS Code's SecretStorage stands behind it in the extension) and a logger that keeps lines
 * so a test can assert what was, or was not, logged.
 */
import type { SecretVault } from '../../src/core/secretVault';

export class MemoryVault implements SecretVault {
  readonly values = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

export class LinesLogger {
  readonly lines: string[] = [];
  trace(m: string): void {
    this.lines.push(m);
  }
  debug(m: string): void {
    this.lines.push(m);
  }
  info(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(m);
  }
  error(m: string | Error): void {
    this.lines.push(String(m));
  }
  traceEnabled(): boolean {
    return true;
  }
}
