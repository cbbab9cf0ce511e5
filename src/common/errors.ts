/**
 * Typed errors. Every failure the user can meet is an {@link M365MailError} with a stable `code`
 * (an OAuth `error`, an `AADSTS…` number, an SMTP/IMAP reply code, or one of ours) and a message
 * that says what to do next. Codes are carried, never parsed back out of message text. No `vscode`
 * import: the command boundary (src/commands/registry.ts) decides how to show them.
 */
export class M365MailError extends Error {
  override readonly name: string = 'M365MailError';

  constructor(
    /** Stable, machine-readable: `AADSTS7000215`, `invalid_grant`, `smtp.535`, `timeout`, … */
    readonly code: string,
    /** What happened and what to do next, in words an admin can act on. Never holds a secret. */
    message: string,
    readonly options: { cause?: unknown; nextStep?: string } = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The user cancelled (a cancel button, an Escape in a quick pick). Not a failure: never shown as an error. */
export class CancelledError extends M365MailError {
  override readonly name = 'CancelledError';

  constructor(message = 'Cancelled.') {
    super('cancelled', message);
  }
}

export function isCancelled(error: unknown): error is CancelledError {
  return error instanceof CancelledError;
}
