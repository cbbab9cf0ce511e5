/**
 * Authorization failures as typed errors. Each carries the protocol's own code: the Entra ID
 * `AADSTS<n>` number (from `error_codes`, or once from the description's prefix where that is the
 * only carrier), else the OAuth `error` (RFC 6749 section 5.2), else one of ours (`state_mismatch`,
 * `timeout`, `network.*`, `tls.untrusted`, `invalid_endpoint`). Messages say what to do next and
 * pass the redactor. No `vscode` import.
 */
import { M365MailError } from '../core/errors';
import { formatCertificateLine, type CertificateSummary } from '../net/certificateChain';
import { explainNetworkFailure, isCertificateFailure, type NetworkTarget } from '../net/networkErrors';

export class AuthError extends M365MailError {
  override readonly name = 'AuthError';
  static override readonly brand: string = 'AuthError';

  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; nextStep?: string } = {},
    /** The grant is gone (refresh token expired or revoked): the credential shows Expired. */
    readonly grantExpired = false
  ) {
    super(code, message, options);
  }
}

interface Advice {
  message: string;
  nextStep: string;
  grantExpired?: boolean;
}

/** What each Entra ID error means for someone setting up a mail credential (AADSTS codes as Microsoft Entra documents them). */
const AADSTS_ADVICE: Record<number, Advice> = {
  50011: {
    message: 'The redirect URI sent does not match one registered for the app (AADSTS50011).',
    nextStep:
      'Run "Copy redirect URI" and add it under Authentication in the app registration (http://localhost for the loopback sign-in; Web platform for a confidential client, Mobile and desktop for a public client).'
  },
  65001: {
    message: "The user or an administrator has not consented to the app's permissions (AADSTS65001).",
    nextStep: 'Sign in again and accept the consent page, or have an admin grant consent with "Open admin consent page".'
  },
  65004: {
    message: 'The user declined the consent page (AADSTS65004).',
    nextStep: 'Authorize again and choose Accept, or ask an admin to grant consent for the organization with "Open admin consent page".'
  },
  90094: {
    message: "The permissions need an administrator's consent (AADSTS90094).",
    nextStep: 'Ask a tenant admin to run "Open admin consent page" for this app, then authorize again.'
  },
  700016: {
    message: 'The app (client ID) was not found in this tenant (AADSTS700016).',
    nextStep: 'Check the client ID and the tenant; a single-tenant app must be used with its own tenant ID or domain, not "common" or "organizations".'
  },
  7000215: {
    message: 'The client secret is wrong (AADSTS7000215).',
    nextStep:
      "Paste the secret's Value, not its Secret ID: Certificates & secrets → copy the Value column (shown once, right after creating it). Edit the credential to replace it."
  },
  7000222: {
    message: 'The client secret has expired (AADSTS7000222).',
    nextStep: 'Create a new client secret in the app registration and edit the credential to use it.'
  },
  70008: {
    message: 'The refresh token has expired or was revoked (AADSTS70008).',
    nextStep: 'Authorize the credential again. Refresh tokens are revoked by password resets and admin action.',
    grantExpired: true
  },
  700082: {
    message: 'The refresh token expired after a period of inactivity (AADSTS700082).',
    nextStep: 'Authorize the credential again. M365 Mail renews tokens before the configured expiry while VS Code is used.',
    grantExpired: true
  },
  50173: {
    message: 'The grant was revoked, for example after a password change (AADSTS50173).',
    nextStep: 'Authorize the credential again.',
    grantExpired: true
  },
  50076: {
    message: 'Multi-factor authentication is required for this sign-in (AADSTS50076).',
    nextStep: 'Authorize in the browser and complete the MFA prompt; silent refresh cannot satisfy MFA.'
  },
  50079: {
    message: 'The user must register for multi-factor authentication (AADSTS50079).',
    nextStep: 'Sign in once at https://aka.ms/mfasetup, then authorize again.'
  },
  90072: {
    message: 'The account is not in this tenant (AADSTS90072).',
    nextStep: 'Sign in with an account of the tenant, or add the user as a guest; check the tenant of the credential.'
  },
  70043: {
    message: 'A sign-in frequency (Conditional Access) policy requires signing in again (AADSTS70043).',
    nextStep: 'Authorize the credential again.',
    grantExpired: true
  },
  7000218: {
    message: 'Public client flows are not allowed for this app (AADSTS7000218): the request needs a client secret or certificate.',
    nextStep: 'In the app registration, Authentication → "Allow public client flows" = Yes (needed for device code), or give the credential a client secret.'
  },
  700024: { message: 'The client assertion is not within its valid time range (AADSTS700024).', nextStep: 'Check the clock of this machine.' },
  700027: {
    message: 'The certificate is not registered for the app, or the signature is wrong (AADSTS700027).',
    nextStep: "Upload the certificate's public part under Certificates & secrets, or select the right certificate in the credential."
  },
  50126: { message: 'Wrong user name or password (AADSTS50126).', nextStep: 'Sign in again with the right account.' },
  53003: {
    message: 'Access was blocked by a Conditional Access policy (AADSTS53003).',
    nextStep: 'Ask the tenant admin which policy applies (sign-in logs show it).'
  },
  9002313: { message: 'The request was malformed (AADSTS9002313).', nextStep: 'Check the tenant, client ID and scopes of the credential.' }
};

const OAUTH_ADVICE: Record<string, Advice> = {
  access_denied: {
    message: 'The sign-in was declined: consent was not given (access_denied).',
    nextStep: 'Authorize again and accept the permissions, or ask an admin to grant consent.'
  },
  invalid_client: {
    message: 'The authorization server did not accept the client (invalid_client).',
    nextStep: 'Check the client ID, the client secret or certificate, and the client authentication method.'
  },
  invalid_grant: {
    message: 'The authorization grant or refresh token is invalid, expired or revoked (invalid_grant).',
    nextStep: 'Authorize the credential again.',
    grantExpired: true
  },
  invalid_scope: {
    message: 'A scope was refused (invalid_scope).',
    nextStep: "Edit the credential's scopes; Gmail wants https://mail.google.com/, Microsoft 365 the outlook.office.com scopes of its cloud."
  },
  unauthorized_client: {
    message: 'The client may not use this grant (unauthorized_client).',
    nextStep: 'Enable the grant for the app at the provider (device code, client credentials, refresh tokens).'
  },
  expired_token: {
    message: 'The device code expired before the sign-in was completed (expired_token).',
    nextStep: 'Start the device code sign-in again and enter the code within its time.'
  },
  interaction_required: {
    message: 'The provider requires an interactive sign-in (interaction_required).',
    nextStep: 'Authorize the credential again in the browser.'
  },
  consent_required: { message: 'Consent is required (consent_required).', nextStep: 'Authorize again and accept the consent page.' },
  login_required: { message: 'A sign-in is required (login_required).', nextStep: 'Authorize the credential again.' }
};

export interface OAuthErrorBody {
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

/** The AADSTS number of an Entra ID error, from `error_codes`, else the description's prefix. */
function aadstsCode(body: OAuthErrorBody): number | undefined {
  if (Array.isArray(body.error_codes) && typeof body.error_codes[0] === 'number') return body.error_codes[0];
  const match = /AADSTS(\d+)/.exec(body.error_description ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Builds the typed error for an OAuth error response (token endpoint JSON or authorization redirect parameters). */
export function oauthError(body: OAuthErrorBody, cause?: unknown): AuthError {
  const aadsts = aadstsCode(body);
  const serverText = (body.error_description ?? '')
    .split(/\r?\n/)[0]
    .replace(/\s*Trace ID:.*$/i, '')
    .trim();
  if (aadsts !== undefined) {
    const advice = AADSTS_ADVICE[aadsts];
    const message = advice?.message ?? `The sign-in failed: ${serverText || body.error || 'unknown error'}.`;
    return new AuthError(
      `AADSTS${aadsts}`,
      message,
      { cause, nextStep: advice?.nextStep ?? 'Look the code up at https://login.microsoftonline.com/error?code=' + aadsts },
      advice?.grantExpired ?? false
    );
  }
  const error = body.error ?? 'server_error';
  const advice = OAUTH_ADVICE[error];
  const message = advice
    ? `${advice.message}${serverText ? ` The server said: "${serverText}".` : ''}`
    : `The authorization server answered "${error}"${serverText ? `: ${serverText}` : ''}.`;
  return new AuthError(error, message, { cause, nextStep: advice?.nextStep }, advice?.grantExpired ?? false);
}

export function stateMismatch(): AuthError {
  return new AuthError('state_mismatch', 'The sign-in response does not belong to this sign-in (its state does not match).', {
    nextStep: 'Authorize again, and finish only the newest browser tab. If you pasted a URL, paste the one from this sign-in.'
  });
}

export function invalidEndpoint(url: string, reason: string): AuthError {
  return new AuthError('invalid_endpoint', `The endpoint ${url} cannot be used: ${reason}.`, {
    nextStep: 'Edit the credential: endpoints must be https:// URLs (plain http only for 127.0.0.1 or localhost).'
  });
}

/** A generic credential saved before the issuer was required: its `iss` checks need one, and it is never taken from a response. */
export function missingIssuer(): AuthError {
  return new AuthError('missing_issuer', 'The credential has no issuer, so the sign-in response cannot be checked to come from its authorization server.', {
    nextStep: "Edit the credential and set its Issuer (the authorization server's identifier, e.g. https://accounts.google.com)."
  });
}

/** A token or device endpoint that nothing vouches for, and that the user did not confirm: nothing was sent to it. */
export function untrustedEndpoint(host: string, issuer: string): AuthError {
  return new AuthError(
    'untrusted_endpoint',
    `Nothing was sent to ${host}: it is not on the sign-in page's site, the issuer ${issuer} does not name it, and it was not confirmed.`,
    { nextStep: "Authorize again and confirm the host only if it belongs to your provider, or edit the credential's token URL." }
  );
}

/** A device authorization reply the extension will not act on (core/deviceCode.ts says what is checked). */
export function untrustedDeviceAuthorization(problem: string): AuthError {
  return new AuthError('invalid_endpoint', problem, {
    nextStep: 'Check the device authorization URL of the credential: the server it names sent a verification page that is not https.'
  });
}

function authTarget(host: string): NetworkTarget {
  return {
    name: host,
    nextSteps: {
      'network.dns': "Check the tenant/cloud or endpoint URL, and this machine's DNS and proxy.",
      'network.refused': 'Check the endpoint URL and port.',
      'network.timeout': 'Check the network, proxy and firewall.'
    }
  };
}

/**
 * Builds the typed error for a failure below HTTP (DNS, TCP, TLS), through the classifier shared
 * with the mail engine; a certificate failure names the chain the server presented.
 */
export function networkError(url: string, error: unknown, chain: readonly CertificateSummary[] = []): AuthError {
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = error instanceof Error ? error.message : String(error);
  const host = (() => {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  })();
  const explained = explainNetworkFailure({ code, message }, authTarget(host));
  if (!explained) {
    return new AuthError('network.unreachable', `${host} cannot be reached: ${message}.`, {
      cause: error,
      nextStep: 'Check the network connection and proxy settings.'
    });
  }
  const shownChain = isCertificateFailure(explained.code) && chain.length ? ` Chain: ${chain.map(formatCertificateLine).join(' ‖ ')}` : '';
  return new AuthError(explained.code, `${explained.message}${shownChain}`, { cause: error, nextStep: explained.nextStep });
}
