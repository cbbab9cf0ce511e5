/**
 * Authorization failures as typed errors. Each carries the protocol's own code: the Entra ID
 * `AADSTS<n>` number (from `error_codes`, or once from the description's prefix where that is the
 * only carrier), else the OAuth `error` (RFC 6749 section 5.2), else one of ours (`state_mismatch`,
 * `timeout`, `network.*`, `tls.untrusted`, `invalid_endpoint`). Messages say what to do next and
 * pass the redactor. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
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
  /** Functions: the words are looked up in the display language when a failure is explained. */
  message: () => string;
  nextStep: () => string;
  grantExpired?: boolean;
}

/** What each Entra ID error means for someone setting up a mail credential (AADSTS codes as Microsoft Entra documents them). */
const AADSTS_ADVICE: Record<number, Advice> = {
  50011: {
    message: () => l10n.t('The redirect URI sent does not match one registered for the app (AADSTS50011).'),
    nextStep: () =>
      l10n.t(
        'Run "Copy redirect URI" and add it under Authentication in the app registration (http://localhost for the loopback sign-in; Web platform for a confidential client, Mobile and desktop for a public client).'
      )
  },
  65001: {
    message: () => l10n.t("The user or an administrator has not consented to the app's permissions (AADSTS65001)."),
    nextStep: () => l10n.t('Sign in again and accept the consent page, or have an admin grant consent with "Open admin consent page".')
  },
  65004: {
    message: () => l10n.t('The user declined the consent page (AADSTS65004).'),
    nextStep: () => l10n.t('Authorize again and choose Accept, or ask an admin to grant consent for the organization with "Open admin consent page".')
  },
  90094: {
    message: () => l10n.t("The permissions need an administrator's consent (AADSTS90094)."),
    nextStep: () => l10n.t('Ask a tenant admin to run "Open admin consent page" for this app, then authorize again.')
  },
  700016: {
    message: () => l10n.t('The app (client ID) was not found in this tenant (AADSTS700016).'),
    nextStep: () =>
      l10n.t('Check the client ID and the tenant; a single-tenant app must be used with its own tenant ID or domain, not "common" or "organizations".')
  },
  7000215: {
    message: () => l10n.t('The client secret is wrong (AADSTS7000215).'),
    nextStep: () =>
      l10n.t(
        "Paste the secret's Value, not its Secret ID: Certificates & secrets → copy the Value column (shown once, right after creating it). Edit the credential to replace it."
      )
  },
  7000222: {
    message: () => l10n.t('The client secret has expired (AADSTS7000222).'),
    nextStep: () => l10n.t('Create a new client secret in the app registration and edit the credential to use it.')
  },
  70008: {
    message: () => l10n.t('The refresh token has expired or was revoked (AADSTS70008).'),
    nextStep: () => l10n.t('Authorize the credential again. Refresh tokens are revoked by password resets and admin action.'),
    grantExpired: true
  },
  700082: {
    message: () => l10n.t('The refresh token expired after a period of inactivity (AADSTS700082).'),
    nextStep: () => l10n.t('Authorize the credential again. M365 Mail renews tokens before the configured expiry while VS Code is used.'),
    grantExpired: true
  },
  50173: {
    message: () => l10n.t('The grant was revoked, for example after a password change (AADSTS50173).'),
    nextStep: () => l10n.t('Authorize the credential again.'),
    grantExpired: true
  },
  50076: {
    message: () => l10n.t('Multi-factor authentication is required for this sign-in (AADSTS50076).'),
    nextStep: () => l10n.t('Authorize in the browser and complete the MFA prompt; silent refresh cannot satisfy MFA.')
  },
  50079: {
    message: () => l10n.t('The user must register for multi-factor authentication (AADSTS50079).'),
    nextStep: () => l10n.t('Sign in once at https://aka.ms/mfasetup, then authorize again.')
  },
  90072: {
    message: () => l10n.t('The account is not in this tenant (AADSTS90072).'),
    nextStep: () => l10n.t('Sign in with an account of the tenant, or add the user as a guest; check the tenant of the credential.')
  },
  70043: {
    message: () => l10n.t('A sign-in frequency (Conditional Access) policy requires signing in again (AADSTS70043).'),
    nextStep: () => l10n.t('Authorize the credential again.'),
    grantExpired: true
  },
  7000218: {
    message: () => l10n.t('Public client flows are not allowed for this app (AADSTS7000218): the request needs a client secret or certificate.'),
    nextStep: () =>
      l10n.t('In the app registration, Authentication → "Allow public client flows" = Yes (needed for device code), or give the credential a client secret.')
  },
  700024: {
    message: () => l10n.t('The client assertion is not within its valid time range (AADSTS700024).'),
    nextStep: () => l10n.t('Check the clock of this machine.')
  },
  700027: {
    message: () => l10n.t('The certificate is not registered for the app, or the signature is wrong (AADSTS700027).'),
    nextStep: () => l10n.t("Upload the certificate's public part under Certificates & secrets, or select the right certificate in the credential.")
  },
  50126: { message: () => l10n.t('Wrong user name or password (AADSTS50126).'), nextStep: () => l10n.t('Sign in again with the right account.') },
  53003: {
    message: () => l10n.t('Access was blocked by a Conditional Access policy (AADSTS53003).'),
    nextStep: () => l10n.t('Ask the tenant admin which policy applies (sign-in logs show it).')
  },
  9002313: {
    message: () => l10n.t('The request was malformed (AADSTS9002313).'),
    nextStep: () => l10n.t('Check the tenant, client ID and scopes of the credential.')
  }
};

const OAUTH_ADVICE: Record<string, Advice> = {
  access_denied: {
    message: () => l10n.t('The sign-in was declined: consent was not given (access_denied).'),
    nextStep: () => l10n.t('Authorize again and accept the permissions, or ask an admin to grant consent.')
  },
  invalid_client: {
    message: () => l10n.t('The authorization server did not accept the client (invalid_client).'),
    nextStep: () => l10n.t('Check the client ID, the client secret or certificate, and the client authentication method.')
  },
  invalid_grant: {
    message: () => l10n.t('The authorization grant or refresh token is invalid, expired or revoked (invalid_grant).'),
    nextStep: () => l10n.t('Authorize the credential again.'),
    grantExpired: true
  },
  invalid_scope: {
    message: () => l10n.t('A scope was refused (invalid_scope).'),
    nextStep: () => l10n.t("Edit the credential's scopes; Gmail wants https://mail.google.com/, Microsoft 365 the outlook.office.com scopes of its cloud.")
  },
  unauthorized_client: {
    message: () => l10n.t('The client may not use this grant (unauthorized_client).'),
    nextStep: () => l10n.t('Enable the grant for the app at the provider (device code, client credentials, refresh tokens).')
  },
  expired_token: {
    message: () => l10n.t('The device code expired before the sign-in was completed (expired_token).'),
    nextStep: () => l10n.t('Start the device code sign-in again and enter the code within its time.')
  },
  interaction_required: {
    message: () => l10n.t('The provider requires an interactive sign-in (interaction_required).'),
    nextStep: () => l10n.t('Authorize the credential again in the browser.')
  },
  consent_required: {
    message: () => l10n.t('Consent is required (consent_required).'),
    nextStep: () => l10n.t('Authorize again and accept the consent page.')
  },
  login_required: { message: () => l10n.t('A sign-in is required (login_required).'), nextStep: () => l10n.t('Authorize the credential again.') }
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
    const message = advice?.message() ?? l10n.t('The sign-in failed: {0}.', serverText || body.error || l10n.t('unknown error'));
    return new AuthError(
      `AADSTS${aadsts}`,
      message,
      { cause, nextStep: advice?.nextStep() ?? l10n.t('Look the code up at {0}', `https://login.microsoftonline.com/error?code=${aadsts}`) },
      advice?.grantExpired ?? false
    );
  }
  const error = body.error ?? 'server_error';
  const advice = OAUTH_ADVICE[error];
  const message = advice
    ? `${advice.message()}${serverText ? ` ${l10n.t('The server said: "{0}".', serverText)}` : ''}`
    : serverText
      ? l10n.t('The authorization server answered "{0}": {1}.', error, serverText)
      : l10n.t('The authorization server answered "{0}".', error);
  return new AuthError(error, message, { cause, nextStep: advice?.nextStep() }, advice?.grantExpired ?? false);
}

export function stateMismatch(): AuthError {
  return new AuthError('state_mismatch', l10n.t('The sign-in response does not belong to this sign-in (its state does not match).'), {
    nextStep: l10n.t('Authorize again, and finish only the newest browser tab. If you pasted a URL, paste the one from this sign-in.')
  });
}

export function invalidEndpoint(url: string, reason: string): AuthError {
  return new AuthError('invalid_endpoint', l10n.t('The endpoint {0} cannot be used: {1}.', url, reason), {
    nextStep: l10n.t('Edit the credential: endpoints must be https:// URLs (plain http only for 127.0.0.1 or localhost).')
  });
}

/** A generic credential saved before the issuer was required: its `iss` checks need one, and it is never taken from a response. */
export function missingIssuer(): AuthError {
  return new AuthError(
    'missing_issuer',
    l10n.t('The credential has no issuer, so the sign-in response cannot be checked to come from its authorization server.'),
    {
      nextStep: l10n.t("Edit the credential and set its Issuer (the authorization server's identifier, e.g. https://accounts.google.com).")
    }
  );
}

/** A token or device endpoint that nothing vouches for, and that the user did not confirm: nothing was sent to it. */
export function untrustedEndpoint(host: string, issuer: string): AuthError {
  return new AuthError(
    'untrusted_endpoint',
    l10n.t("Nothing was sent to {0}: it is not on the sign-in page's site, the issuer {1} does not name it, and it was not confirmed.", host, issuer),
    { nextStep: l10n.t("Authorize again and confirm the host only if it belongs to your provider, or edit the credential's token URL.") }
  );
}

/** A device authorization reply the extension will not act on (core/deviceCode.ts says what is checked). */
export function untrustedDeviceAuthorization(problem: string): AuthError {
  return new AuthError('invalid_endpoint', problem, {
    nextStep: l10n.t('Check the device authorization URL of the credential: the server it names sent a verification page that is not https.')
  });
}

function authTarget(host: string): NetworkTarget {
  return {
    name: host,
    nextSteps: {
      'network.dns': l10n.t("Check the tenant/cloud or endpoint URL, and this machine's DNS and proxy."),
      'network.refused': l10n.t('Check the endpoint URL and port.'),
      'network.timeout': l10n.t('Check the network, proxy and firewall.')
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
    return new AuthError('network.unreachable', l10n.t('{0} cannot be reached: {1}.', host, message), {
      cause: error,
      nextStep: l10n.t('Check the network connection and proxy settings.')
    });
  }
  const shownChain = isCertificateFailure(explained.code) && chain.length ? ` ${l10n.t('Chain: {0}', chain.map(formatCertificateLine).join(' ‖ '))}` : '';
  return new AuthError(explained.code, `${explained.message}${shownChain}`, { cause: error, nextStep: explained.nextStep });
}
