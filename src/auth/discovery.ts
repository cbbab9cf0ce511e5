/**
 * Authorization server metadata read from the issuer, through oauth4webapi's discovery: OpenID
 * discovery (`{issuer}/.well-known/openid-configuration`) first, then RFC 8414
 * (`{origin}/.well-known/oauth-authorization-server{path}`). oauth4webapi refuses a document whose
 * `issuer` is not the one asked for, so what comes back is the issuer's own word. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import * as oauth from 'oauth4webapi';
import type { IssuerMetadata } from '../core/endpointTrust';
import { AuthError, invalidEndpoint } from './errors';
import type { fetchWithCa } from './httpsRequest';

export async function discoverIssuer(issuer: string, fetch: ReturnType<typeof fetchWithCa>): Promise<IssuerMetadata> {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw invalidEndpoint(issuer, l10n.t('it is not a URL'));
  }
  const options = { [oauth.customFetch]: fetch, ...(url.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {}) };
  let last: unknown;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...options, algorithm }));
      return {
        issuer: as.issuer,
        authorizationEndpoint: as.authorization_endpoint,
        tokenEndpoint: as.token_endpoint,
        deviceAuthorizationEndpoint: as.device_authorization_endpoint
      };
    } catch (error) {
      // A network or TLS failure is the same for both documents; a 404 or a foreign `issuer` may not be.
      if (error instanceof AuthError && /^(network|tls)\./.test(error.code)) throw error;
      last = error;
    }
  }
  if (last instanceof AuthError) throw last;
  throw new AuthError('invalid_response', l10n.t('{0} publishes no authorization server metadata that names it as issuer.', issuer), {
    cause: last,
    nextStep: l10n.t('Check the issuer URL, or enter the endpoints by hand.')
  });
}
