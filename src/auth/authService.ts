/**
 * The auth engine: starts grants, checks PKCE/state, persists tokens in the vault, and serves
 * `getAccessToken` (cached while valid, refreshed when not, one request in flight per credential
 * however many callers ask). It reports every status change so the VS Code layer can show it.
 * No `vscode` import.
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
import { secretKeys } from '../core/secretVault';

export interface AuthServiceDeps {
  vault: SecretVault;
  clouds: CloudCatalog;
  trustedCaCertificates: () => string[];
  logger: Logger;
  redactor: SecretRedactor;
  now?: () => number;
  /** Asks the user before a generic credential sends anything to an endpoint nothing vouches for (core/endpointTrust.ts). */
  confirmDestination?: ConfirmDestination;
  /** Replaces the providers (tests of the engine's own logic). */
  providerFor?: (def: CredentialDefinition) => GrantProvider;
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

/** An access token is used only while it has this much life left. */
const EXPIRY_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;

export class AuthService {
  private readonly microsoft: MicrosoftProvider;
  private readonly generic: GenericProvider;
  private readonly inflight = new Map<string, Promise<AccessToken>>();
  private readonly memory = new Map<string, TokenRecord>();
  private readonly statuses = new Map<string, CredentialStatus>();
  private readonly listeners = new Set<(id: string, status: CredentialStatus) => void>();
  private readonly now: () => number;
  /** Token-endpoint requests made, per credential (benchmarks and tests read it). */
  readonly tokenRequests = new Map<string, number>();

  constructor(private readonly deps: AuthServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.microsoft = new MicrosoftProvider(deps.vault, deps.clouds, deps.trustedCaCertificates, deps.logger, deps.redactor, this.now);
    this.generic = new GenericProvider(deps.vault, deps.trustedCaCertificates, this.now, deps.confirmDestination);
  }

  private provider(def: CredentialDefinition): { provider: GrantProvider; def: CredentialDefinition } {
    if (this.deps.providerFor) return { provider: this.deps.providerFor(def), def };
    if (def.provider === 'generic') return { provider: this.generic, def };
    if (def.clientAuth === 'secretBasic') {
      // MSAL always sends the secret in the body; for HTTP Basic (RFC 6749 section 2.3.1) the same
      // Entra v2 endpoints are spoken with oauth4webapi instead.
      const authority = this.deps.clouds.authority(def.cloud, def.tenant);
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
    this.statuses.set(id, status);
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
    const url = await this.guard(def, () => provider.authorizationUrl(effective, { redirectUri, codeChallenge, state }));
    let used = false;
    return {
      url,
      state,
      complete: (callbackUrl) =>
        this.guard(def, async () => {
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
          const tokens = await provider.exchangeCode(effective, { code, redirectUri, codeVerifier, callbackUrl: callback, state });
          return this.accept(def, tokens);
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
    const device: DeviceAuthorization = await this.guard(def, () => provider.deviceCode(effective));
    return {
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      verificationUriComplete: device.verificationUriComplete,
      message: device.message,
      expiresAt: device.expiresAt,
      complete: (signal) =>
        this.guard(def, async () => {
          this.count(def.id);
          return this.accept(def, await device.complete(signal));
        })
    };
  }

  async authorizeClientCredentials(def: CredentialDefinition): Promise<CredentialStatus> {
    const { provider, def: effective } = this.provider(def);
    return this.guard(def, async () => {
      this.count(def.id);
      return this.accept(def, await provider.clientCredentials(effective));
    });
  }

  getAccessToken(def: CredentialDefinition, options: { forceRefresh?: boolean } = {}): Promise<AccessToken> {
    const cached = this.memory.get(def.id);
    if (!options.forceRefresh && cached && this.usable(def, cached)) return Promise.resolve(this.view(cached));
    // One request per credential at a time: later callers share the one in flight.
    let pending = this.inflight.get(def.id);
    if (!pending) {
      pending = this.fetchToken(def, options.forceRefresh ?? false).finally(() => this.inflight.delete(def.id));
      this.inflight.set(def.id, pending);
    }
    return pending;
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

  private async fetchToken(def: CredentialDefinition, force: boolean): Promise<AccessToken> {
    return this.guard(def, async () => {
      // Read the vault, not memory: another window may have rotated the refresh token.
      const stored = await this.readRecord(def.id);
      if (!force && stored && this.usable(def, stored)) {
        this.memory.set(def.id, stored);
        return this.view(stored);
      }
      const { provider, def: effective } = this.provider(def);
      let tokens: TokenSet;
      this.count(def.id);
      if (def.grant === 'clientCredentials') {
        tokens = await provider.clientCredentials(effective);
      } else {
        if (!stored) throw new AuthError('not_authorized', `"${def.name}" is not authorized yet.`, { nextStep: 'Run "Authorize credential".' });
        tokens = await provider.refresh(effective, stored, true);
      }
      await this.accept(def, tokens, stored);
      return this.view(this.memory.get(def.id) as TokenRecord);
    });
  }

  private async readRecord(id: string): Promise<TokenRecord | undefined> {
    const key = secretKeys(id).tokens;
    const text = await this.deps.vault.get(key);
    if (!text) return undefined;
    try {
      const record = JSON.parse(text) as TokenRecord;
      if (typeof record.accessToken !== 'string' || typeof record.expiresAt !== 'number') throw new Error('shape');
      this.deps.redactor.add(record.accessToken);
      this.deps.redactor.add(record.refreshToken);
      return record;
    } catch {
      // A value that will not parse is deleted, not trusted.
      await this.deps.vault.delete(key);
      return undefined;
    }
  }

  private async accept(def: CredentialDefinition, tokens: TokenSet, previous?: TokenRecord): Promise<CredentialStatus> {
    const now = this.now();
    // The tokens this replaces are superseded: forgotten by the redactor so its set stays small.
    const replaced = this.memory.get(def.id) ?? previous;
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
    // One write: the new refresh token replaces the old one only once it is stored.
    await this.deps.vault.store(secretKeys(def.id).tokens, JSON.stringify(record));
    this.memory.set(def.id, record);
    const status: CredentialStatus = {
      authorizedAt: previous ? (this.statuses.get(def.id)?.authorizedAt ?? now) : now,
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
  private async guard<T>(def: CredentialDefinition, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      if (error instanceof CancelledError) throw error;
      const typed =
        error instanceof AuthError
          ? error
          : new AuthError('unexpected', `Sign-in failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      const message = this.deps.redactor.redact(typed.message);
      const previous = this.statuses.get(def.id) ?? {};
      const status: CredentialStatus = { ...previous, lastError: { code: typed.code, message, at: this.now() } };
      if (typed.grantExpired) {
        status.expired = true;
        this.memory.delete(def.id);
      }
      this.deps.logger.warn(`${def.id}: ${typed.code}: ${message}`);
      this.emit(def.id, status);
      throw typed.message === message
        ? typed
        : new AuthError(typed.code, message, { cause: typed.cause, nextStep: typed.options.nextStep }, typed.grantExpired);
    }
  }

  async signOut(def: CredentialDefinition): Promise<void> {
    const keys = secretKeys(def.id);
    await this.deps.vault.delete(keys.tokens);
    await this.deps.vault.delete(keys.msalCache);
    this.memory.delete(def.id);
    this.microsoft.forget(def.id);
    this.emit(def.id, {});
  }

  async forget(credentialId: string): Promise<void> {
    await Promise.all(Object.values(secretKeys(credentialId)).map((key) => this.deps.vault.delete(key)));
    this.memory.delete(credentialId);
    this.statuses.delete(credentialId);
    this.microsoft.forget(credentialId);
  }

  /** Seeds the last known statuses (from extension storage) so failures keep `authorizedAt`. */
  restoreStatus(credentialId: string, status: CredentialStatus): void {
    this.statuses.set(credentialId, status);
  }

  dispose(): void {
    this.listeners.clear();
    this.inflight.clear();
    this.memory.clear();
  }
}
