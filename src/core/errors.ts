/**
 * Typed errors. Every failure the user can meet is an {@link M365MailError} with a stable `code`
 * (an OAuth `error`, an `AADSTS…` number, an SMTP/IMAP reply code, or one of ours) and a message
 * that says what to do next. Codes are carried, never parsed back out of message text. No `vscode`
 * import: the command boundary (src/commands/registry.ts) decides how to show them.
 */
import type { SecretRedactor } from './redact';

const BRANDS = Symbol.for('m365mail.errorBrands');

/**
 * A step the user can take from an error's notification, e.g. "Send through Microsoft Graph
 * instead". The command boundary shows its title as a button and runs it, inside the boundary, when
 * it is chosen: what it throws is shown like any other failure of the command.
 */
export interface ErrorAction {
  /** The button's words (translated by whoever makes the action). */
  readonly title: string;
  run(): Promise<void>;
}

export interface ErrorOptions {
  cause?: unknown;
  nextStep?: string;
  /** Buttons beside the message; never shown in the log or sent as telemetry. */
  actions?: readonly ErrorAction[];
}

export class M365MailError extends Error {
  override readonly name: string = 'M365MailError';
  /** Names this class across bundles; subclasses set their own. */
  static readonly brand: string = 'M365MailError';

  /**
   * The extension's main bundle and each lazily loaded chunk (auth, smtp, imap) carry their own
   * copy of these classes, so a plain prototype check fails for an error thrown in a chunk and
   * caught at the command boundary. Every instance records the brands of its class chain, and
   * `instanceof` checks those instead.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    const brands = value && typeof value === 'object' ? (value as { [BRANDS]?: unknown })[BRANDS] : undefined;
    return Array.isArray(brands) && brands.includes(this.brand);
  }

  constructor(
    /** Stable, machine-readable: `AADSTS7000215`, `invalid_grant`, `smtp.535`, `timeout`, … */
    readonly code: string,
    /** What happened and what to do next, in words an admin can act on. Never holds a secret. */
    message: string,
    readonly options: ErrorOptions = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const brands: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && 'brand' in c; c = Object.getPrototypeOf(c)) brands.push((c as { brand: string }).brand);
    Object.defineProperty(this, BRANDS, { value: brands });
  }
}

/** The user cancelled (a cancel button, an Escape in a quick pick). Not a failure: never shown as an error. */
export class CancelledError extends M365MailError {
  override readonly name = 'CancelledError';
  static override readonly brand: string = 'CancelledError';

  constructor(message = 'Cancelled.') {
    super('cancelled', message);
  }
}

export function isCancelled(error: unknown): error is CancelledError {
  return error instanceof CancelledError;
}

/**
 * The same failure (code, message, next step) with buttons to act on it. A new error, the original
 * as its cause: errors thrown in a lazily loaded chunk are not changed after the fact.
 */
export function withActions(error: M365MailError, actions: readonly ErrorAction[], nextStep = error.options.nextStep): M365MailError {
  return new M365MailError(error.code, error.message, { ...error.options, cause: error, nextStep, actions: [...(error.options.actions ?? []), ...actions] });
}

/**
 * What a failure says to the user, in a notification or a webview: its message, then its next step,
 * through the redactor. Messages are written to hold no secret, but many carry a server's or a
 * library's words (an SMTP reply, an IMAP response, an HTTP body), and a server may echo a token.
 */
export function userMessage(error: M365MailError, redactor: Pick<SecretRedactor, 'redact'>): string {
  return redactor.redact(error.options.nextStep ? `${error.message} ${error.options.nextStep}` : error.message);
}
