/**
 * "Decode XOAUTH2 string": reads the base64 SASL XOAUTH2 initial response another system logged
 * (`base64("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")`, see
 * https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth)
 * and judges whether Exchange Online would accept it for IMAP, POP or SMTP: audience, permissions,
 * expiry, the token's user against `user=`, tenant. The token's signature is not verified (only
 * Exchange can), and the token itself never leaves this module: the result holds claims only.
 * No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { MicrosoftCloud } from './clouds';
import { M365MailError } from './errors';
import { decodeJwtClaims, type TokenClaimsSummary } from './tokenClaims';

/** Exchange Online's and Microsoft Graph's application IDs, which v1 tokens may carry as `aud`. */
const EXCHANGE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';
const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** The permissions that open a protocol, delegated (`scp`) and application (`roles`). */
const MAIL_PERMISSIONS = {
  imap: { delegated: 'IMAP.AccessAsUser.All', app: 'IMAP.AccessAsApp' },
  pop: { delegated: 'POP.AccessAsUser.All', app: 'POP.AccessAsApp' },
  smtp: { delegated: 'SMTP.Send', app: 'SMTP.SendAsApp' }
} as const;

export type MailProtocolName = keyof typeof MAIL_PERMISSIONS;
export type CheckStatus = 'passed' | 'warning' | 'failed';
export type CheckId = 'audience' | 'permissions' | 'expiry' | 'user' | 'tenant';

export interface Xoauth2Check {
  id: CheckId;
  status: CheckStatus;
  /** One sentence, translated, with what to do when it is not `passed`. Holds no token. */
  detail: string;
}

export interface Xoauth2Decoded {
  /** The `user=` of the string. */
  user: string;
  /** Decoded claims of the token (never the token). */
  claims: TokenClaimsSummary;
  appOnly: boolean;
  /** Protocols the token's permissions open (IMAP, POP, SMTP). */
  protocols: MailProtocolName[];
  checks: Xoauth2Check[];
  /** `failed` if any check failed, else `warning` if any warned, else `passed`. */
  verdict: CheckStatus;
}

/** Stable codes of the input that cannot be judged. */
export type Xoauth2InputError =
  | 'xoauth2.empty'
  | 'xoauth2.not_base64'
  | 'xoauth2.no_user'
  | 'xoauth2.no_bearer'
  | 'xoauth2.bare_token'
  | 'xoauth2.oauthbearer'
  | 'xoauth2.opaque_token'
  | 'xoauth2.not_jwt';

export interface DecodeOptions {
  /** Clouds whose Exchange and Graph audiences are known (built-in and custom). */
  clouds: readonly MicrosoftCloud[];
  /** Milliseconds since the epoch; `Date.now()` by default. */
  now?: number;
}

const origin = (uri: string) => uri.replace(/\/+$/, '').toLowerCase();

function exchangeAudiences(clouds: readonly MicrosoftCloud[]): Set<string> {
  const audiences = new Set([EXCHANGE_APP_ID]);
  for (const cloud of clouds) {
    audiences.add(origin(cloud.scopePrefix));
    audiences.add(origin(cloud.appOnlyScope.replace(/\.default$/, '')));
  }
  return audiences;
}

function graphAudiences(clouds: readonly MicrosoftCloud[]): Set<string> {
  const audiences = new Set([GRAPH_APP_ID]);
  for (const cloud of clouds) {
    if (cloud.graphScopePrefix) audiences.add(origin(cloud.graphScopePrefix));
    if (cloud.graphEndpoint) audiences.add(origin(cloud.graphEndpoint));
  }
  return audiences;
}

function fail(code: Xoauth2InputError, message: string): never {
  throw new M365MailError(code, message);
}

/** Splits the SASL string into `user=` and the bearer token; throws a typed error for bad input. */
export function parseXoauth2(input: string): { user: string; token: string } {
  // Logs often keep the command around the string ("AUTH XOAUTH2 …", "A1 AUTHENTICATE XOAUTH2 …").
  const text = input
    .trim()
    .replace(/^(?:\S+\s+)?(?:AUTH|AUTHENTICATE)\s+XOAUTH2\s+/i, '')
    .replace(/\s+/g, '');
  if (!text) fail('xoauth2.empty', l10n.t('Paste the base64 XOAUTH2 string from the other system’s log.'));
  if (/^eyJ[\w-]*\.[\w-]+\.[\w-]*$/.test(text)) {
    fail(
      'xoauth2.bare_token',
      l10n.t('This is an access token, not an XOAUTH2 string: paste the base64 string that follows AUTH XOAUTH2 (it holds user= and the token).')
    );
  }
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    fail('xoauth2.not_base64', l10n.t('This is not base64: paste the XOAUTH2 string exactly as the log shows it, without quotes.'));
  }
  const decoded = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64').toString('utf8');
  if (/^n,(a=[^,]*)?,/.test(decoded)) {
    fail('xoauth2.oauthbearer', l10n.t('This is an OAUTHBEARER string (RFC 7628), not XOAUTH2; Exchange Online takes XOAUTH2.'));
  }
  const fields = decoded.split('\x01');
  const userField = fields.find((f) => f.startsWith('user='));
  if (userField === undefined || !userField.slice(5)) {
    fail('xoauth2.no_user', l10n.t('The decoded string has no user=: an XOAUTH2 string is user=<mailbox>^Aauth=Bearer <token>^A^A, base64-encoded.'));
  }
  const authField = fields.find((f) => /^auth=/i.test(f));
  const bearer = authField ? /^auth=Bearer\s+(\S+)\s*$/i.exec(authField) : null;
  if (!bearer) fail('xoauth2.no_bearer', l10n.t('The decoded string has no auth=Bearer <token>: the other system did not put an access token into it.'));
  return { user: userField.slice(5), token: bearer[1] };
}

/** Decodes and judges the string. Bad input throws an {@link M365MailError} with a `xoauth2.*` code. */
export function decodeXoauth2(input: string, options: DecodeOptions): Xoauth2Decoded {
  const { user, token } = parseXoauth2(input);
  if (!token.includes('.')) {
    fail(
      'xoauth2.opaque_token',
      l10n.t(
        'The token is opaque (not a JWT), so it has no claims to read. Exchange Online tokens from Entra ID are JWTs; an opaque one comes from another provider or a personal Microsoft account.'
      )
    );
  }
  const claims = decodeJwtClaims(token);
  if (!claims) fail('xoauth2.not_jwt', l10n.t('The token is not a readable JWT: it may have been cut off when it was logged. Copy the whole string.'));
  const appOnly = claims.claims.idtyp === 'app' || (claims.roles.length > 0 && claims.scopes.length === 0 && !claims.claims.upn);
  const protocols = (Object.keys(MAIL_PERMISSIONS) as MailProtocolName[]).filter((p) =>
    appOnly ? claims.roles.includes(MAIL_PERMISSIONS[p].app) : claims.scopes.includes(MAIL_PERMISSIONS[p].delegated)
  );
  const checks = [
    audienceCheck(claims, options.clouds),
    permissionsCheck(claims, appOnly, protocols),
    expiryCheck(claims, options.now ?? Date.now()),
    userCheck(claims, user, appOnly),
    tenantCheck(claims)
  ];
  const verdict: CheckStatus = checks.some((c) => c.status === 'failed') ? 'failed' : checks.some((c) => c.status === 'warning') ? 'warning' : 'passed';
  return { user, claims, appOnly, protocols, checks, verdict };
}

function audienceCheck(claims: TokenClaimsSummary, clouds: readonly MicrosoftCloud[]): Xoauth2Check {
  const audiences = (claims.audience ?? '').split(' ').filter(Boolean);
  const shown = audiences.join(', ') || l10n.t('(none)');
  if (audiences.some((a) => exchangeAudiences(clouds).has(origin(a)))) {
    return { id: 'audience', status: 'passed', detail: l10n.t('{0}: Exchange Online, which serves IMAP, POP and SMTP.', shown) };
  }
  if (audiences.some((a) => graphAudiences(clouds).has(origin(a)))) {
    return {
      id: 'audience',
      status: 'failed',
      detail: l10n.t(
        '{0}: a Microsoft Graph token, which IMAP and SMTP refuse (535 5.7.3, "authenticated but not connected"). Ask for the Exchange Online scopes instead (https://outlook.office.com/SMTP.Send, …/IMAP.AccessAsUser.All, or https://outlook.office365.com/.default for an app), or send over Graph.',
        shown
      )
    };
  }
  return {
    id: 'audience',
    status: 'failed',
    detail: l10n.t('{0}: not Exchange Online. The token must be issued for the Exchange Online resource of its cloud.', shown)
  };
}

function permissionsCheck(claims: TokenClaimsSummary, appOnly: boolean, protocols: MailProtocolName[]): Xoauth2Check {
  const held = (appOnly ? claims.roles : claims.scopes).join(' ') || l10n.t('(none)');
  const claim = appOnly ? 'roles' : 'scp';
  if (protocols.length > 0) {
    return { id: 'permissions', status: 'passed', detail: l10n.t('{0} {1}: opens {2}.', claim, held, protocols.map((p) => p.toUpperCase()).join(', ')) };
  }
  const wanted = appOnly ? 'IMAP.AccessAsApp, POP.AccessAsApp, SMTP.SendAsApp' : 'IMAP.AccessAsUser.All, POP.AccessAsUser.All, SMTP.Send';
  const how = appOnly
    ? l10n.t('grant the application permission of Office 365 Exchange Online with admin consent')
    : l10n.t('add the delegated permission and ask for its scope');
  return { id: 'permissions', status: 'failed', detail: l10n.t('{0} {1}: no mail permission. Needs one of {2}: {3}.', claim, held, wanted, how) };
}

function expiryCheck(claims: TokenClaimsSummary, now: number): Xoauth2Check {
  const exp = typeof claims.claims.exp === 'number' ? claims.claims.exp * 1000 : undefined;
  const nbf = typeof claims.claims.nbf === 'number' ? claims.claims.nbf * 1000 : undefined;
  if (exp === undefined) return { id: 'expiry', status: 'warning', detail: l10n.t('The token has no exp claim.') };
  if (nbf !== undefined && nbf > now + 5 * 60_000) {
    return {
      id: 'expiry',
      status: 'failed',
      detail: l10n.t('Not valid before {0}: check the clock of the system that logged it.', new Date(nbf).toISOString())
    };
  }
  const minutes = Math.round(Math.abs(exp - now) / 60_000);
  if (exp <= now) {
    return {
      id: 'expiry',
      status: 'failed',
      detail: l10n.t('Expired {0} minutes ago ({1}): the other system must get a new token (refresh) before it connects.', minutes, new Date(exp).toISOString())
    };
  }
  return { id: 'expiry', status: 'passed', detail: l10n.t('{0} minutes left (until {1}).', minutes, new Date(exp).toISOString()) };
}

function userCheck(claims: TokenClaimsSummary, user: string, appOnly: boolean): Xoauth2Check {
  if (appOnly) {
    return {
      id: 'user',
      status: 'passed',
      detail: l10n.t(
        'user={0} with an app-only token: the app needs an Exchange service principal and permission on that mailbox (Add-MailboxPermission).',
        user
      )
    };
  }
  const c = claims.claims;
  const owner = [c.upn, c.unique_name, c.preferred_username].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (!owner) return { id: 'user', status: 'warning', detail: l10n.t('user={0}; the token names no user (upn, unique_name, preferred_username).', user) };
  if (owner.toLowerCase() === user.toLowerCase()) return { id: 'user', status: 'passed', detail: l10n.t('user={0} is the token’s user.', user) };
  return {
    id: 'user',
    status: 'warning',
    detail: l10n.t(
      'user={0} but the token belongs to {1}: this works only for a mailbox {1} has Full Access to (a shared mailbox); otherwise Exchange refuses it.',
      user,
      owner
    )
  };
}

function tenantCheck(claims: TokenClaimsSummary): Xoauth2Check {
  if (!claims.tenant) return { id: 'tenant', status: 'warning', detail: l10n.t('The token names no tenant (tid).') };
  return { id: 'tenant', status: 'passed', detail: l10n.t('Tenant {0}; the mailbox must be in it.', claims.tenant) };
}
