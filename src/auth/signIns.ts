/**
 * The three ways a credential gets its first tokens: the authorization code with PKCE and state
 * (the browser hand-off), the device code, and client credentials. Each runs under the engine's
 * guard and generation, so a sign-in that outlives a sign-out stores nothing. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import * as oauth from 'oauth4webapi';
import type { CredentialDefinition, CredentialStatus, TokenResource } from '../core/model';
import { AuthError, oauthError, stateMismatch } from './errors';
import type { DeviceAuthorization, GrantProvider, TokenSet } from './providers/grantProvider';

/** What a sign-in uses of the engine (authService.ts). */
export interface SignInSteps {
  /** The resource signed in for, its provider and definition, and the session's generation now. */
  begin(def: CredentialDefinition): { provider: GrantProvider; def: CredentialDefinition; resource: TokenResource; generation: number };
  guard<T>(def: CredentialDefinition, generation: number, step: () => Promise<T>): Promise<T>;
  /** A token request on the network: counted, and waited for by sign-out. */
  request<T>(credentialId: string, resource: TokenResource, request: Promise<T>): Promise<T>;
  accept(def: CredentialDefinition, generation: number, tokens: TokenSet, resource: TokenResource): Promise<CredentialStatus>;
  /** Registers a value that must never be logged or shown. */
  secret(value: string): void;
}

export async function beginAuthorizationCode(
  steps: SignInSteps,
  def: CredentialDefinition,
  redirectUri: string
): Promise<{ url: string; state: string; complete(callbackUrl: string): Promise<CredentialStatus> }> {
  const { provider, def: effective, resource, generation } = steps.begin(def);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  // The verifier turns a stolen code into tokens (RFC 7636 section 1): it is a secret while the sign-in runs.
  steps.secret(codeVerifier);
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const state = oauth.generateRandomState();
  const url = await steps.guard(def, generation, () => provider.authorizationUrl(effective, { redirectUri, codeChallenge, state }));
  let used = false;
  return {
    url,
    state,
    complete: (callbackUrl) =>
      steps.guard(def, generation, async () => {
        if (used) throw new AuthError('already_used', l10n.t('This sign-in was already completed.'));
        const callback = new URL(callbackUrl);
        const params = callback.searchParams;
        if (params.get('state') !== state) throw stateMismatch();
        used = true;
        const error = params.get('error');
        if (error) throw oauthError({ error, error_description: params.get('error_description') ?? undefined });
        const code = params.get('code');
        if (!code) throw new AuthError('invalid_request', l10n.t('The sign-in response has no authorization code.'));
        steps.secret(code);
        const tokens = await steps.request(
          def.id,
          resource,
          provider.exchangeCode(effective, { code, redirectUri, codeVerifier, callbackUrl: callback, state })
        );
        return steps.accept(def, generation, tokens, resource);
      })
  };
}

export async function beginDeviceCode(
  steps: SignInSteps,
  def: CredentialDefinition
): Promise<{
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  message: string;
  expiresAt: number;
  complete(signal: AbortSignal): Promise<CredentialStatus>;
}> {
  const { provider, def: effective, resource, generation } = steps.begin(def);
  const device: DeviceAuthorization = await steps.guard(def, generation, () => provider.deviceCode(effective));
  return {
    userCode: device.userCode,
    verificationUri: device.verificationUri,
    verificationUriComplete: device.verificationUriComplete,
    message: device.message,
    expiresAt: device.expiresAt,
    complete: (signal) =>
      steps.guard(def, generation, async () => {
        return steps.accept(def, generation, await steps.request(def.id, resource, device.complete(signal)), resource);
      })
  };
}

export async function authorizeClientCredentials(steps: SignInSteps, def: CredentialDefinition): Promise<CredentialStatus> {
  const { provider, def: effective, resource, generation } = steps.begin(def);
  return steps.guard(def, generation, async () =>
    steps.accept(def, generation, await steps.request(def.id, resource, provider.clientCredentials(effective)), resource)
  );
}
