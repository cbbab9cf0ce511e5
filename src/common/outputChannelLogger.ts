import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';

/**
 * The extension's one log: a `LogOutputChannel` ("M365 Mail") whose every line passes through the
 * {@link SecretRedactor}. Components take a {@link Logger} tagged with their name, e.g. `[auth]`.
 */
export class OutputChannelLogger implements Logger, vscode.Disposable {
  static create(redactor: SecretRedactor): OutputChannelLogger {
    return new OutputChannelLogger(vscode.window.createOutputChannel('M365 Mail', { log: true }), redactor, undefined);
  }

  private constructor(
    readonly channel: vscode.LogOutputChannel,
    private readonly redactor: SecretRedactor,
    private readonly component: string | undefined
  ) {}

  /** A logger whose lines start with `[component]`. */
  child(component: string): OutputChannelLogger {
    return new OutputChannelLogger(this.channel, this.redactor, component);
  }

  traceEnabled(): boolean {
    return this.channel.logLevel === vscode.LogLevel.Trace;
  }

  // Lines below the channel's level are dropped before they are formatted and redacted.
  trace(message: string): void {
    if (this.traceEnabled()) this.channel.trace(this.format(message));
  }

  debug(message: string): void {
    const level = this.channel.logLevel;
    if (level === vscode.LogLevel.Trace || level === vscode.LogLevel.Debug) this.channel.debug(this.format(message));
  }

  info(message: string): void {
    this.channel.info(this.format(message));
  }

  warn(message: string): void {
    this.channel.warn(this.format(message));
  }

  error(message: string | Error): void {
    const text = message instanceof Error ? `${message.name}: ${message.message}` : message;
    this.channel.error(this.format(text));
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    // Only the root logger owns the channel.
    if (this.component === undefined) {
      this.channel.dispose();
    }
  }

  private format(message: string): string {
    const text = this.component ? `[${this.component}] ${message}` : message;
    return this.redactor.redact(text);
  }
}
