/**
 * The auth engine: starts grants, checks PKCE/state, persists tokens in the vault, and serves
 * `getAccessToken` (cached while valid, refreshed when not, one request in flight per credential
 * however many callers ask, and one window at a time spending a refresh token). It is the one
 * owner of a credential's session: tokens in memory, the request in flight, and a generation that
 * sign-out and delete move on, so that nothing an older request returns is written afterwards. It
 * follows the vault's changes (another window signing out or refreshing) and reports every status
 * change so the VS Code layer can show it. No `vscode` import.
 */
import * as oauth from 'oauth4webapi';
import { CancelledError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { CloudCatalog } from '../core/clouds';
import type { ConfirmDestination, IssuerMetadata } from '../core/endpointTrust';
import { renewalWindowMs, type CredentialDefinition, type CredentialStatus, type TokenResource } from '../core/model';
import { AuthError, oauthError, stateMismatch } from './errors';
import { GenericProvider } from './providers/genericProvider';
import type { DeviceAuthorization, GrantProvider, TokenSet } from './providers/grantProvider';
import { MicrosoftProvider } from './providers/microsoftProvider';
import type { SecretVault } from '../core/secretVault';
import { parseSecretKey, secretKeys } from '../core/secretVault';
import { DurableVault } from './durableVault';
import { RefreshLease } from './refreshLease';

export interface AuthServiceDeps {
  vault: SecretVault;
  /** Read at each use: a custom cloud added or removed in the settings counts at once. */
  clouds: () => CloudCatalog;
  trustedCaCertificates: () => string[];
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

export interface AccessToken {
  accessToken: string;
  expiresAt: number;
  account?: string;
  scopes: string[];
}

/** One resource's access token. */
interface AccessEntry {
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
interface TokenRecord {
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

/** What the engine holds for one credential. */
interface Session {
  /** Moves on at sign-out and delete: a request started under an older one writes nothing. */
  generation: number;
  memory?: TokenRecord;
  /** At most one token request per resource in flight; later callers share it. */
  inflight: Map<TokenResource, Promise<AccessToken>>;
  /**
   * The token requests of this window for this credential, one after the other: two resources
   * refreshed at once would spend one rotating refresh token twice (the lease is per window, so
   * it does not keep them apart), and each writes the one record the other reads.
   */
  queue: Promise<unknown>;
  /** Token requests on the network now (sign-out waits for them, then deletes what they wrote). */
  running: Set<Promise<unknown>>;
}

/** Thrown to the callers of a request whose credential was signed out, deleted or changed meanwhile. */
function superseded(): AuthError {
  return new AuthError('superseded', 'The credential was signed out or changed while the request ran; nothing from it was kept.');
}

function entryOf(record: TokenRecord | undefined, resource: TokenResource): AccessEntry | undefined {
  if (!record) return undefined;
  if ((record.resource ?? 'exchange') === resource) return { accessToken: record.accessToken, expiresAt: record.expiresAt, scopes: record.scopes };
  return record.others?.[resource];
}

function sameTokens(a: TokenRecord, b: TokenRecord): boolean {
  return a.accessToken === b.accessToken && JSON.stringify(a.others ?? {}) === JSON.stringify(b.others ?? {});
}

/** An access token is used only while it has this much life left. */
const EXPIRY_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export class AuthService {
  private readonly microsoft: MicrosoftProvider;
  private readonly generic: GenericProvider;
  private readonly sessions = new Map<string, Session>();
  /** Statuses reported, for an engine without a store (tests, benchmarks). */
  private readonly reported = new Map<string, CredentialStatus>();
  private readonly listeners = new Set<(id: string, status: CredentialStatus) => void>();
  private readonly storageListeners = new Set<(credentialId: string, failed: boolean) => void>();
  private readonly now: () => number;
  private readonly vault: DurableVault;
  private readonly lease: RefreshLease;
  private readonly subscription: { dispose(): void } | undefined;
  /** Token-endpoint requests made, per credential (benchmarks and tests read it). */
  readonly tokenRequests = new Map<string, number>();
  /** The same, per credential and resource. */
  readonly tokenRequestsPerResource = new Map<string, Partial<Record<TokenResource, number>>>();

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.vault = new DurableVault(deps.vault, {
      onWriteFailed: (key, error) => {
        const id = parseSecretKey(key)?.credentialId;
        deps.logger.warn(`could not store ${key}: ${deps.redactor.redact(error instanceof Error ? error.message : String(error))}; kept in memory, retrying`);
        if (id) for (const listener of this.storageListeners) listener(id, true);
      },
      onWriteRecovered: (key) => {
        const id = parseSecretKey(key)?.credentialId;
        deps.logger.info(`stored ${key} after an earlier failure`);
        if (id) for (const listener of this.storageListeners) listener(id, false);
      }
    });
    this.lease = new RefreshLease(deps.leases ?? deps.vault, this.now);
    this.microsoft = new MicrosoftProvider(this.vault, deps.clouds, deps.trustedCaCertificates, deps.logger, deps.redactor, this.now);
    this.generic = new GenericProvider(this.vault, deps.trustedCaCertificates, this.now, deps.confirmDestination);
    this.subscription = deps.vault.onDidChange?.((key) => void this.vaultChanged(key));
  }

  private session(id: string): Session {
    let session = this.sessions.get(id);
    if (!session) {
      session = { generation: 0, running: new Set(), inflight: new Map(), queue: Promise.resolve() };
      this.sessions.set(id, session);
    }
    return session;
  }

  private statusOf(id: string): CredentialStatus | undefined {
    return this.deps.statusOf ? this.deps.statusOf(id) : this.reported.get(id);
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
      this.microsoft.forget(parsed.credentialId);
      this.deps.logger.info(`${parsed.credentialId}: signed out in another window; its tokens are dropped here too`);
    } else if (!sameTokens(stored, session.memory)) {
      session.memory = stored;
    }
  }

  /** Called with `failed` true when a credential's tokens could not be stored (they are kept in memory), false once they are. */
  onDidChangeStorage(listener: (credentialId: string, failed: boolean) => void): { dispose(): void } {
    this.storageListeners.add(listener);
    return { dispose: () => this.storageListeners.delete(listener) };
  }

  private provider(def: CredentialDefinition): { provider: GrantProvider; def: CredentialDefinition } {
    if (this.deps.providerFor) return { provider: this.deps.providerFor(def), def };
    if (def.provider === 'generic') return { provider: this.generic, def };
    if (def.clientAuth === 'secretBasic') {
      // MSAL always sends the secret in the body; for HTTP Basic (RFC 6749 section 2.3.1) the same
      // Entra v2 endpoints are spoken with oauth4webapi instead.
      const authority = this.deps.clouds().authority(def.cloud, def.tenant);
      return {
        provider: this.generic,
        def: {
          ...def,
          issuer: `${authority}/v2.0`,
          authorizationUrl: `${authority}/oauth2/v2.0/authorize`,
          tokenUrl: `${authority}/oauth2/v2.0/token`,
          deviceAuthorizationUrl: `${authority}/oauth2/v2.0/devicecode`
        }
      };
    }
    return { provider: this.microsoft, def };
  }

  /** An issuer's authorization server metadata (the add and edit flows prefill endpoints from it). */
  discoverIssuer(issuer: string): Promise<IssuerMetadata> {
    return this.generic.discover(issuer);
  }

  onDidChangeStatus(listener: (credentialId: string, status: CredentialStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(id: string, status: CredentialStatus): void {
    this.reported.set(id, status);
    for (const listener of this.listeners) listener(id, status);
  }

  private count(id: string, resource: TokenResource): void {
    this.tokenRequests.set(id, (this.tokenRequests.get(id) ?? 0) + 1);
    const perResource = this.tokenRequestsPerResource.get(id) ?? {};
    perResource[resource] = (perResource[resource] ?? 0) + 1;
    this.tokenRequestsPerResource.set(id, perResource);
  }

  /**
   * The definition as one resource's token request sees it: only that resource's scopes (and the
   * OpenID ones), since Entra gives a token for one resource per request. A sign-in asks for the
   * resource of the first scope; the other is fetched silently with the refresh token it gives.
   */
  private scoped(def: CredentialDefinition, resource: TokenResource | 'signIn'): { def: CredentialDefinition; resource: TokenResource } {
    const clouds = this.deps.clouds();
    const signIn = clouds.signInResource(def);
    const wanted = resource === 'signIn' ? signIn : resource;
    const scopes = clouds.scopesFor(def, wanted);
    if (scopes.length) return { def: { ...def, scopes }, resource: wanted };
    if (wanted === signIn) return { def, resource: wanted };
    throw new AuthError('no_scopes', `"${def.name}" has no scopes for ${wanted === 'graph' ? 'Microsoft Graph' : 'IMAP and SMTP'}.`, {
      nextStep: 'Edit the credential: choose the transport again, or add the scopes, then authorize it again.'
    });
  }

  async beginAuthorizationCode(
    def: CredentialDefinition,
    redirectUri: string
  ): Promise<{ url: string; state: string; complete(callbackUrl: string): Promise<CredentialStatus> }> {
    const signIn = this.scoped(def, 'signIn');
    const { provider, def: effective } = this.provider(signIn.def);
    const codeVerifier = oauth.generateRandomCodeVerifier();
    // The verifier turns a stolen code into tokens (RFC 7636 section 1): it is a secret while the sign-in runs.
    this.deps.redactor.add(codeVerifier);
    const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
    const state = oauth.generateRandomState();
    const generation = this.session(def.id).generation;
    const url = await this.guard(def, generation, () => provider.authorizationUrl(effective, { redirectUri, codeChallenge, state }));
    let used = false;
    return {
      url,
      state,
      complete: (callbackUrl) =>
        this.guard(def, generation, async () => {
          if (used) throw new AuthError('already_used', 'This sign-in was already completed.');
          const callback = new URL(callbackUrl);
          const params = callback.searchParams;
          if (params.get('state') !== state) throw stateMismatch();
          used = true;
          const error = params.get('error');
          if (error) throw oauthError({ error, error_description: params.get('error_description') ?? undefined });
          const code = params.get('code');
          if (!code) throw new AuthError('invalid_request', 'The sign-in response has no authorization code.');
          this.deps.redactor.add(code);
          this.count(def.id, signIn.resource);
          const tokens = await this.track(def.id, provider.exchangeCode(effective, { code, redirectUri, codeVerifier, callbackUrl: callback, state }));
          return this.accept(def, generation, tokens, signIn.resource);
        })
    };
  }

  async beginDeviceCode(def: CredentialDefinition): Promise<{
    userCode: string;
    verificationUri: string;
    verificationUriComplete?: string;
    message: string;
    expiresAt: number;
    complete(signal: AbortSignal): Promise<CredentialStatus>;
  }> {
    const signIn = this.scoped(def, 'signIn');
    const { provider, def: effective } = this.provider(signIn.def);
    const generation = this.session(def.id).generation;
    const device: DeviceAuthorization = await this.guard(def, generation, () => provider.deviceCode(effective));
    return {
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      verificationUriComplete: device.verificationUriComplete,
      message: device.message,
      expiresAt: device.expiresAt,
      complete: (signal) =>
        this.guard(def, generation, async () => {
          this.count(def.id, signIn.resource);
          return this.accept(def, generation, await device.complete(signal), signIn.resource);
        })
    };
  }

  async authorizeClientCredentials(def: CredentialDefinition): Promise<CredentialStatus> {
    const signIn = this.scoped(def, 'signIn');
    const { provider, def: effective } = this.provider(signIn.def);
    const generation = this.session(def.id).generation;
    return this.guard(def, generation, async () => {
      this.count(def.id, signIn.resource);
      return this.accept(def, generation, await this.track(def.id, provider.clientCredentials(effective)), signIn.resource);
    });
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
    if (!options.forceRefresh && session.memory && cached && this.usable(def, session.memory, cached)) {
      return Promise.resolve(this.view(session.memory, cached));
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

  private usable(def: CredentialDefinition, record: TokenRecord, entry: AccessEntry | undefined): boolean {
    if (!entry || entry.expiresAt - EXPIRY_SKEW_MS <= this.now()) return false;
    return !this.renewalDue(def, record);
  }

  private renewalDue(def: CredentialDefinition, record: TokenRecord): boolean {
    if (def.grant === 'clientCredentials' || record.refreshTokenExpiresAt === undefined) return false;
    return record.refreshTokenExpiresAt - renewalWindowMs(def.refreshTokenExpiryDays) <= this.now();
  }

  private view(record: TokenRecord, entry: AccessEntry): AccessToken {
    return { accessToken: entry.accessToken, expiresAt: entry.expiresAt, account: record.account, scopes: entry.scopes };
  }

  /** The token of `resource` in the record this engine holds now (just accepted or adopted). */
  private held(id: string, resource: TokenResource): AccessToken {
    const record = this.session(id).memory;
    const entry = entryOf(record, resource);
    if (!record || !entry) throw superseded();
    return this.view(record, entry);
  }

  private async fetchToken(def: CredentialDefinition, generation: number, force: boolean, resource: TokenResource): Promise<AccessToken> {
    return this.guard(def, generation, () =>
      this.oneAtATime(def.id, async () => {
        // Read the vault, not memory: another window may have rotated the refresh token, and the
        // request queued before this one may have fetched this resource's token already.
        const stored = await this.readRecord(def.id);
        const storedEntry = entryOf(stored, resource);
        if (!force && stored && this.usable(def, stored, storedEntry)) return this.adopt(def.id, generation, stored, resource);
        const { provider, def: effective } = this.provider(this.scoped(def, resource).def);
        if (def.grant === 'clientCredentials') {
          // No refresh token to spend: each window may ask for its own app-only token.
          this.count(def.id, resource);
          await this.accept(def, generation, await this.track(def.id, provider.clientCredentials(effective)), resource, stored);
          return this.held(def.id, resource);
        }
        if (!stored) throw new AuthError('not_authorized', `"${def.name}" is not authorized yet.`, { nextStep: 'Run "Authorize credential".' });
        // One window at a time spends the refresh token; the others wait and take what it stored.
        const refreshedElsewhere = async () => {
          const latest = entryOf(await this.readRecord(def.id), resource);
          return !!latest && latest.accessToken !== storedEntry?.accessToken && latest.expiresAt - EXPIRY_SKEW_MS > this.now();
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
          if (latestEntry && latestEntry.accessToken !== storedEntry?.accessToken && this.usable(def, latest, latestEntry)) {
            return this.adopt(def.id, generation, latest, resource);
          }
          this.count(def.id, resource);
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
      const record = JSON.parse(text) as TokenRecord;
      if (typeof record.accessToken !== 'string' || typeof record.expiresAt !== 'number') throw new Error('shape');
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
    this.emit(def.id, status);
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
          : new AuthError('unexpected', `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      const message = this.deps.redactor.redact(typed.message);
      const previous = this.statusOf(def.id) ?? {};
      const status: CredentialStatus = { ...previous, lastError: { code: typed.code, message, at: this.now() } };
      if (typed.grantExpired) {
        status.expired = true;
        this.session(def.id).memory = undefined;
      }
      this.deps.logger.warn(`${def.id}: ${typed.code}: ${message}`);
      this.emit(def.id, status);
      throw typed.message === message
        ? typed
        : new AuthError(typed.code, message, { cause: typed.cause, nextStep: typed.options.nextStep }, typed.grantExpired);
    }
  }

  /**
   * Forgets the credential's tokens. The generation moves on first, so no request in flight can
   * store what it gets; token requests on the network are waited for, and whatever they made
   * MSAL write meanwhile is deleted again.
   */
  async signOut(def: CredentialDefinition): Promise<void> {
    await this.endSession(def.id, ['tokens', 'msalCache', 'refreshLease']);
    this.emit(def.id, {});
  }

  /** Signs out and deletes every secret of the credential (it is being deleted). */
  async forget(credentialId: string): Promise<void> {
    await this.endSession(credentialId, Object.keys(secretKeys(credentialId)) as Array<keyof ReturnType<typeof secretKeys>>);
    this.sessions.delete(credentialId);
    this.reported.delete(credentialId);
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
    this.microsoft.forget(id);
  }

  dispose(): void {
    this.subscription?.dispose();
    this.vault.dispose();
    this.listeners.clear();
    this.storageListeners.clear();
    this.sessions.clear();
  }
}
