/**
 * What the auth service needs from a provider (Microsoft through MSAL, any other through
 * oauth4webapi). Providers speak the protocol; the service owns PKCE/state checks, persistence,
 * single-flight refresh and status. No `vscode` import.
 */
import type { CredentialDefinition } from '../../core/model';

export interface TokenSet {
  accessToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** Generic providers only: MSAL keeps refresh tokens in its own (secret) cache. */
  refreshToken?: string;
  /** Seconds the server says the refresh token lives, if it says (e.g. `refresh_token_expires_in`). */
  refreshTokenExpiresIn?: number;
  /** MSAL's account id, to find the account in its cache. */
  homeAccountId?: string;
  /** The user as the server reported it (id_token preferred_username / upn). */
  account?: string;
  scopes: string[];
}

export interface DeviceAuthorization {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  message: string;
  expiresAt: number;
  /** Polls until the user finishes, the code expires or the signal aborts. */
  complete(signal: AbortSignal): Promise<TokenSet>;
}

export interface GrantProvider {
  authorizationUrl(def: CredentialDefinition, request: { redirectUri: string; codeChallenge: string; state: string }): Promise<string>;
  exchangeCode(
    def: CredentialDefinition,
    request: { code: string; redirectUri: string; codeVerifier: string; callbackUrl: URL; state: string }
  ): Promise<TokenSet>;
  deviceCode(def: CredentialDefinition): Promise<DeviceAuthorization>;
  clientCredentials(def: CredentialDefinition): Promise<TokenSet>;
  /** Uses the stored refresh token (generic) or MSAL's cache (Microsoft). */
  refresh(def: CredentialDefinition, stored: { refreshToken?: string; homeAccountId?: string }, force: boolean): Promise<TokenSet>;
  /** Drops cached state of a credential (MSAL application, cache). */
  forget(credentialId: string): void;
}
