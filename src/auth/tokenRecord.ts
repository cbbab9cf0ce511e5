/**
 * What the auth engine keeps in the vault under `tokens` for one credential (a secret: it holds
 * tokens), and how a token response is folded into it. Pure: no I/O, no `vscode` import.
 */
import { renewalWindowMs, type CredentialDefinition, type TokenResource } from '../core/model';
import type { TokenSet } from './providers/grantProvider';

const DAY_MS = 86_400_000;

/** One resource's access token. */
export interface AccessEntry {
  accessToken: string;
  expiresAt: number;
  scopes: string[];
}

/**
 * What is kept in the vault under `tokens`: a secret (it holds tokens). The top-level access token
 * is for `resource` (the one signed in for; Exchange in records written before Graph); the other
 * resource's, fetched later with the same refresh token, is under `others`. One record, so one
 * write keeps a rotated refresh token and the tokens it bought together.
 */
export interface TokenRecord {
  accessToken: string;
  expiresAt: number;
  resource?: TokenResource;
  others?: Partial<Record<TokenResource, AccessEntry>>;
  refreshToken?: string;
  refreshTokenIssuedAt?: number;
  refreshTokenExpiresAt?: number;
  homeAccountId?: string;
  account?: string;
  scopes: string[];
}

/** The record as stored; throws on anything else (the caller deletes what will not parse). */
export function parseTokenRecord(text: string): TokenRecord {
  const record = JSON.parse(text) as TokenRecord;
  if (typeof record.accessToken !== 'string' || typeof record.expiresAt !== 'number') throw new Error('not a token record');
  return record;
}

export function entryOf(record: TokenRecord | undefined, resource: TokenResource): AccessEntry | undefined {
  if (!record) return undefined;
  if ((record.resource ?? 'exchange') === resource) return { accessToken: record.accessToken, expiresAt: record.expiresAt, scopes: record.scopes };
  return record.others?.[resource];
}

export function sameTokens(a: TokenRecord, b: TokenRecord): boolean {
  return a.accessToken === b.accessToken && JSON.stringify(a.others ?? {}) === JSON.stringify(b.others ?? {});
}

/**
 * The record after a request returned `tokens` for `resource`. After a sign-in (no `previous`) it
 * holds that resource's token only; after a refresh or a client-credentials request, the other
 * resource's token in `previous` is kept beside it, and the record's own resource stays what it was.
 */
export function mergeTokens(def: CredentialDefinition, tokens: TokenSet, resource: TokenResource, previous: TokenRecord | undefined, now: number): TokenRecord {
  const configured = now + def.refreshTokenExpiryDays * DAY_MS;
  const serverLimit = tokens.refreshTokenExpiresIn ? now + tokens.refreshTokenExpiresIn * 1000 : Infinity;
  const hasRefresh = def.grant !== 'clientCredentials';
  const entry: AccessEntry = { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, scopes: tokens.scopes };
  // The record's own resource stays what it was; a token for the other goes beside it.
  const own = previous ? (previous.resource ?? 'exchange') : resource;
  const ownEntry = own === resource ? entry : (entryOf(previous, own) as AccessEntry);
  const others = { ...previous?.others };
  if (own === resource) delete others[resource];
  else others[resource] = entry;
  const record: TokenRecord = {
    accessToken: ownEntry.accessToken,
    expiresAt: ownEntry.expiresAt,
    ...(own !== 'exchange' ? { resource: own } : {}),
    ...(Object.keys(others).length ? { others } : {}),
    refreshToken: tokens.refreshToken ?? previous?.refreshToken,
    refreshTokenIssuedAt: hasRefresh ? now : undefined,
    refreshTokenExpiresAt: hasRefresh ? Math.min(configured, serverLimit) : undefined,
    homeAccountId: tokens.homeAccountId ?? previous?.homeAccountId,
    account: tokens.account ?? previous?.account,
    scopes: ownEntry.scopes
  };
  return record;
}

/** An access token as the engine's callers get it. */
export interface AccessToken {
  accessToken: string;
  expiresAt: number;
  account?: string;
  scopes: string[];
}

/** An access token is used only while it has this much life left. */
const EXPIRY_SKEW_MS = 5 * 60_000;

export function isFresh(entry: AccessEntry, now: number): boolean {
  return entry.expiresAt - EXPIRY_SKEW_MS > now;
}

/** Whether the refresh token is inside its renewal window (renewed before the configured expiry). */
export function renewalDue(def: CredentialDefinition, record: TokenRecord, now: number): boolean {
  if (def.grant === 'clientCredentials' || record.refreshTokenExpiresAt === undefined) return false;
  return record.refreshTokenExpiresAt - renewalWindowMs(def.refreshTokenExpiryDays) <= now;
}

/** Whether a held access token may be handed out as it is: fresh, and no renewal of the refresh token due. */
export function isUsable(def: CredentialDefinition, record: TokenRecord, entry: AccessEntry | undefined, now: number): boolean {
  return !!entry && isFresh(entry, now) && !renewalDue(def, record, now);
}

export function accessTokenOf(record: TokenRecord, entry: AccessEntry): AccessToken {
  return { accessToken: entry.accessToken, expiresAt: entry.expiresAt, account: record.account, scopes: entry.scopes };
}
