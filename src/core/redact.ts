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

export class SecretRedactor {
  private readonly known = new Set<string>();

  /** Registers a value that must never appear in output. Values shorter than 6 chars are ignored (too likely to collide with normal text). */
  add(value: string | undefined): void {
    if (value && value.length >= 6) {
      this.known.add(value);
    }
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
