/**
 * Adapts the extension's logger to the bunyan-style logger nodemailer and imapflow accept, so the
 * SMTP/IMAP conversation lands in the one log. Lines still pass the redactor (XOAUTH2 strings,
 * bearer tokens); the libraries also mask credentials they know are secret. No `vscode` import.
 */
import { format } from 'node:util';

export interface LineLogger {
  trace(m: string): void;
  debug(m: string): void;
  info(m: string): void;
  warn(m: string): void;
  error(m: string): void;
  /** When false, the libraries' trace output is not even formatted (a page of envelopes is ~50 lines). */
  traceEnabled?(): boolean;
}

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export function libraryLogger(logger: LineLogger, prefix: string): Record<Level, (...args: unknown[]) => void> {
  const write =
    (level: Exclude<keyof LineLogger, 'traceEnabled'>) =>
    (...args: unknown[]) => {
      if (level === 'trace' && logger.traceEnabled && !logger.traceEnabled()) return;
      // nodemailer: (entry, format, ...values); imapflow: (entry) with entry.msg.
      const [first, ...rest] = args;
      let text: string;
      if (first && typeof first === 'object' && !Array.isArray(first)) {
        const entry = first as { msg?: unknown; cid?: unknown };
        text = typeof rest[0] === 'string' ? format(...(rest as [string, ...unknown[]])) : String(entry.msg ?? '');
      } else {
        text = format(...(args as [unknown, ...unknown[]]));
      }
      if (text) logger[level](`${prefix} ${text}`);
    };
  return { trace: write('trace'), debug: write('trace'), info: write('debug'), warn: write('warn'), error: write('error'), fatal: write('error') };
}
