/**
 * The tenant as oidc-provider sees it: app registrations as client metadata, the redirect URIs
 * each app accepts (with Entra's loopback leniency), the resources (Exchange Online, Microsoft Graph) and their
 * scopes, and the users as accounts with Entra's claims.
 */
import { X509Certificate } from 'node:crypto';
import { GRAPH_RESOURCE, GRAPH_SCOPES, SANDBOX_APPS, SANDBOX_TENANT, SANDBOX_USERS, type SandboxApp, type SandboxUser } from '../fixtures';

export const ALL_APPS: readonly SandboxApp[] = Object.values(SANDBOX_APPS);

export function findApp(clientId: string | undefined): SandboxApp | undefined {
  return clientId ? ALL_APPS.find((a) => a.clientId === clientId) : undefined;
}

export function findUser(login: string | undefined): SandboxUser | undefined {
  if (!login) return undefined;
  const wanted = login.trim().toLowerCase();
  return SANDBOX_USERS.find((u) => u.upn.toLowerCase() === wanted || u.oid === wanted);
}

/** Redirect URI the extension registers for its URI handler. */
export const VSCODE_REDIRECT_URI = 'vscode://m365mail.m365-mail/auth-callback';

/**
 * Redirect URIs the interactive apps accept, checked in place of oidc-provider's exact match:
 * - `http://localhost` on any port, path `/` only (as MSAL's loopback client sends it);
 * - `http://127.0.0.1` on any port and any path (code-server's callbacks look like
 *   `http://127.0.0.1:PORT/some/path`);
 * - for the web (confidential) apps also `vscode://m365mail.m365-mail/auth-callback`.
 * Daemons have no redirect URI.
 */
const LOOPBACK_PATHS = new Set(['/', '/cb']);

export function isAllowedRedirect(app: SandboxApp, uri: string): boolean {
  if (!(app.grants as readonly string[]).includes('authorization_code')) return false;
  if (app.auth !== 'none' && uri === VSCODE_REDIRECT_URI) return true;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || url.username || url.password || url.hash) return false;
  // Entra's loopback rule: any port, but scheme, host and path as registered. The apps register "/"
  // (the product's http://localhost) and "/cb" (the sandbox's own client, client/signIn.ts).
  return (url.hostname === '127.0.0.1' || url.hostname === 'localhost') && LOOPBACK_PATHS.has(url.pathname) && !url.search;
}

/**
 * The APIs apps get tokens for: Exchange Online (as the two resources Entra knows it by: delegated
 * under outlook.office.com, app-only under outlook.office365.com) and Microsoft Graph (both).
 * `delegated`: the scopes interactive apps may ask for; `appOnly`: daemons get `<resource>/.default`.
 * Every sandbox app registration carries admin consent to all of them, so a refresh token from any
 * sign-in also gets tokens for the other resource (see crossResource.ts), as Entra allows.
 */
export const RESOURCES: Record<string, { audience: string; delegated: string[]; appOnly: boolean }> = {
  'https://outlook.office.com': {
    audience: 'https://outlook.office.com',
    delegated: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/POP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send'],
    appOnly: false
  },
  'https://outlook.office365.com': {
    audience: 'https://outlook.office365.com',
    delegated: [],
    appOnly: true
  },
  [GRAPH_RESOURCE]: {
    audience: GRAPH_RESOURCE,
    delegated: Object.values(GRAPH_SCOPES).filter((s) => s !== GRAPH_SCOPES.appOnly),
    appOnly: true
  }
};

/** The app roles a daemon's app-only token for `audience` carries. */
export function appRolesFor(app: SandboxApp | undefined, audience: unknown): string[] {
  return [...((audience === GRAPH_RESOURCE ? app?.graphAppRoles : app?.appRoles) ?? [])];
}

/** OIDC scopes the server knows (everything else is a resource scope). */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/** The resource a space-separated scope string asks for (Entra derives it from the scope URIs). */
export function resourceForScope(scope: string | undefined): string | undefined {
  for (const s of (scope ?? '').split(' ')) {
    for (const resource of Object.keys(RESOURCES)) {
      if (s.startsWith(`${resource}/`)) return resource;
    }
  }
  return undefined;
}

/** `scp` claim: scope names without the resource prefix. */
export function shortScopes(scope: string | undefined): string {
  return (scope ?? '')
    .split(' ')
    .filter(Boolean)
    .map((s) => s.replace(/^https?:\/\/[^/]+\//, ''))
    .filter((s) => s !== '.default')
    .join(' ');
}

/** oidc-provider client metadata for every app registration. */
export function clientMetadata(clientCertPem: string): Array<Record<string, unknown>> {
  const jwk = { ...new X509Certificate(clientCertPem).publicKey.export({ format: 'jwk' }), use: 'sig' };
  return ALL_APPS.map((app) => {
    const interactive = (app.grants as readonly string[]).includes('authorization_code');
    const meta: Record<string, unknown> = {
      client_id: app.clientId,
      client_name: app.name,
      grant_types: [...app.grants],
      response_types: interactive ? ['code'] : [],
      // One URI to satisfy the schema; the real rule is isAllowedRedirect (patched in).
      redirect_uris: interactive ? ['http://127.0.0.1/'] : [],
      token_endpoint_auth_method: app.auth
    };
    if (app.clientSecret) meta.client_secret = app.clientSecret;
    if (app.auth === 'private_key_jwt') meta.jwks = { keys: [jwk] };
    if (app.auth === 'none') meta.application_type = 'native';
    return meta;
  });
}

/** Claims of a user, as Entra puts them in ID tokens. */
export function userClaims(user: SandboxUser): Record<string, unknown> {
  return {
    sub: user.oid,
    oid: user.oid,
    tid: SANDBOX_TENANT.id,
    name: user.displayName,
    preferred_username: user.upn,
    upn: user.upn,
    email: user.upn
  };
}
