import type * as vscode from 'vscode';
import { SecretRedactor } from '../../../src/core/redact';
import type { Logger } from '../../../src/core/logger';

/** The test-runner extension's own ExtensionContext: real Memento and SecretStorage, isolated from the product's data. */
export function runnerContext(): vscode.ExtensionContext {
  const context = (globalThis as { m365mailTestContext?: vscode.ExtensionContext }).m365mailTestContext;
  if (!context) throw new Error('the runner extension did not publish its context');
  return context;
}

/** A logger that keeps lines in memory, so tests can assert what was (not) logged. */
export class MemoryLogger implements Logger {
  readonly lines: string[] = [];
  constructor(
    private readonly redactor = new SecretRedactor(),
    private readonly prefix = ''
  ) {}
  trace(m: string): void {
    this.lines.push(this.redactor.redact(this.prefix + m));
  }
  debug(m: string): void {
    this.lines.push(this.redactor.redact(this.prefix + m));
  }
  info(m: string): void {
    this.lines.push(this.redactor.redact(this.prefix + m));
  }
  warn(m: string): void {
    this.lines.push(this.redactor.redact(this.prefix + m));
  }
  error(m: string | Error): void {
    this.lines.push(this.redactor.redact(this.prefix + String(m)));
  }
  traceEnabled(): boolean {
    return true;
  }
  child(component: string): Logger {
    return new MemoryLogger(this.redactor, `[${component}] `);
  }
}
