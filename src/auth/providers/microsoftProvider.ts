/**
 * Microsoft Entra ID through @azure/msal-node (pinned): authorization code with PKCE (the browser
 * hand-off is ours, MSAL only builds the URL and exchanges the code), client credentials with a
 * secret or a certificate, device code, and refresh from MSAL's token cache, which a cache plugin
 * keeps in SecretStorage (it holds refresh tokens). MSAL talks to the network only through our
 * https module (extra CAs, verification on, VS Code's proxy). No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import {
  ConfidentialClientApplication,
  LogLevel,
  PublicClientApplication,
  type AuthenticationResult,
  type Configuration,
  type ICachePlugin,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse
} from '@azure/msal-node';
import { CancelledError } from '../../core/errors';
import type { SecretRedactor } from '../../core/redact';
import { readClientCertificate } from '../../core/certificate';
import { BUILT_IN_CLOUDS, type CloudCatalog } from '../../core/clouds';
import { vetDeviceAuthorization } from '../../core/deviceCode';
import type { CredentialDefinition } from '../../core/model';
import { AuthError, oauthError, untrustedDeviceAuthorization } from '../errors';
import { httpsRequest } from '../httpsRequest';
import type { ProxyConfig } from '../../net/proxyRoute';
import type { SecretVault } from '../../core/secretVault';
import { secretKeys } from '../../core/secretVault';
import type { DeviceAuthorization, GrantProvider, TokenSet } from './grantProvider';

interface Logger {
  debug(m: string): void;
  warn(m: string): void;
}

type App = ConfidentialClientApplication | PublicClientApplication;

export class MicrosoftProvider implements GrantProvider {
  private readonly apps = new Map<string, { key: string; app: App }>();

  constructor(
    private readonly vault: SecretVault,
    private readonly clouds: () => CloudCatalog,
    private readonly extraCaCertificates: () => readonly string[],
    private readonly logger: Logger,
    private readonly redactor: SecretRedactor,
    private readonly now: () => number,
    /** VS Code's proxy configuration, read at each request. */
    private readonly proxy: () => ProxyConfig | undefined = () => undefined
  ) {}

  /**
   * MSAL replaces a failure of its network module with its own error (`endpoints_resolution_error`,
   * `network_error`) and drops the cause. The last one is kept here so that the user is told what
   * really happened (an untrusted certificate with its chain, a refused connection). Kept per
   * credential: one credential's failure must not explain another's.
   */
  private readonly lastNetworkFailure = new Map<string, unknown>();

  private networkClient(credentialId: string): INetworkModule {
    const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> => {
      const response = await httpsRequest(url, {
        method,
        headers: options?.headers,
        body: options?.body,
        extraCaCertificates: this.extraCaCertificates(),
        proxy: this.proxy(),
        timeoutMs: timeout
      }).catch((error: unknown) => {
        this.lastNetworkFailure.set(credentialId, error);
        throw error;
      });
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        body = {};
      }
      return { headers: response.headers, body: body as T, status: response.status };
    };
    return {
      sendGetRequestAsync: (url, options, timeout) => send('GET', url, options, timeout),
      sendPostRequestAsync: (url, options) => send('POST', url, options)
    };
  }

  private cachePlugin(credentialId: string): ICachePlugin {
    const key = secretKeys(credentialId).msalCache;
    return {
      beforeCacheAccess: async (context) => {
        const serialized = await this.vault.get(key);
        if (serialized) {
          try {
            context.tokenCache.deserialize(serialized);
          } catch {
            // A cache that will not parse is dropped, not trusted.
            await this.vault.delete(key);
          }
        }
      },
      afterCacheAccess: async (context) => {
        // One write replaces the whole cache: the new refresh token is stored before the old one is gone.
        if (context.cacheHasChanged) await this.vault.store(key, context.tokenCache.serialize());
      }
    };
  }

  private async app(def: CredentialDefinition): Promise<App> {
    const keys = secretKeys(def.id);
    const authority = this.clouds().authority(def.cloud, def.tenant);
    const builtIn = BUILT_IN_CLOUDS.some((c) => c.id === (def.cloud ?? 'global'));
    const config: Configuration = {
      auth: {
        clientId: def.clientId,
        authority,
        // Custom clouds (and the local sandbox) are trusted as given, without Microsoft's instance discovery.
        ...(builtIn ? {} : { knownAuthorities: [new URL(authority).host] })
      },
      cache: { cachePlugin: this.cachePlugin(def.id) },
      system: {
        networkClient: this.networkClient(def.id),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message, containsPii) => {
            if (!containsPii) this.logger.debug(`[msal] ${this.redactor.redact(message)}`);
          }
        }
      }
    };
    let secretFingerprint = '';
    if (def.clientAuth === 'secretPost' || def.clientAuth === 'secretBasic') {
      const secret = await this.vault.get(keys.clientSecret);
      if (!secret) {
        throw new AuthError('missing_secret', l10n.t('The credential has no client secret stored.'), {
          nextStep: l10n.t('Edit the credential and enter the client secret value.')
        });
      }
      this.redactor.add(secret);
      config.auth.clientSecret = secret;
      secretFingerprint = secret;
    } else if (def.clientAuth === 'certificate') {
      const [certificate, privateKey] = await Promise.all([this.vault.get(keys.certificate), this.vault.get(keys.privateKey)]);
      if (!certificate || !privateKey) {
        throw new AuthError('missing_secret', l10n.t('The credential has no certificate or private key stored.'), {
          nextStep: l10n.t('Edit the credential and select the certificate and key.')
        });
      }
      const parsed = readClientCertificate(certificate, privateKey);
      config.auth.clientCertificate = { thumbprintSha256: parsed.thumbprintSha256, privateKey: parsed.privateKeyPem, x5c: parsed.certificatePem };
      secretFingerprint = parsed.thumbprintSha256;
    }
    const cacheKey = JSON.stringify([authority, def.clientId, def.clientAuth, secretFingerprint.length, secretFingerprint.slice(-6)]);
    const cached = this.apps.get(def.id);
    if (cached && cached.key === cacheKey) return cached.app;
    const app = def.clientAuth === 'none' ? new PublicClientApplication(config) : new ConfidentialClientApplication(config);
    this.apps.set(def.id, { key: cacheKey, app });
    return app;
  }

  private toTokenSet(result: AuthenticationResult | null, def: CredentialDefinition): TokenSet {
    if (!result?.accessToken) throw new AuthError('no_token', l10n.t('The authorization server returned no access token.'));
    this.redactor.add(result.accessToken);
    const claims = (result.idTokenClaims ?? {}) as { preferred_username?: string; upn?: string };
    return {
      accessToken: result.accessToken,
      expiresAt: result.expiresOn ? result.expiresOn.getTime() : this.now() + 3600_000,
      homeAccountId: result.account?.homeAccountId,
      account: claims.preferred_username ?? claims.upn ?? result.account?.username ?? def.userName,
      scopes: result.scopes
    };
  }

  private async run<T>(credentialId: string, operation: () => Promise<T>): Promise<T> {
    this.lastNetworkFailure.delete(credentialId);
    try {
      return await operation();
    } catch (error) {
      const code = (error as { errorCode?: unknown })?.errorCode;
      const networkFailure = this.lastNetworkFailure.get(credentialId);
      if (networkFailure instanceof AuthError && typeof code === 'string' && /network|endpoints_resolution|openid_config|discovery/i.test(code)) {
        throw networkFailure;
      }
      throw translateMsalError(error);
    }
  }

  async authorizationUrl(def: CredentialDefinition, request: { redirectUri: string; codeChallenge: string; state: string }): Promise<string> {
    const app = await this.app(def);
    return this.run(def.id, () =>
      app.getAuthCodeUrl({
        scopes: def.scopes,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        state: request.state,
        loginHint: def.userName
      })
    );
  }

  async exchangeCode(def: CredentialDefinition, request: { code: string; redirectUri: string; codeVerifier: string }): Promise<TokenSet> {
    const app = await this.app(def);
    return this.run(def.id, async () =>
      this.toTokenSet(
        await app.acquireTokenByCode({ code: request.code, scopes: def.scopes, redirectUri: request.redirectUri, codeVerifier: request.codeVerifier }),
        def
      )
    );
  }

  async clientCredentials(def: CredentialDefinition): Promise<TokenSet> {
    const app = await this.app(def);
    if (!(app instanceof ConfidentialClientApplication)) {
      throw new AuthError('invalid_client', l10n.t('Client credentials need a client secret or a certificate.'));
    }
    return this.run(def.id, async () => this.toTokenSet(await app.acquireTokenByClientCredential({ scopes: def.scopes, skipCache: true }), def));
  }

  async refresh(def: CredentialDefinition, stored: { homeAccountId?: string }, force: boolean): Promise<TokenSet> {
    const app = await this.app(def);
    return this.run(def.id, async () => {
      const accounts = await app.getTokenCache().getAllAccounts();
      const account = accounts.find((a) => a.homeAccountId === stored.homeAccountId) ?? accounts[0];
      if (!account) {
        throw new AuthError(
          'invalid_grant',
          l10n.t('No signed-in account is cached for this credential.'),
          { nextStep: l10n.t('Run "Authorize credential".') },
          true
        );
      }
      return this.toTokenSet(await app.acquireTokenSilent({ account, scopes: def.scopes, forceRefresh: force }), def);
    });
  }

  async deviceCode(def: CredentialDefinition): Promise<DeviceAuthorization> {
    const app = await this.app(def);
    if (!(app instanceof PublicClientApplication)) {
      throw new AuthError('invalid_client', l10n.t('The device code grant needs a public client (client authentication "none").'));
    }
    const request = { scopes: def.scopes, cancel: false, deviceCodeCallback: (_: unknown) => undefined as void };
    const challenge = new Promise<{ userCode: string; verificationUri: string; message: string; expiresIn: number }>((resolve) => {
      request.deviceCodeCallback = (response: unknown) =>
        resolve(response as { userCode: string; verificationUri: string; message: string; expiresIn: number });
    });
    const tokens = this.run(def.id, async () => this.toTokenSet(await app.acquireTokenByDeviceCode(request), def));
    tokens.catch(() => undefined);
    const first = await Promise.race([challenge, tokens.then(() => undefined)]);
    if (!first) throw new AuthError('device_code', l10n.t('The device code sign-in ended before a code was issued.'));
    // MSAL polls on its own schedule; the page it was told to show is checked, and the expiry shown clamped.
    const vetted = vetDeviceAuthorization({ verificationUri: first.verificationUri, expiresIn: first.expiresIn });
    if ('problem' in vetted) {
      request.cancel = true;
      throw untrustedDeviceAuthorization(vetted.problem);
    }
    return {
      userCode: first.userCode,
      verificationUri: vetted.verificationUri,
      message: first.message,
      expiresAt: this.now() + vetted.expiresInSeconds * 1000,
      complete: (signal) => {
        const abort = () => (request.cancel = true);
        signal.addEventListener('abort', abort, { once: true });
        return tokens.then(
          (result) => result,
          (error) => {
            throw signal.aborted ? new CancelledError() : error;
          }
        );
      }
    };
  }

  /**
   * The refresh token MSAL keeps for the account in the credential's cache, for a hand-over the user
   * asked for. MSAL has no API for it (by design), so the serialized cache is read: its
   * `RefreshToken` section holds `{ home_account_id, client_id, secret }` entries.
   */
  async cachedRefreshToken(def: CredentialDefinition, homeAccountId: string | undefined): Promise<string | undefined> {
    const serialized = await this.vault.get(secretKeys(def.id).msalCache);
    if (!serialized) return undefined;
    let cache: { RefreshToken?: Record<string, { home_account_id?: string; client_id?: string; secret?: string }> };
    try {
      cache = JSON.parse(serialized) as typeof cache;
    } catch {
      return undefined;
    }
    const entries = Object.values(cache.RefreshToken ?? {}).filter((e) => e.client_id === def.clientId && typeof e.secret === 'string');
    const entry = entries.find((e) => e.home_account_id === homeAccountId) ?? (homeAccountId ? undefined : entries[0]);
    if (entry?.secret) this.redactor.add(entry.secret);
    return entry?.secret;
  }

  forget(credentialId: string): void {
    this.apps.delete(credentialId);
    this.lastNetworkFailure.delete(credentialId);
  }
}

/** MSAL errors carry the OAuth `error` as errorCode and Entra's "AADSTS…: text" as errorMessage. */
function translateMsalError(error: unknown): unknown {
  if (error instanceof AuthError || error instanceof CancelledError) return error;
  const e = error as { errorCode?: string; errorMessage?: string; subError?: string; name?: string; message?: string };
  if (e && typeof e === 'object' && typeof e.errorCode === 'string') {
    if (e.errorCode === 'device_code_cancelled' || e.errorCode === 'user_cancelled') return new CancelledError();
    if (['no_tokens_found', 'no_account_found', 'refresh_token_expired', 'native_account_unavailable'].includes(e.errorCode)) {
      return new AuthError(
        'invalid_grant',
        l10n.t('The cached sign-in is gone or expired.'),
        { cause: error, nextStep: l10n.t('Run "Authorize credential".') },
        true
      );
    }
    if (
      /AADSTS\d+/.test(e.errorMessage ?? '') ||
      [
        'invalid_grant',
        'invalid_client',
        'invalid_request',
        'unauthorized_client',
        'access_denied',
        'invalid_scope',
        'interaction_required',
        'consent_required',
        'expired_token'
      ].includes(e.errorCode)
    ) {
      return oauthError({ error: e.errorCode, error_description: e.errorMessage }, error);
    }
    if (/network|endpoints_resolution|openid_config/i.test(e.errorCode) && (error as { cause?: unknown }).cause) return (error as { cause?: unknown }).cause;
    return new AuthError(e.errorCode, l10n.t('Microsoft sign-in failed: {0}.', e.errorMessage || e.message || e.errorCode), { cause: error });
  }
  return error;
}
