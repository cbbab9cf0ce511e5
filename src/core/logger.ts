/**
 * The one logger interface. The host implements it over the redacted "M365 Mail" log channel
 * (src/common/outputChannelLogger.ts); the engines (auth, mail) take it as a dependency, so they log
 * into the same channel without importing `vscode`, and plain-Node tests pass a fake.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
  /**
   * Whether trace lines are kept: chatty sources (protocol conversations) skip their work when not.
   * A logger without it keeps everything.
   */
  traceEnabled?(): boolean;
}
