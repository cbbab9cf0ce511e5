/**
 * What every platform that takes over a credential asks for first: the authorization and token
 * URLs and the scopes its mail servers accept. Pure; no `vscode` import.
 */
import type { CloudCatalog } from '../clouds';
import type { CredentialDefinition } from '../model';

export interface OAuthEndpoints {
  authorizationUrl: string;
  tokenUrl: string;
}

/** Entra's v2 endpoints under the credential's authority, or a generic credential's own. */
export function oauthEndpointsOf(def: CredentialDefinition, clouds: CloudCatalog): OAuthEndpoints {
  if (def.provider !== 'microsoft') return { authorizationUrl: def.authorizationUrl ?? '', tokenUrl: def.tokenUrl ?? '' };
  const authority = clouds.authority(def.cloud, def.tenant);
  return { authorizationUrl: `${authority}/oauth2/v2.0/authorize`, tokenUrl: `${authority}/oauth2/v2.0/token` };
}

/**
 * The credential's scopes for IMAP and SMTP: a platform that signs in to the mail servers asks for
 * these only. Graph scopes are left out because Entra issues a token for one resource per request
 * (a refresh asking for both fails with AADSTS28000).
 */
export function mailServerScopesOf(def: CredentialDefinition, clouds: CloudCatalog): string[] {
  if (def.provider !== 'microsoft') return [...def.scopes];
  const graphPrefix = clouds.get(def.cloud)?.graphScopePrefix;
  return def.scopes.filter((scope) => !graphPrefix || !scope.startsWith(graphPrefix));
}

/** Whether the client authenticates with a client secret (what SAP, AEM and UiPath's own-app form take). */
export function usesClientSecret(def: CredentialDefinition): boolean {
  return def.clientAuth === 'secretPost' || def.clientAuth === 'secretBasic';
}
