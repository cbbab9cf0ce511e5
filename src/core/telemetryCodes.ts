/**
 * What of an error may go into telemetry. Error codes are mostly ours, but some come from the other
 * end: an OAuth `error` is whatever the authorization server wrote, an IMAP code is built from the
 * server's reply, a library's code from its own text. Telemetry must carry no user data (see
 * telemetry.json), so only codes known here are sent as they are; anything else becomes `other`.
 * No `vscode` import.
 */

/** The value sent for a code that is not known. */
export const OTHER_ERROR_CODE = 'other';

const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  // OAuth 2.0 (RFC 6749 sections 4.1.2.1 and 5.2), device grant (RFC 8628 section 3.5), OpenID Connect Core 3.1.2.6.
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'invalid_scope',
  'access_denied',
  'server_error',
  'temporarily_unavailable',
  'authorization_pending',
  'slow_down',
  'expired_token',
  'interaction_required',
  'login_required',
  'consent_required',
  'account_selection_required',
  // The extension's own.
  'xoauth2.empty',
  'xoauth2.not_base64',
  'xoauth2.no_user',
  'xoauth2.no_bearer',
  'xoauth2.bare_token',
  'xoauth2.oauthbearer',
  'xoauth2.opaque_token',
  'xoauth2.not_jwt',
  'already_used',
  'device_code',
  'invalid_endpoint',
  'invalid_response',
  'missing_issuer',
  'missing_secret',
  'no_token',
  'no_scopes',
  'not_authorized',
  'superseded',
  'window_stale',
  'state_mismatch',
  'timeout',
  'unexpected',
  'untrusted_endpoint',
  'invalid_certificate',
  // core/certificate.ts: why a certificate file or key was refused.
  'certificate.wrong_password',
  'certificate.no_key',
  'certificate.no_certificate',
  'certificate.not_a_certificate',
  'certificate.unsupported_cipher',
  'certificate.encrypted_key',
  'certificate.mismatch',
  'certificate.unreadable',
  'invalid_definition',
  'invalid_import',
  'no_credentials',
  'no_workspace_file',
  'not_supported',
  'nothing_to_export',
  'unknown_credential',
  'unknown_cloud',
  'invalid_destination',
  'eml.binary',
  'eml.empty',
  'eml.malformed',
  'eml.no_body_separator',
  'eml.no_headers',
  'eml.too_large',
  'imap.auth_failed',
  'imap.not_connected',
  'imap.invalid_folder',
  'imap.greeting',
  'imap.no_xoauth2',
  'imap.NO',
  'imap.BAD',
  'imap.BYE',
  'imap.error',
  'smtp.error',
  'smtp.no_starttls',
  'smtp.no_xoauth2',
  'smtp.starttls_injection',
  'network.dns',
  'network.refused',
  'network.timeout',
  'network.unreachable',
  'network.dropped',
  'tls.expired',
  'tls.not_yet_valid',
  'tls.hostname',
  'tls.not_tls',
  'tls.protocol',
  'tls.untrusted',
  'protocol.too_many_lines',
  'protocol.line_too_long',
  'protocol.literal_too_large',
  // Microsoft Graph: its error codes explained in mail/graph/graphErrors.ts, and the extension's own.
  'graph.ErrorAccessDenied',
  'graph.ErrorSendAsDenied',
  'graph.MailboxNotEnabledForRESTAPI',
  'graph.ErrorMimeContentInvalidBase64String',
  'graph.InvalidAuthenticationToken',
  'graph.Authorization_RequestDenied',
  'graph.ErrorInvalidRecipients',
  'graph.throttled',
  'graph.unavailable',
  'graph.too_large',
  'graph.client',
  'graph.foreign_host',
  'graph.needs_mail_readwrite',
  'graph.upload_host_refused',
  'graph.attachment_too_large',
  'graph.draft_too_large',
  'graph.no_endpoint'
]);

// Codes that are numbers by construction, so they cannot carry text: an Entra ID AADSTS number,
// an SMTP reply code with its enhanced status code (RFC 3463), e.g. "smtp.535 5.7.139".
const NUMERIC_CODES = [/^AADSTS\d{1,8}$/, /^smtp\.\d{3}( [245]\.\d{1,3}\.\d{1,3})?$/, /^graph\.\d{3}$/];

/** The `errorCode` telemetry may carry for an error's `code`: the code if known, `other` if not, empty for none. */
export function telemetryErrorCode(code: string | undefined): string {
  if (!code) return '';
  if (KNOWN_ERROR_CODES.has(code) || NUMERIC_CODES.some((pattern) => pattern.test(code))) return code;
  return OTHER_ERROR_CODE;
}
