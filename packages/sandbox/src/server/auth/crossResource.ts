/**
 * One refresh token, access tokens for several resources. Entra lets the refresh token of a sign-in
 * for Exchange scopes get a Graph token (and the other way round) for any permission the app is
 * consented to; MSAL relies on it (acquireTokenSilent with another resource's scopes sends the
 * refresh token it has). oidc-provider binds a refresh token to the resources and scopes of its
 * sign-in and refuses others (`invalid_scope` / `invalid_target`). The sandbox's apps carry admin
 * consent for every delegated scope of RESOURCES, so before the provider sees such a refresh, the
 * stored refresh token and its grant are widened to the requested resource's scopes.
 */
import { RESOURCES, resourceForScope } from './directory';
import type { SandboxStore } from './store';

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])];
const words = (s: unknown) => (typeof s === 'string' ? s.split(' ').filter(Boolean) : []);

/**
 * Lets the refresh token `refreshTokenValue` obtain tokens for the resource `scope` asks for, when
 * every resource scope asked for is a consented delegated scope. Unknown scopes are left alone: the
 * provider then refuses them as Entra would (AADSTS70011 / 65001).
 */
export function extendRefreshTokenToResource(store: SandboxStore, refreshTokenValue: string | null, scope: string | null): void {
  const resource = resourceForScope(scope ?? undefined);
  if (!refreshTokenValue || !resource) return;
  const wanted = words(scope).filter((s) => s.startsWith(`${resource}/`));
  if (!wanted.every((s) => RESOURCES[resource].delegated.includes(s))) return;
  const refreshToken = store.model('RefreshToken').get(refreshTokenValue);
  const grant = refreshToken?.grantId ? store.model('Grant').get(refreshToken.grantId) : undefined;
  if (!refreshToken || !grant) return;
  refreshToken.scope = union(words(refreshToken.scope), wanted).join(' ');
  const bound = refreshToken.resource === undefined ? [] : ([] as string[]).concat(refreshToken.resource as string | string[]);
  refreshToken.resource = union(bound, [resource]);
  const resources = (grant.resources ?? {}) as Record<string, string>;
  grant.resources = { ...resources, [resource]: union(words(resources[resource]), wanted).join(' ') };
}
