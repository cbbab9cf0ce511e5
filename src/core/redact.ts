/**
 * Redaction of secrets in text that is about to be logged or shown. No `vscode` import: the same
 * rules protect the log channel, error messages and telemetry, and are unit-tested in plain Node.
 *
 * Two layers: values the extension knows are secret (registered with {@link SecretRedactor.add}),
 * and shapes that are secret wherever they appear (bearer tokens, JWTs, SASL XOAUTH2 strings,
 * OAuth parameters such as `code=`, `refresh_token=`, `client_secret=`).
 */

const REDACTED = '[redacted]';

/** Patterns for secrets the extension may not have registered (for example a server echoing one). */
const SHAPES: ReadonlyArray<[RegExp, string]> = [
  // A JWT (header.payload.signature, base64url): access and ID tokens, client assertions.
  [/\beyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/g, REDACTED],
  // HTTP Authorization headers and SASL "auth=Bearer" fields.
  [/\b(Bearer|Basic)\s+[\w\-.~+/]+=*/gi, `$1 ${REDACTED}`],
  // OAuth parameters in query strings, form bodies and JSON (RFC 6749 section 4.1, 5.1, 6).
  [
    /\b(code|refresh_token|access_token|id_token|client_secret|client_assertion|code_verifier|device_code|password)(["']?\s*[=:]\s*["']?)[^&"'\s,}]+/gi,
    `$1$2${REDACTED}`
  ],
  // SMTP "AUTH XOAUTH2 <base64>" and IMAP "AUTHENTICATE XOAUTH2 <base64>" lines (RFC 7628 / Google's XOAUTH2).
  [/\b(XOAUTH2|OAUTHBEARER)\s+[A-Za-z0-9+/]{12,}=*/g, `$1 ${REDACTED}`]
];

/**
 * How many values the redactor remembers. Tokens are registered on every refresh, for the life of
 * the window; without a bound the set (and the cost of each redaction) would only grow. Each add
 * of a known value makes it the newest again, so secrets in use (client secrets are read on every
 * token request, tokens on every use) stay while superseded ones age out first.
 */
export const MAX_KNOWN_SECRETS = 300;

export class SecretRedactor {
  /** In insertion order, oldest first: a Set iterates as values were added. */
  private readonly known = new Set<string>();

  constructor(private readonly maxKnown = MAX_KNOWN_SECRETS) {}

  /** Registers a value that must never appear in output. Values shorter than 6 chars are ignored (too likely to collide with normal text). */
  add(value: string | undefined): void {
    if (value && value.length >= 6) {
      this.known.delete(value);
      this.known.add(value);
      for (const oldest of this.known) {
        if (this.known.size <= this.maxKnown) break;
        this.known.delete(oldest);
      }
    }
  }

  /** Registers `next` in place of `previous` (a rotated token): the superseded value is forgotten. */
  replace(previous: string | undefined, next: string | undefined): void {
    if (previous !== next) this.delete(previous);
    this.add(next);
  }

  /** How many values are registered. */
  get size(): number {
    return this.known.size;
  }

  delete(value: string | undefined): void {
    if (value) {
      this.known.delete(value);
    }
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is removed whole.
    for (const value of [...this.known].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join(REDACTED);
    }
    for (const [pattern, replacement] of SHAPES) {
      out = out.replace(pattern, replacement);
    }
    return out;
  }
}
