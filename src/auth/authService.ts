/**
 * The auth engine: starts grants, checks PKCE/state, persists tokens in the vault, and serves
 * `getAccessToken` (cached while valid, refreshed when not, one request in flight per credential
 * however many callers ask, and one window at a time spending a refresh token). It is the one
 * owner of a credential's session: tokens in memory, the request in flight, and a generation that
 * sign-out and delete move on, so that nothing an older request returns is written afterwards. It
 * follows the vault's changes (another window signing out or refreshing) and reports every status
 * change so the VS Code layer can show it. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { CancelledError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { CloudCatalog } from '../core/clouds';
import type { ProxyConfig } from '../net/proxyRoute';
import type { ConfirmDestination, IssuerMetadata } from '../core/endpointTrust';
import { type CredentialDefinition, type CredentialStatus, type TokenResource } from '../core/model';
import { AuthError } from './errors';
import type { GrantProvider, TokenSet } from './providers/grantProvider';
import { GrantProviders } from './providers/grantProviders';
import type { SecretVault } from '../core/secretVault';
import { parseSecretKey, secretKeys } from '../core/secretVault';
import { DurableVault } from './durableVault';
import { EngineReports } from './engineReports';
import { authorizeClientCredentials, beginAuthorizationCode, beginDeviceCode, type SignInSteps } from './signIns';
import { RefreshLease } from './refreshLease';
import { scopedDefinition } from './resourceScopes';
import { newSession, superseded, type Session } from './session';
import {
  accessTokenOf,
  entryOf,
  isFresh,
  isUsable,
  mergeTokens,
  parseTokenRecord,
  sameTokens,
  type AccessEntry,
  type AccessToken,
  type TokenRecord
} from './tokenRecord';

export type { AccessToken } from './tokenRecord';

export interface AuthServiceDeps {
  vault: SecretVault;
  /** Read at each use: a custom cloud added or removed in the settings counts at once. */
  clouds: () => CloudCatalog;
  trustedCaCertificates: () => string[];
  /** VS Code's proxy configuration (`http.proxy`, its environment fallback), read at each request. */
  proxy?: () => ProxyConfig | undefined;
  logger: Logger;
  redactor: SecretRedactor;
  /**
   * The credential's last known status, kept by its owner (the credential store, which persists
   * what `onDidChangeStatus` reports). Without one the engine remembers what it reported.
   */
  statusOf?: (credentialId: string) => CredentialStatus | undefined;
  now?: () => number;
  /** Asks the user before a generic credential sends anything to an endpoint nothing vouches for (core/endpointTrust.ts). */
  confirmDestination?: ConfirmDestination;
  /** Replaces the providers (tests of the engine's own logic). */
  providerFor?: (def: CredentialDefinition) => GrantProvider;
  /** Where the refresh lease is kept, if not in the vault: a place every window sees at once. */
  leases?: Pick<SecretVault, 'get' | 'store' | 'delete'>;
  /** Throws when this window no longer sees the vault as it is (another window changed it): asked before a refresh token is spent. */
  ensureCurrent?: () => Promise<void>;
}

export class AuthService {
  private readonly providers: GrantProviders;
  private readonly sessions = new Map<string, Session>();
  /** What the engine reports: status changes, storage failures, token requests made. */
  private readonly reports = new EngineReports();
  private readonly now: () => number;
  private readonly vault: DurableVault;
  private readonly lease: RefreshLease;
  private readonly subscription: { dispose(): void } | undefined;
  /** Token-endpoint requests made, per credential (benchmarks and tests read it). */
  readonly tokenRequests = this.reports.tokenRequests;
  /** The same, per credential and resource. */
  readonly tokenRequestsPerResource = this.reports.tokenRequestsPerResource;

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.vault = new DurableVault(deps.vault, {
      onWriteFailed: (key, error) => {
        const id = parseSecretKey(key)?.credentialId;
        deps.logger.warn(`could not store ${key}: ${deps.redactor.redact(error instanceof Error ? error.message : String(error))}; kept in memory, retrying`);
        if (id) this.reports.storage(id, true);
      },
      onWriteRecovered: (key) => {
        const id = parseSecretKey(key)?.credentialId;
        deps.logger.info(`stored ${key} after an earlier failure`);
        if (id) this.reports.storage(id, false);
      }
    });
    this.lease = new RefreshLease(deps.leases ?? deps.vault, this.now);
    this.providers = new GrantProviders(this.vault, deps, this.now);
    this.subscription = deps.vault.onDidChange?.((key) => void this.vaultChanged(key));
  }

  private session(id: string): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = newSession();
      this.sessions.set(id, session);
    }
    return session;
  }

  private statusOf(id: string): CredentialStatus | undefined {
    return this.deps.statusOf ? this.deps.statusOf(id) : this.reports.reported.get(id);
  }

  /**
   * Another window (or this one) changed a credential's tokens in the vault. Memory follows the
   * vault: tokens deleted there (signed out in another window) are dropped here, and requests in
   * flight here will not write them back; tokens refreshed there are adopted.
   */
  private async vaultChanged(key: string): Promise<void> {
    const parsed = parseSecretKey(key);
    if (!parsed || parsed.name !== 'tokens') return;
    const session = this.sessions.get(parsed.credentialId);
    if (!session?.memory) return;
    const stored = await this.readRecord(parsed.credentialId);
    if (!stored) {
      session.generation++;
      session.memory = undefined;
      session.inflight.clear();
      this.providers.microsoft.forget(parsed.credentialId);
      this.deps.logger.info(`${parsed.credentialId}: signed out in another window; its tokens are dropped here too`);
    } else if (!sameTokens(stored, session.memory)) {
      session.memory = stored;
    }
  }

  /** Called with `failed` true when a credential's tokens could not be stored (they are kept in memory), false once they are. */
  onDidChangeStorage(listener: (credentialId: string, failed: boolean) => void): { dispose(): void } {
    return this.reports.onDidChangeStorage(listener);
  }

  private provider(def: CredentialDefinition): { provider: GrantProvider; def: CredentialDefinition } {
    return this.deps.providerFor ? { provider: this.deps.providerFor(def), def } : this.providers.for(def);
  }

  /** An issuer's authorization server metadata (the add and edit flows prefill endpoints from it). */
  discoverIssuer(issuer: string): Promise<IssuerMetadata> {
    return this.providers.generic.discover(issuer);
  }

  onDidChangeStatus(listener: (credentialId: string, status: CredentialStatus) => void): { dispose(): void } {
    return this.reports.onDidChangeStatus(listener);
  }

  private scoped(def: CredentialDefinition, resource: TokenResource | 'signIn'): { def: CredentialDefinition; resource: TokenResource } {
    return scopedDefinition(this.deps.clouds(), def, resource);
  }

  /** What the three sign-ins (signIns.ts) use of the engine: its session, guard and record keeping. */
  private readonly signInSteps: SignInSteps = {
    begin: (def) => {
      const signIn = this.scoped(def, 'signIn');
      return { ...signIn, ...this.provider(signIn.def), generation: this.session(def.id).generation };
    },
    guard: (def, generation, step) => this.guard(def, generation, step),
    request: (id, resource, request) => {
      this.reports.tokenRequest(id, resource);
      return this.track(id, request);
    },
    accept: (def, generation, tokens, resource) => this.accept(def, generation, tokens, resource),
    secret: (value) => this.deps.redactor.add(value)
  };

  beginAuthorizationCode(def: CredentialDefinition, redirectUri: string): ReturnType<typeof beginAuthorizationCode> {
    return beginAuthorizationCode(this.signInSteps, def, redirectUri);
  }

  beginDeviceCode(def: CredentialDefinition): ReturnType<typeof beginDeviceCode> {
    return beginDeviceCode(this.signInSteps, def);
  }

  authorizeClientCredentials(def: CredentialDefinition): Promise<CredentialStatus> {
    return authorizeClientCredentials(this.signInSteps, def);
  }

  /**
   * An access token for one resource (`exchange`, the default, for IMAP and SMTP; `graph` for
   * Microsoft Graph): cached per resource while valid, else fetched with the one refresh token
   * (or, for client credentials, a request for that resource), one request per resource in flight.
   */
  getAccessToken(def: CredentialDefinition, options: { resource?: TokenResource; forceRefresh?: boolean } = {}): Promise<AccessToken> {
    const resource = options.resource ?? 'exchange';
    const session = this.session(def.id);
    const cached = entryOf(session.memory, resource);
    if (!options.forceRefresh && session.memory && cached && isUsable(def, session.memory, cached, this.now())) {
      return Promise.resolve(accessTokenOf(session.memory, cached));
    }
    let pending = session.inflight.get(resource);
    if (!pending) {
      const request: Promise<AccessToken> = this.fetchToken(def, session.generation, options.forceRefresh ?? false, resource).finally(() => {
        if (session.inflight.get(resource) === request) session.inflight.delete(resource);
      });
      session.inflight.set(resource, request);
      pending = request;
    }
    return pending;
  }

  /** Runs token work of one credential after the work queued before it (see `Session.queue`). */
  private oneAtATime<T>(id: string, work: () => Promise<T>): Promise<T> {
    const session = this.session(id);
    const run = session.queue.then(work);
    session.queue = run.catch(() => undefined);
    return run;
  }

  /** Runs a token request so that sign-out and delete can wait for it. */
  private track<T>(id: string, request: Promise<T>): Promise<T> {
    const running = this.session(id).running;
    running.add(request);
    return request.finally(() => running.delete(request));
  }

  /** The token of `resource` in the record this engine holds now (just accepted or adopted). */
  private held(id: string, resource: TokenResource): AccessToken {
    const record = this.session(id).memory;
    const entry = entryOf(record, resource);
    if (!record || !entry) throw superseded();
    return accessTokenOf(record, entry);
  }

  private async fetchToken(def: CredentialDefinition, generation: number, force: boolean, resource: TokenResource): Promise<AccessToken> {
    return this.guard(def, generation, () =>
      this.oneAtATime(def.id, async () => {
        // Read the vault, not memory: another window may have rotated the refresh token, and the
        // request queued before this one may have fetched this resource's token already.
        const stored = await this.readRecord(def.id);
        const storedEntry = entryOf(stored, resource);
        if (!force && stored && isUsable(def, stored, storedEntry, this.now())) return this.adopt(def.id, generation, stored, resource);
        const { provider, def: effective } = this.provider(this.scoped(def, resource).def);
        if (def.grant === 'clientCredentials') {
          // No refresh token to spend: each window may ask for its own app-only token.
          this.reports.tokenRequest(def.id, resource);
          await this.accept(def, generation, await this.track(def.id, provider.clientCredentials(effective)), resource, stored);
          return this.held(def.id, resource);
        }
        if (!stored) {
          throw new AuthError('not_authorized', l10n.t('"{0}" is not authorized yet.', def.name), { nextStep: l10n.t('Run "Authorize credential".') });
        }
        // One window at a time spends the refresh token; the others wait and take what it stored.
        const refreshedElsewhere = async () => {
          // A window that has gone stale while it waits stops waiting: it must not take the lease.
          await this.deps.ensureCurrent?.();
          const latest = entryOf(await this.readRecord(def.id), resource);
          return !!latest && latest.accessToken !== storedEntry?.accessToken && isFresh(latest, this.now());
        };
        const lease = await this.lease.acquire(secretKeys(def.id).refreshLease, refreshedElsewhere);
        if (!lease.held) {
          const latest = await this.readRecord(def.id);
          if (latest && entryOf(latest, resource)) return this.adopt(def.id, generation, latest, resource);
          throw superseded();
        }
        try {
          // A window that cannot see what the lease's last holder stored must not spend its old token.
          await this.deps.ensureCurrent?.();
          // Read once more under the lease: a window that just released it may have refreshed.
          const latest = (await this.readRecord(def.id)) ?? stored;
          const latestEntry = entryOf(latest, resource);
          if (latestEntry && latestEntry.accessToken !== storedEntry?.accessToken && isUsable(def, latest, latestEntry, this.now())) {
            return this.adopt(def.id, generation, latest, resource);
          }
          this.reports.tokenRequest(def.id, resource);
          await this.accept(def, generation, await this.track(def.id, provider.refresh(effective, latest, true)), resource, latest);
          return this.held(def.id, resource);
        } finally {
          await lease.release();
        }
      })
    );
  }

  /** Takes tokens found in the vault as this engine's own. */
  private adopt(id: string, generation: number, record: TokenRecord, resource: TokenResource): AccessToken {
    const session = this.session(id);
    if (session.generation !== generation) throw superseded();
    session.memory = record;
    return this.held(id, resource);
  }

  private async readRecord(id: string): Promise<TokenRecord | undefined> {
    const key = secretKeys(id).tokens;
    const text = await this.vault.get(key);
    if (!text) return undefined;
    try {
      const record = parseTokenRecord(text);
      this.deps.redactor.add(record.accessToken);
      this.deps.redactor.add(record.refreshToken);
      for (const entry of Object.values(record.others ?? {})) this.deps.redactor.add(entry.accessToken);
      return record;
    } catch {
      // A value that will not parse is deleted, not trusted.
      await this.vault.delete(key);
      return undefined;
    }
  }

  /**
   * Keeps tokens a request returned for `resource`. After a sign-in (no `previous`) the record
   * holds that resource's token only; after a refresh or a client-credentials request, the other
   * resource's token in `previous` is kept beside it.
   */
  private async accept(
    def: CredentialDefinition,
    generation: number,
    tokens: TokenSet,
    resource: TokenResource,
    previous?: TokenRecord
  ): Promise<CredentialStatus> {
    const session = this.session(def.id);
    // Signed out, deleted or changed since the request started: what it returned is not kept.
    if (session.generation !== generation) throw superseded();
    const now = this.now();
    // The tokens this replaces are superseded: forgotten by the redactor so its set stays small.
    const replaced = session.memory ?? previous;
    this.deps.redactor.replace(entryOf(replaced, resource)?.accessToken, tokens.accessToken);
    if (tokens.refreshToken) this.deps.redactor.replace(replaced?.refreshToken, tokens.refreshToken);
    const record = mergeTokens(def, tokens, resource, previous, now);
    const entry = entryOf(record, resource) as AccessEntry;
    // One write: the new refresh token replaces the old one only once it is stored. A write that
    // fails keeps the record in memory and retries (DurableVault): the old refresh token is spent.
    session.memory = record;
    await this.vault.store(secretKeys(def.id).tokens, JSON.stringify(record));
    if (session.generation !== generation) throw superseded();
    const status: CredentialStatus = {
      authorizedAt: previous ? (this.statusOf(def.id)?.authorizedAt ?? now) : now,
      account: record.account,
      grantedScopes: [...new Set([...record.scopes, ...Object.values(record.others ?? {}).flatMap((e) => e.scopes)])],
      accessTokenExpiresAt: record.expiresAt,
      refreshTokenExpiresAt: record.refreshTokenExpiresAt
    };
    this.deps.logger.info(
      `${def.id}: ${resource} token ${previous ? 'refreshed' : 'issued'}; access token valid until ${new Date(entry.expiresAt).toISOString()}`
    );
    this.reports.status(def.id, status);
    return status;
  }

  /** Runs a step; failures become the credential's last error (and Expired when the grant is gone). */
  private async guard<T>(def: CredentialDefinition, generation: number, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      // A request that outlived its generation reports nothing: the credential has moved on.
      if (this.session(def.id).generation !== generation) throw error instanceof AuthError && error.code === 'superseded' ? error : superseded();
      const typed =
        error instanceof AuthError
          ? error
          : new AuthError('unexpected', l10n.t('Sign-in failed: {0}', error instanceof Error ? error.message : String(error)), { cause: error });
      const message = this.deps.redactor.redact(typed.message);
      const previous = this.statusOf(def.id) ?? {};
      const status: CredentialStatus = { ...previous, lastError: { code: typed.code, message, at: this.now() } };
      if (typed.grantExpired) {
        status.expired = true;
        this.session(def.id).memory = undefined;
      }
      this.deps.logger.warn(`${def.id}: ${typed.code}: ${message}`);
      this.reports.status(def.id, status);
      throw typed.message === message
        ? typed
        : new AuthError(typed.code, message, { cause: typed.cause, nextStep: typed.options.nextStep }, typed.grantExpired);
    }
  }

  /**
   * The credential's current refresh token, for the one hand-over that needs it (AEM's Cloud
   * Manager secret), read where it is kept: MSAL's cache for Microsoft, the token record for a
   * generic provider. Never logged; the caller puts it on the clipboard at the user's explicit
   * request only. Read under the credential's queue, so a refresh in flight finishes first.
   */
  readRefreshToken(def: CredentialDefinition): Promise<{ refreshToken: string; expiresAt?: number } | undefined> {
    if (def.grant === 'clientCredentials') return Promise.resolve(undefined);
    return this.oneAtATime(def.id, async () => {
      const record = await this.readRecord(def.id);
      if (!record) return undefined;
      const refreshToken = def.provider === 'microsoft' ? await this.providers.microsoft.cachedRefreshToken(def, record.homeAccountId) : record.refreshToken;
      return refreshToken ? { refreshToken, expiresAt: record.refreshTokenExpiresAt } : undefined;
    });
  }

  /**
   * Forgets the credential's tokens. The generation moves on first, so no request in flight can
   * store what it gets; token requests on the network are waited for, and whatever they made
   * MSAL write meanwhile is deleted again.
   */
  async signOut(def: CredentialDefinition): Promise<void> {
    await this.endSession(def.id, ['tokens', 'msalCache', 'refreshLease']);
    this.reports.status(def.id, {});
  }

  /** Signs out and deletes every secret of the credential (it is being deleted). */
  async forget(credentialId: string): Promise<void> {
    await this.endSession(credentialId, Object.keys(secretKeys(credentialId)) as Array<keyof ReturnType<typeof secretKeys>>);
    this.sessions.delete(credentialId);
    this.reports.reported.delete(credentialId);
  }

  private async endSession(id: string, names: Array<keyof ReturnType<typeof secretKeys>>): Promise<void> {
    const session = this.session(id);
    session.generation++;
    session.memory = undefined;
    session.inflight.clear();
    const keys = secretKeys(id);
    const remove = () => Promise.all(names.map((name) => this.vault.delete(keys[name])));
    await remove();
    await Promise.allSettled([...session.running]);
    await remove();
    this.providers.microsoft.forget(id);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.vault.dispose();
    this.reports.clear();
    this.sessions.clear();
  }
}
