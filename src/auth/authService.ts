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
import { renewalWindowMs, type CredentialDefinition, type CredentialStatus } from '../core/model';
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

/** What is kept in the vault under `tokens`: a secret (it holds tokens). */
interface TokenRecord {
  accessToken: string;
  expiresAt: number;
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
  inflight?: Promise<AccessToken>;
  /** Token requests on the network now (sign-out waits for them, then deletes what they wrote). */
  running: Set<Promise<unknown>>;
}

/** Thrown to the callers of a request whose credential was signed out, deleted or changed meanwhile. */
function superseded(): AuthError {
  return new AuthError('superseded', 'The credential was signed out or changed while the request ran; nothing from it was kept.');
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
      session = { generation: 0, running: new Set() };
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
      session.inflight = undefined;
      this.microsoft.forget(parsed.credentialId);
      this.deps.logger.info(`${parsed.credentialId}: signed out in another window; its tokens are dropped here too`);
    } else if (stored.accessToken !== session.memory.accessToken) {
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

  private count(id: string): void {
    this.tokenRequests.set(id, (this.tokenRequests.get(id) ?? 0) + 1);
  }

  async beginAuthorizationCode(
    def: CredentialDefinition,
    redirectUri: string
  ): Promise<{ url: string; state: string; complete(callbackUrl: string): Promise<CredentialStatus> }> {
    const { provider, def: effective } = this.provider(def);
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
          this.count(def.id);
          const tokens = await this.track(def.id, provider.exchangeCode(effective, { code, redirectUri, codeVerifier, callbackUrl: callback, state }));
          return this.accept(def, generation, tokens);
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
    const { provider, def: effective } = this.provider(def);
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
          this.count(def.id);
          return this.accept(def, generation, await device.complete(signal));
        })
    };
  }

  async authorizeClientCredentials(def: CredentialDefinition): Promise<CredentialStatus> {
    const { provider, def: effective } = this.provider(def);
    const generation = this.session(def.id).generation;
    return this.guard(def, generation, async () => {
      this.count(def.id);
      return this.accept(def, generation, await this.track(def.id, provider.clientCredentials(effective)));
    });
  }

  getAccessToken(def: CredentialDefinition, options: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    const session = this.session(def.id);
    const cached = session.memory;
    if (!options.forceRefresh && cached && this.usable(def, cached)) return Promise.resolve(this.view(cached));
    // One request per credential at a time: later callers share the one in flight.
    if (!session.inflight) {
      const pending = this.fetchToken(def, session.generation, options.forceRefresh ?? false).finally(() => {
        if (session.inflight === pending) session.inflight = undefined;
      });
      session.inflight = pending;
    }
    return session.inflight;
  }

  /** Runs a token request so that sign-out and delete can wait for it. */
  private track<T>(id: string, request: Promise<T>): Promise<T> {
    const running = this.session(id).running;
    running.add(request);
    return request.finally(() => running.delete(request));
  }

  private usable(def: CredentialDefinition, record: TokenRecord): boolean {
    if (record.expiresAt - EXPIRY_SKEW_MS <= this.now()) return false;
    return !this.renewalDue(def, record);
  }

  private renewalDue(def: CredentialDefinition, record: TokenRecord): boolean {
    if (def.grant === 'clientCredentials' || record.refreshTokenExpiresAt === undefined) return false;
    return record.refreshTokenExpiresAt - renewalWindowMs(def.refreshTokenExpiryDays) <= this.now();
  }

  private view(record: TokenRecord): AccessToken {
    return { accessToken: record.accessToken, expiresAt: record.expiresAt, account: record.account, scopes: record.scopes };
  }

  private async fetchToken(def: CredentialDefinition, generation: number, force: boolean): Promise<AccessToken> {
    return this.guard(def, generation, async () => {
      // Read the vault, not memory: another window may have rotated the refresh token.
      const stored = await this.readRecord(def.id);
      if (!force && stored && this.usable(def, stored)) return this.adopt(def.id, generation, stored);
      const { provider, def: effective } = this.provider(def);
      if (def.grant === 'clientCredentials') {
        // No refresh token to spend: each window may ask for its own app-only token.
        this.count(def.id);
        await this.accept(def, generation, await this.track(def.id, provider.clientCredentials(effective)), stored);
        return this.view(this.session(def.id).memory as TokenRecord);
      }
      if (!stored) throw new AuthError('not_authorized', `"${def.name}" is not authorized yet.`, { nextStep: 'Run "Authorize credential".' });
      // One window at a time spends the refresh token; the others wait and take what it stored.
      const refreshedElsewhere = async () => {
        const latest = await this.readRecord(def.id);
        return !!latest && latest.accessToken !== stored.accessToken && latest.expiresAt - EXPIRY_SKEW_MS > this.now();
      };
      const lease = await this.lease.acquire(secretKeys(def.id).refreshLease, refreshedElsewhere);
      if (!lease.held) {
        const latest = await this.readRecord(def.id);
        if (latest) return this.adopt(def.id, generation, latest);
        throw superseded();
      }
      try {
        // A window that cannot see what the lease's last holder stored must not spend its old token.
        await this.deps.ensureCurrent?.();
        // Read once more under the lease: a window that just released it may have refreshed.
        const latest = (await this.readRecord(def.id)) ?? stored;
        if (latest.accessToken !== stored.accessToken && this.usable(def, latest)) return this.adopt(def.id, generation, latest);
        this.count(def.id);
        await this.accept(def, generation, await this.track(def.id, provider.refresh(effective, latest, true)), latest);
        return this.view(this.session(def.id).memory as TokenRecord);
      } finally {
        await lease.release();
      }
    });
  }

  /** Takes tokens found in the vault as this engine's own. */
  private adopt(id: string, generation: number, record: TokenRecord): AccessToken {
    const session = this.session(id);
    if (session.generation !== generation) throw superseded();
    session.memory = record;
    return this.view(record);
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
      return record;
    } catch {
      // A value that will not parse is deleted, not trusted.
      await this.vault.delete(key);
      return undefined;
    }
  }

  private async accept(def: CredentialDefinition, generation: number, tokens: TokenSet, previous?: TokenRecord): Promise<CredentialStatus> {
    const session = this.session(def.id);
    // Signed out, deleted or changed since the request started: what it returned is not kept.
    if (session.generation !== generation) throw superseded();
    const now = this.now();
    // The tokens this replaces are superseded: forgotten by the redactor so its set stays small.
    const replaced = session.memory ?? previous;
    this.deps.redactor.replace(replaced?.accessToken, tokens.accessToken);
    if (tokens.refreshToken) this.deps.redactor.replace(replaced?.refreshToken, tokens.refreshToken);
    const configured = now + def.refreshTokenExpiryDays * DAY_MS;
    const serverLimit = tokens.refreshTokenExpiresIn ? now + tokens.refreshTokenExpiresIn * 1000 : Infinity;
    const hasRefresh = def.grant !== 'clientCredentials';
    const record: TokenRecord = {
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
      refreshToken: tokens.refreshToken ?? previous?.refreshToken,
      refreshTokenIssuedAt: hasRefresh ? now : undefined,
      refreshTokenExpiresAt: hasRefresh ? Math.min(configured, serverLimit) : undefined,
      homeAccountId: tokens.homeAccountId ?? previous?.homeAccountId,
      account: tokens.account ?? previous?.account,
      scopes: tokens.scopes
    };
    // One write: the new refresh token replaces the old one only once it is stored. A write that
    // fails keeps the record in memory and retries (DurableVault): the old refresh token is spent.
    session.memory = record;
    await this.vault.store(secretKeys(def.id).tokens, JSON.stringify(record));
    if (session.generation !== generation) throw superseded();
    const status: CredentialStatus = {
      authorizedAt: previous ? (this.statusOf(def.id)?.authorizedAt ?? now) : now,
      account: record.account,
      grantedScopes: record.scopes,
      accessTokenExpiresAt: record.expiresAt,
      refreshTokenExpiresAt: record.refreshTokenExpiresAt
    };
    this.deps.logger.info(`${def.id}: token ${previous ? 'refreshed' : 'issued'}; access token valid until ${new Date(record.expiresAt).toISOString()}`);
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
    session.inflight = undefined;
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
