/**
 * Any standard OAuth 2.0 provider (Gmail and others) through oauth4webapi: authorization code with
 * PKCE (RFC 7636), refresh (RFC 6749 section 6), client credentials (section 4.4), device
 * authorization (RFC 8628); client authentication by secret (post or Basic), private_key_jwt
 * (RFC 7523) or none. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { createPrivateKey, webcrypto } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { GENERIC_PRESETS } from '../../core/clouds';
import { CancelledError } from '../../core/errors';
import { DEVICE_CODE_LIMITS, vetDeviceAuthorization } from '../../core/deviceCode';
import {
  assessDestinations,
  confirmationsFor,
  pendingConfirmations,
  recordConfirmation,
  type ConfirmDestination,
  type IssuerMetadata
} from '../../core/endpointTrust';
import type { CredentialDefinition } from '../../core/model';
import type { SecretVault } from '../../core/secretVault';
import { RESERVED_AUTHORIZATION_PARAMETERS } from '../../core/validation';
import { secretKeys } from '../../core/secretVault';
import { discoverIssuer } from '../discovery';
import { AuthError, invalidEndpoint, missingIssuer, oauthError, untrustedDeviceAuthorization, untrustedEndpoint } from '../errors';
import { fetchWithCa } from '../httpsRequest';
import type { ProxyConfig } from '../../net/proxyRoute';
import type { DeviceAuthorization, GrantProvider, TokenSet } from './grantProvider';

export class GenericProvider implements GrantProvider {
  private readonly fetch: ReturnType<typeof fetchWithCa>;
  /** Metadata read this session, per issuer (only successes: a failed read is tried again next time). */
  private readonly metadata = new Map<string, IssuerMetadata>();

  constructor(
    private readonly vault: SecretVault,
    extraCaCertificates: () => readonly string[],
    private readonly now: () => number,
    /** Asks the user about a destination nothing vouches for; without it such a destination is refused. */
    private readonly confirmDestination?: ConfirmDestination,
    /** VS Code's proxy configuration, read at each request. */
    proxy: () => ProxyConfig | undefined = () => undefined
  ) {
    this.fetch = fetchWithCa(extraCaCertificates, proxy);
  }

  /** The issuer's metadata (OpenID discovery, else RFC 8414), as the issuer itself publishes it. */
  async discover(issuer: string): Promise<IssuerMetadata> {
    const cached = this.metadata.get(issuer);
    if (cached) return cached;
    const found = await discoverIssuer(issuer, this.fetch);
    this.metadata.set(issuer, found);
    return found;
  }

  /**
   * The authorization server as oauth4webapi sees it, once every endpoint that would receive
   * something is vouched for (core/endpointTrust.ts) or confirmed by the user. Every request of
   * every grant gets its server here, so nothing is sent before this check. The issuer is the
   * credential's own: the RFC 9207 `iss` check and the ID token's `iss` are compared with it,
   * never with what a response claims.
   */
  private async server(def: CredentialDefinition): Promise<oauth.AuthorizationServer> {
    if (!def.issuer) throw missingIssuer();
    const token = def.tokenUrl ?? '';
    try {
      new URL(token);
    } catch {
      throw invalidEndpoint(token, l10n.t('it is not a URL'));
    }
    await this.vetDestinations(def, def.issuer);
    return {
      issuer: def.issuer,
      authorization_endpoint: def.authorizationUrl,
      token_endpoint: token,
      device_authorization_endpoint: def.deviceAuthorizationUrl
    };
  }

  private async vetDestinations(def: CredentialDefinition, issuer: string): Promise<void> {
    const known = Object.values(GENERIC_PRESETS);
    // Cheapest first: most definitions are vouched for without reading the vault or the network.
    let destinations = assessDestinations(def, { known, confirmedOrigins: [] });
    if (destinations.every((d) => d.vouchedBy)) return;
    const key = secretKeys(def.id).confirmedEndpoints;
    let stored = await this.vault.get(key);
    const metadata = await this.discover(issuer).catch(() => undefined);
    destinations = assessDestinations(def, { known, metadata, confirmedOrigins: confirmationsFor(def, stored) });
    for (const request of pendingConfirmations(def.name, def, destinations)) {
      if (!(await this.confirmDestination?.(request))) throw untrustedEndpoint(request.host, issuer);
      stored = recordConfirmation(def, stored, request.origin);
      await this.vault.store(key, stored);
    }
  }

  private options(def: CredentialDefinition): { [oauth.customFetch]: ReturnType<typeof fetchWithCa>; [oauth.allowInsecureRequests]?: boolean } {
    const insecure = [def.tokenUrl, def.deviceAuthorizationUrl].some((u) => u?.startsWith('http:'));
    return { [oauth.customFetch]: this.fetch, ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}) };
  }

  private async clientAuth(def: CredentialDefinition): Promise<oauth.ClientAuth> {
    const keys = secretKeys(def.id);
    switch (def.clientAuth) {
      case 'secretPost':
      case 'secretBasic': {
        const secret = await this.vault.get(keys.clientSecret);
        if (!secret) {
          throw new AuthError('missing_secret', l10n.t('The credential has no client secret stored.'), {
            nextStep: l10n.t('Edit the credential and enter the client secret.')
          });
        }
        return def.clientAuth === 'secretPost' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
      }
      case 'certificate': {
        const pem = await this.vault.get(keys.privateKey);
        if (!pem) {
          throw new AuthError('missing_secret', l10n.t('The credential has no private key stored.'), {
            nextStep: l10n.t('Edit the credential and select the certificate and key.')
          });
        }
        const keyObject = createPrivateKey(pem);
        const algorithm = keyObject.asymmetricKeyType === 'ec' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
        const key = await webcrypto.subtle.importKey('pkcs8', keyObject.export({ type: 'pkcs8', format: 'der' }), algorithm, false, ['sign']);
        return oauth.PrivateKeyJwt(key as unknown as Parameters<typeof oauth.PrivateKeyJwt>[0]);
      }
      default:
        return oauth.None();
    }
  }

  private client(def: CredentialDefinition): oauth.Client {
    return { client_id: def.clientId };
  }

  private toTokenSet(def: CredentialDefinition, response: oauth.TokenEndpointResponse, previousRefresh?: string): TokenSet {
    const extra = response as unknown as { refresh_token_expires_in?: number };
    return {
      accessToken: response.access_token,
      expiresAt: this.now() + (response.expires_in ?? 3600) * 1000,
      // A provider that does not rotate keeps the old refresh token valid (RFC 6749 section 6).
      refreshToken: response.refresh_token ?? previousRefresh,
      refreshTokenExpiresIn: typeof extra.refresh_token_expires_in === 'number' ? extra.refresh_token_expires_in : undefined,
      account: def.userName,
      scopes: (response.scope ?? def.scopes.join(' ')).split(' ').filter(Boolean)
    };
  }

  private async run<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw translate(error);
    }
  }

  async authorizationUrl(def: CredentialDefinition, request: { redirectUri: string; codeChallenge: string; state: string }): Promise<string> {
    // Checked before the browser opens, so a sign-in never starts for a code that could not be exchanged.
    await this.run(() => this.server(def));
    const url = new URL(def.authorizationUrl ?? '');
    // Extras first, so the protocol parameters below always win; reserved names are skipped as
    // well, for a definition saved before validation refused them.
    for (const [key, value] of Object.entries(def.extraAuthorizationParameters ?? {})) {
      if (typeof value === 'string' && !RESERVED_AUTHORIZATION_PARAMETERS.has(key.toLowerCase())) url.searchParams.set(key, value);
    }
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', def.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('scope', def.scopes.join(' '));
    url.searchParams.set('state', request.state);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    if (def.userName) url.searchParams.set('login_hint', def.userName);
    return url.toString();
  }

  async exchangeCode(
    def: CredentialDefinition,
    request: { code: string; redirectUri: string; codeVerifier: string; callbackUrl: URL; state: string }
  ): Promise<TokenSet> {
    return this.run(async () => {
      const as = await this.server(def);
      const params = oauth.validateAuthResponse(as, this.client(def), request.callbackUrl, request.state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        this.client(def),
        await this.clientAuth(def),
        params,
        request.redirectUri,
        request.codeVerifier,
        this.options(def)
      );
      return this.toTokenSet(def, await oauth.processAuthorizationCodeResponse(as, this.client(def), response, { requireIdToken: false }));
    });
  }

  async clientCredentials(def: CredentialDefinition): Promise<TokenSet> {
    return this.run(async () => {
      const as = await this.server(def);
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        this.client(def),
        await this.clientAuth(def),
        { scope: def.scopes.join(' ') },
        this.options(def)
      );
      return this.toTokenSet(def, await oauth.processClientCredentialsResponse(as, this.client(def), response));
    });
  }

  async refresh(def: CredentialDefinition, stored: { refreshToken?: string }): Promise<TokenSet> {
    if (!stored.refreshToken) {
      throw new AuthError(
        'invalid_grant',
        l10n.t('There is no refresh token: the credential must be authorized.'),
        { nextStep: l10n.t('Run "Authorize credential".') },
        true
      );
    }
    const refreshToken = stored.refreshToken;
    return this.run(async () => {
      const as = await this.server(def);
      // Entra's v2 endpoint (a Microsoft credential with HTTP Basic) gives a token for the scopes
      // named in the refresh, which is how one refresh token serves Exchange and Graph.
      const scope = def.provider === 'microsoft' ? { additionalParameters: { scope: def.scopes.join(' ') } } : {};
      const response = await oauth.refreshTokenGrantRequest(as, this.client(def), await this.clientAuth(def), refreshToken, { ...this.options(def), ...scope });
      return this.toTokenSet(def, await oauth.processRefreshTokenResponse(as, this.client(def), response), refreshToken);
    });
  }

  async deviceCode(def: CredentialDefinition): Promise<DeviceAuthorization> {
    if (!def.deviceAuthorizationUrl) throw invalidEndpoint('(none)', l10n.t('the credential has no device authorization URL'));
    const as = await this.run(() => this.server(def));
    const clientAuth = await this.clientAuth(def);
    const device = await this.run(async () =>
      oauth.processDeviceAuthorizationResponse(
        as,
        this.client(def),
        await oauth.deviceAuthorizationRequest(as, this.client(def), clientAuth, { scope: def.scopes.join(' ') }, this.options(def))
      )
    );
    const vetted = vetDeviceAuthorization({
      verificationUri: device.verification_uri,
      verificationUriComplete: device.verification_uri_complete,
      interval: device.interval,
      expiresIn: device.expires_in
    });
    if ('problem' in vetted) throw untrustedDeviceAuthorization(vetted.problem);
    const expiresAt = this.now() + vetted.expiresInSeconds * 1000;
    return {
      userCode: device.user_code,
      verificationUri: vetted.verificationUri,
      verificationUriComplete: vetted.verificationUriComplete,
      message: l10n.t('Enter the code {0} at {1}', device.user_code, vetted.verificationUri),
      expiresAt,
      complete: async (signal) => {
        let interval = vetted.intervalSeconds * 1000;
        for (;;) {
          await sleep(interval, signal);
          if (this.now() > expiresAt) throw oauthError({ error: 'expired_token' });
          try {
            const response = await oauth.deviceCodeGrantRequest(as, this.client(def), clientAuth, device.device_code, this.options(def));
            return this.toTokenSet(def, await oauth.processDeviceCodeResponse(as, this.client(def), response));
          } catch (error) {
            if (error instanceof oauth.ResponseBodyError && error.error === 'authorization_pending') continue;
            if (error instanceof oauth.ResponseBodyError && error.error === 'slow_down') {
              interval = Math.min(interval + 5000, DEVICE_CODE_LIMITS.maxIntervalSeconds * 1000); // RFC 8628 section 3.5
              continue;
            }
            throw translate(error);
          }
        }
      }
    };
  }

  forget(): void {
    // Nothing cached per credential.
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new CancelledError());
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new CancelledError());
      },
      { once: true }
    );
  });
}

function translate(error: unknown): unknown {
  if (error instanceof AuthError || error instanceof CancelledError) return error;
  if (error instanceof oauth.ResponseBodyError) {
    return oauthError(
      { error: error.error, error_description: error.error_description, error_codes: (error.cause as { error_codes?: number[] } | undefined)?.error_codes },
      error
    );
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return oauthError({ error: error.error, error_description: error.error_description ?? undefined }, error);
  }
  if (error instanceof oauth.OperationProcessingError && /state/i.test(error.message)) {
    return new AuthError('state_mismatch', l10n.t('The sign-in response does not belong to this sign-in (its state does not match).'), {
      cause: error,
      nextStep: l10n.t('Authorize again and finish only the newest browser tab.')
    });
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new AuthError('invalid_response', l10n.t("The provider's response cannot be used: {0}.", error.message), { cause: error });
  }
  return error;
}
