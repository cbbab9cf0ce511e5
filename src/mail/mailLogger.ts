/**
 * Adapts the extension's logger to the bunyan-style logger nodemailer and imapflow accept, so the
 * SMTP/IMAP conversation lands in the one log. Lines still pass the redactor (XOAUTH2 strings,
 * bearer tokens); the libraries also mask credentials they know are secret. No `vscode` import.
 */
import { format } from 'node:util';
import type { Logger } from '../core/logger';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export function libraryLogger(logger: Logger, prefix: string): Record<Level, (...args: unknown[]) => void> {
  const write =
    (level: Exclude<keyof Logger, 'traceEnabled'>) =>
    (...args: unknown[]) => {
      // When trace is off, the libraries' trace output is not even formatted (a page of envelopes is ~50 lines).
      if (level === 'trace' && logger.traceEnabled?.() === false) return;
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
