/**
 * What a mail credential is. Modelled on the "OAuth2 Authorization Code" credential of integration
 * platforms (SAP Cloud Integration, UiPath, AEM): the fields a user types, never a secret. Secrets
 * (client secret, private key, tokens, MSAL cache) live only in SecretStorage, keyed by the
 * credential's `id` (see `secretKeys` in src/core/secretVault.ts). No `vscode` import.
 */
import * as l10n from '@vscode/l10n';

export type ProviderKind = 'microsoft' | 'generic';

/** A Microsoft cloud: one of the built-in national clouds, or the id of a `m365mail.customClouds` entry. */
export type MicrosoftCloudId = 'global' | 'usGovHigh' | 'usGovDoD' | 'china' | (string & {});

/**
 * How the client authenticates at the token endpoint (RFC 6749 section 2.3):
 * `secretPost` = client_secret in the body, `secretBasic` = HTTP Basic header,
 * `certificate` = private_key_jwt client assertion (RFC 7523), `none` = public client with PKCE.
 */
export type ClientAuthKind = 'secretPost' | 'secretBasic' | 'certificate' | 'none';

export type GrantKind = 'authorizationCode' | 'deviceCode' | 'clientCredentials';

export type MailPurpose = 'imap' | 'smtp' | 'both';

/** How a Microsoft credential sends: SMTP with XOAUTH2, or Microsoft Graph `sendMail`. */
export type SendTransport = 'smtp' | 'graph';
/** How a Microsoft credential reads: IMAP with XOAUTH2, or Microsoft Graph `mailFolders`/`messages`. */
export type ReadTransport = 'imap' | 'graph';

/**
 * Which API an access token is for. `exchange` is the mail servers' (IMAP and SMTP; for a generic
 * provider, the only one); `graph` is Microsoft Graph. Entra issues an access token for one resource
 * at a time, so a credential using both holds one of each, from the same sign-in.
 */
export type TokenResource = 'exchange' | 'graph';

export interface MailEndpoint {
  host: string;
  port: number;
  /** IMAP: implicit TLS. SMTP: `starttls` on 587 (required), or implicit `tls` on 465. */
  security: 'tls' | 'starttls';
}

export interface CredentialDefinition {
  /** Stable, random; never shown. Secrets are stored under it. */
  id: string;
  name: string;
  description?: string;
  provider: ProviderKind;

  /** Microsoft 365 only. */
  cloud?: MicrosoftCloudId;
  /** Microsoft 365 only: a tenant ID (GUID), a domain, `organizations`, `common` or `consumers`. */
  tenant?: string;

  /** Generic OAuth2 only. */
  authorizationUrl?: string;
  tokenUrl?: string;
  /**
   * Generic OAuth2 only: the authorization server's issuer identifier, checked against the `iss`
   * parameter of the authorization response (RFC 9207, mix-up defence), e.g. `https://accounts.google.com`.
   */
  issuer?: string;
  /** Generic OAuth2 only, for the device code grant (RFC 8628). */
  deviceAuthorizationUrl?: string;
  /** Generic OAuth2 only: extra authorization request parameters, e.g. Google's `access_type=offline`. */
  extraAuthorizationParameters?: Record<string, string>;

  clientId: string;
  clientAuth: ClientAuthKind;
  grant: GrantKind;

  /** The mailbox owner signing in (UPN), e.g. `adele@contoso.com`. For client credentials: the mailbox to open. */
  userName?: string;
  /** A shared mailbox the user may open as a delegate; XOAUTH2 then carries `user=<shared mailbox>`. */
  sharedMailbox?: string;

  purpose: MailPurpose;
  /** Microsoft 365 only; absent means SMTP (every definition saved before Graph existed). */
  sendTransport?: SendTransport;
  /** Microsoft 365 only; absent means IMAP. */
  readTransport?: ReadTransport;
  scopes: string[];

  /** Renew the refresh token before this many days have passed since it was issued (3 to 90). */
  refreshTokenExpiryDays: number;

  /** The redirect URI registered with the app, e.g. `http://localhost` (any port, RFC 8252 loopback). */
  redirectUri: string;

  imap: MailEndpoint;
  smtp: MailEndpoint;
}

/**
 * The mailbox a credential opens and sends from, which is also the XOAUTH2 `user=`: the shared
 * mailbox for a delegate, else the user who signs in.
 */
export function mailboxOf(definition: Pick<CredentialDefinition, 'sharedMailbox' | 'userName'>): string {
  return definition.sharedMailbox ?? definition.userName ?? '';
}

/** The transports a credential uses, with the defaults filled in (a generic provider has only SMTP and IMAP). */
export function transportsOf(definition: Pick<CredentialDefinition, 'provider' | 'sendTransport' | 'readTransport'>): {
  send: SendTransport;
  read: ReadTransport;
} {
  const microsoft = definition.provider === 'microsoft';
  return { send: microsoft ? (definition.sendTransport ?? 'smtp') : 'smtp', read: microsoft ? (definition.readTransport ?? 'imap') : 'imap' };
}

/** The transports in words, e.g. "Microsoft Graph" or "send: Microsoft Graph, read: IMAP"; empty for SMTP/IMAP, shown nowhere then. */
export function describeTransports(definition: Pick<CredentialDefinition, 'provider' | 'purpose' | 'sendTransport' | 'readTransport'>): string {
  const { send, read } = transportsOf(definition);
  const sends = definition.purpose !== 'imap';
  const reads = definition.purpose !== 'smtp';
  if (!(sends && send === 'graph') && !(reads && read === 'graph')) return '';
  if ((!sends || send === 'graph') && (!reads || read === 'graph')) return l10n.t('Microsoft Graph');
  return l10n.t('send: {0}, read: {1}', send === 'graph' ? l10n.t('Microsoft Graph') : 'SMTP', read === 'graph' ? l10n.t('Microsoft Graph') : 'IMAP');
}

/** The resources a credential needs tokens for, given what it is used for and how it sends and reads. */
export function resourcesOf(definition: Pick<CredentialDefinition, 'provider' | 'purpose' | 'sendTransport' | 'readTransport'>): TokenResource[] {
  const { send, read } = transportsOf(definition);
  const used = new Set<TokenResource>();
  if (definition.purpose !== 'smtp') used.add(read === 'graph' ? 'graph' : 'exchange');
  if (definition.purpose !== 'imap') used.add(send === 'graph' ? 'graph' : 'exchange');
  return [...used];
}

/** The states a credential can be in, shown in the tree. */
export type CredentialState = 'unauthorized' | 'authorized' | 'expiring' | 'expired' | 'failed';

/**
 * What the extension knows about a credential's tokens, without the tokens: kept in extension
 * storage so the tree can render thousands of credentials without touching SecretStorage.
 */
export interface CredentialStatus {
  /** Set once a grant succeeded; cleared by sign-out. */
  authorizedAt?: number;
  /** The signed-in account as the server reported it (id_token `preferred_username`/`upn`). */
  account?: string;
  grantedScopes?: string[];
  accessTokenExpiresAt?: number;
  /** When the refresh token must be renewed by: issue time + `refreshTokenExpiryDays` (or the server's own limit). */
  refreshTokenExpiresAt?: number;
  /** The server said the refresh token is expired or revoked (AADSTS70008, 700082, 50173, invalid_grant). */
  expired?: boolean;
  /** The last failure, if the last attempt failed. */
  lastError?: { code: string; message: string; at: number };
}

export const REFRESH_TOKEN_EXPIRY_DAYS = { min: 3, max: 90, default: 90 } as const;

/** `m365mail.authorizationTimeoutSeconds`: the range package.json declares, enforced when read (a hand-edited value ignores the schema). */
export const AUTHORIZATION_TIMEOUT_SECONDS = { min: 30, max: 3600, default: 300 } as const;

/** The setting's value as used: in range, whole seconds; the default when it is not a number. */
export function clampAuthorizationTimeoutSeconds(value: unknown): number {
  const { min, max, default: fallback } = AUTHORIZATION_TIMEOUT_SECONDS;
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.round(Math.min(max, Math.max(min, value)));
}

const DAY_MS = 86_400_000;

/**
 * A credential is "expiring" when its refresh token has less than this left: a third of its
 * configured life, at most a week. The auth engine renews it from that point on.
 */
export function renewalWindowMs(refreshTokenExpiryDays: number): number {
  return Math.min(7 * DAY_MS, (refreshTokenExpiryDays * DAY_MS) / 3);
}

/** Projects a status onto the state shown in the tree. Pure, so the tree and the status bar agree. */
export function credentialState(
  definition: Pick<CredentialDefinition, 'grant' | 'refreshTokenExpiryDays'>,
  status: CredentialStatus | undefined,
  now = Date.now()
): CredentialState {
  if (!status) return 'unauthorized';
  if (status.expired) return 'expired';
  if (status.lastError) return 'failed';
  if (!status.authorizedAt) return 'unauthorized';
  // Client credentials have no refresh token: a new access token can always be requested.
  if (definition.grant === 'clientCredentials') return 'authorized';
  if (status.refreshTokenExpiresAt !== undefined) {
    if (status.refreshTokenExpiresAt <= now) return 'expired';
    if (status.refreshTokenExpiresAt - now < renewalWindowMs(definition.refreshTokenExpiryDays)) return 'expiring';
  }
  return 'authorized';
}
