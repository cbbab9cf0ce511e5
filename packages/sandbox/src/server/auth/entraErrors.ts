/**
 * Entra ID's error vocabulary: the AADSTS codes the sandbox answers with, the JSON shape of the token
 * endpoint's errors, and the translation of oidc-provider's own errors into that vocabulary.
 */
import { randomUUID } from 'node:crypto';
import { SANDBOX_TENANT } from '../fixtures';

export interface EntraError {
  /** OAuth `error` value. */
  error: string;
  /** AADSTS number. */
  code: number;
  /** Text after `AADSTS<code>: `. */
  message: string;
  /** Entra's `suberror` (MSAL reads it to decide whether interaction can help). */
  suberror?: string;
  /** HTTP status at the token endpoint (Entra: 400, 401 for invalid_client). */
  status?: number;
}

/** The AADSTS codes the sandbox can answer with (faults may name any of them). */
export function entraError(
  code: number,
  context: { clientId?: string; clientName?: string; redirectUri?: string; resource?: string; detail?: string } = {}
): EntraError {
  const app = context.clientId ?? 'unknown';
  switch (code) {
    case 7000215:
      return {
        error: 'invalid_client',
        code,
        status: 401,
        message: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app}'.`
      };
    case 7000222:
      return {
        error: 'invalid_client',
        code,
        status: 401,
        message: `The provided client secret keys for app '${app}' are expired. Visit the Azure portal to create new keys for your app.`
      };
    case 700027:
      return { error: 'invalid_client', code, status: 401, message: `Client assertion failed signature validation. ${context.detail ?? ''}`.trim() };
    case 7000218:
      return {
        error: 'invalid_client',
        code,
        status: 401,
        message: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."
      };
    case 700016:
      return {
        error: 'unauthorized_client',
        code,
        status: 400,
        message: `Application with identifier '${app}' was not found in the directory '${SANDBOX_TENANT.displayName}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`
      };
    case 50011:
      return {
        error: 'invalid_request',
        code,
        message: `The redirect URI '${context.redirectUri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${app}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`
      };
    case 65004:
      return { error: 'access_denied', code, message: 'User declined to consent to access the app.' };
    case 65001:
      return {
        error: 'invalid_grant',
        code,
        suberror: 'consent_required',
        message: `The user or administrator has not consented to use the application with ID '${app}' named '${context.clientName ?? app}'. Send an interactive authorization request for this user and resource.`
      };
    case 90094:
      return { error: 'invalid_grant', code, suberror: 'consent_required', message: `The grant requires admin permission.` };
    case 50076:
      return {
        error: 'invalid_grant',
        code,
        suberror: 'basic_action',
        message: `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${context.resource ?? 'https://outlook.office.com'}'.`
      };
    case 50079:
      return {
        error: 'invalid_grant',
        code,
        suberror: 'basic_action',
        message:
          'Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication.'
      };
    case 50173:
      return {
        error: 'invalid_grant',
        code,
        message: 'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.'
      };
    case 70043:
      return {
        error: 'invalid_grant',
        code,
        suberror: 'bad_token',
        message: 'The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.'
      };
    case 700082:
      return {
        error: 'invalid_grant',
        code,
        message: 'The refresh token has expired due to inactivity. The token was issued and was inactive for 90.00:00:00.'
      };
    case 70008:
      return {
        error: 'invalid_grant',
        code,
        message:
          'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.'
      };
    case 54005:
      return {
        error: 'invalid_grant',
        code,
        message: 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.'
      };
    case 501481:
      return { error: 'invalid_grant', code, message: 'The Code_Verifier does not match the code_challenge supplied in the authorization request.' };
    case 500112:
      return { error: 'invalid_grant', code, message: 'The reply address does not match the reply address provided when requesting Authorization code.' };
    case 70016:
      return { error: 'authorization_pending', code, message: 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.' };
    case 70020:
      return { error: 'expired_token', code, message: "The provided value for the input parameter 'device_code' is not valid. This device code has expired." };
    case 70011:
      return {
        error: 'invalid_scope',
        code,
        message:
          `The provided request must include a 'scope' input parameter, or the provided value for the input parameter 'scope' is not valid. ${context.detail ?? ''}`.trim()
      };
    case 500011:
      return {
        error: 'invalid_resource',
        code,
        message: `The resource principal named ${context.resource ?? context.detail ?? ''} was not found in the tenant named ${SANDBOX_TENANT.displayName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`
      };
    case 70003:
      return { error: 'unsupported_grant_type', code, message: `The app requested an unsupported grant type '${context.detail ?? ''}'.` };
    case 9002325:
      return { error: 'invalid_request', code, message: 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.' };
    case 50126:
      return { error: 'invalid_grant', code, message: 'Error validating credentials due to invalid username or password.' };
    case 50034:
      return {
        error: 'invalid_grant',
        code,
        message: 'The user account does not exist in the directory. To sign into this application, the account must be added to the directory.'
      };
    case 900144:
      return { error: 'invalid_request', code, message: `The request body must contain the following parameter: '${context.detail ?? ''}'.` };
  }
  return { error: 'invalid_request', code, message: context.detail ?? 'Invalid request. Request is malformed or invalid.' };
}

/** Entra's `timestamp` format: `2024-05-01 12:34:56Z`. */
function entraTimestamp(date = new Date()): string {
  return date
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** The JSON body Entra's token endpoint answers an error with. */
export function entraErrorBody(e: EntraError): Record<string, unknown> {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = entraTimestamp();
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [e.code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    ...(e.suberror ? { suberror: e.suberror } : {}),
    error_uri: `https://login.microsoftonline.com/error?code=${e.code}`
  };
}

/** Parameters of an error redirect back to the client (authorization endpoint). */
export function entraRedirectParams(e: EntraError): Record<string, string> {
  const body = entraErrorBody(e);
  return {
    error: e.error,
    error_description: `AADSTS${e.code}: ${e.message}`,
    error_codes: String(e.code),
    error_uri: String(body.error_uri),
    timestamp: String(body.timestamp),
    trace_id: String(body.trace_id),
    correlation_id: String(body.correlation_id),
    ...(e.suberror ? { suberror: e.suberror } : {})
  };
}

export interface ProviderErrorContext {
  route: 'token' | 'authorization' | 'device_authorization' | string;
  clientId?: string;
  /** The client id names a registered app. */
  clientKnown: boolean;
  /** How the known client authenticates (to name the right invalid_client code). */
  clientAuth?: string;
  grantType?: string;
  redirectUri?: string;
}

/** Translates one of oidc-provider's errors (`error`, `error_description`) into Entra's. */
export function fromProviderError(error: string, description: string, ctx: ProviderErrorContext): EntraError {
  const d = description ?? '';
  const c = { clientId: ctx.clientId, redirectUri: ctx.redirectUri, detail: d };
  if (error === 'invalid_client' || (!ctx.clientKnown && ctx.clientId)) {
    if (!ctx.clientKnown) return entraError(700016, c);
    if (ctx.clientAuth === 'private_key_jwt') return entraError(700027, c);
    if (ctx.clientAuth === 'none') return entraError(7000218, c);
    return entraError(7000215, c);
  }
  if (error === 'invalid_redirect_uri' || /redirect_uri did not match/.test(d)) return entraError(50011, c);
  if (error === 'invalid_grant') {
    if (/refresh token is expired/.test(d)) return entraError(700082, c);
    if (/refresh token (not found|already used)|grant request is invalid|grant not found/.test(d)) return entraError(70008, c);
    if (/authorization code (is expired|not found)/.test(d)) return entraError(70008, c);
    if (/already used|consumed/.test(d)) return entraError(54005, c);
    if (/PKCE|code_verifier/.test(d)) return entraError(501481, c);
    if (/redirect_uri mismatch/.test(d)) return entraError(500112, c);
    if (/device code/.test(d)) return entraError(70020, c);
    return { ...entraError(70000, c), error: 'invalid_grant', message: `The provided value for the 'code' or 'refresh_token' parameter is not valid. (${d})` };
  }
  if (error === 'authorization_pending') return entraError(70016, c);
  if (error === 'expired_token') return entraError(70020, c);
  if (error === 'access_denied') {
    if (ctx.route === 'token') return { error: 'authorization_declined', code: 65004, message: 'User declined to consent to access the app.' };
    return entraError(65004, c);
  }
  if (error === 'invalid_scope') return entraError(70011, c);
  if (error === 'invalid_target') return entraError(500011, c);
  if (error === 'unsupported_grant_type' || error === 'unauthorized_client') return entraError(70003, { ...c, detail: ctx.grantType ?? d });
  if (error === 'invalid_request' && /code_challenge/.test(d)) return entraError(9002325, c);
  if (error === 'invalid_request' && /missing required parameter '([^']+)'/.test(d)) {
    return entraError(900144, { ...c, detail: /missing required parameter '([^']+)'/.exec(d)?.[1] });
  }
  return { error: error || 'invalid_request', code: 9002313, message: `Invalid request. Request is malformed or invalid. (${d})` };
}
