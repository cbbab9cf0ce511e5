/**
 * oidc-provider configured to behave like Entra ID v2 for one tenant: routes, clients, resources
 * (Exchange Online) with Entra-shaped JWT access tokens, refresh tokens without prompt=consent,
 * device flow pages, remembered consent, and Entra error pages at the authorization endpoint.
 */
import { createHash, type JsonWebKey } from 'node:crypto';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { SANDBOX_TENANT } from '../fixtures';
import {
  appRolesFor,
  clientMetadata,
  findApp,
  findUser,
  isAllowedRedirect,
  OIDC_SCOPES,
  RESOURCES,
  resourceForScope,
  shortScopes,
  userClaims
} from './directory';
import { entraError, fromProviderError } from './entraErrors';
import { deviceConfirmPage, deviceInputPage, deviceSuccessPage, errorPage } from './pages';
import type { SandboxState } from './state';
import type { SandboxStore } from './store';

export const ROUTES = {
  authorization: '/oauth2/v2.0/authorize',
  token: '/oauth2/v2.0/token',
  device_authorization: '/oauth2/v2.0/devicecode',
  code_verification: '/oauth2/v2.0/deviceauth',
  jwks: '/discovery/v2.0/keys',
  end_session: '/oauth2/v2.0/logout'
} as const;

export interface ProviderSetup {
  issuer: string;
  store: SandboxStore;
  state: SandboxState;
  clientCertPem: string;
  /** Private signing key (RSA, JWK with kid). */
  signingJwk: JsonWebKey & { kid: string };
  cookieKeys: string[];
}

/** Stable object ID of an app's service principal (the `oid` of its app-only tokens). */
export function servicePrincipalOid(clientId: string): string {
  const h = createHash('sha256').update(`sp:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const APP_ID_ACR: Record<string, string> = { none: '0', client_secret_post: '1', client_secret_basic: '1', private_key_jwt: '2' };

export function createProvider(setup: ProviderSetup): Provider {
  const { state, store } = setup;

  const configuration: Configuration = {
    adapter: store.adapterClass() as Configuration['adapter'],
    clients: clientMetadata(setup.clientCertPem) as Configuration['clients'],
    jwks: { keys: [setup.signingJwk as never] },
    cookies: { keys: setup.cookieKeys },
    routes: ROUTES,
    scopes: OIDC_SCOPES,
    claims: {
      openid: ['sub', 'oid', 'tid', 'name', 'preferred_username', 'upn'],
      profile: ['name'],
      email: ['email']
    },
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    clientAuthMethods: ['client_secret_post', 'client_secret_basic', 'private_key_jwt', 'none'],
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    findAccount: async (_ctx, sub) => {
      const user = findUser(sub);
      if (!user || user.shared) return undefined;
      return { accountId: user.oid, claims: async () => userClaims(user) as { sub: string } };
    },
    interactions: { url: async (_ctx, interaction) => `/${SANDBOX_TENANT.id}/login/${interaction.uid}` },
    // Friction 1: oidc-provider drops offline_access at the authorization endpoint unless the
    // request says prompt=consent. Entra issues a refresh token whenever offline_access is asked.
    // This validator (run for every authorization request, after the scope check) puts it back when
    // the raw request asked for it and the app may refresh; issueRefreshToken then sees it.
    extraParams: {
      sandbox_offline_access: async (ctx: KoaContextWithOIDC) => {
        const oidc = ctx.oidc;
        const raw = String((oidc.body as Record<string, unknown> | undefined)?.scope ?? ctx.query.scope ?? '');
        const scopes = (oidc.params?.scope as string | undefined)?.split(' ') ?? [];
        if (raw.split(' ').includes('offline_access') && oidc.client?.grantTypeAllowed('refresh_token') && !scopes.includes('offline_access')) {
          oidc.params!.scope = [...scopes, 'offline_access'].join(' ');
        }
      }
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: () => state.settings.rotateRefreshTokens,
    // Entra remembers a user's consent to an app, not a browser session's.
    loadExistingGrant: async (ctx) => {
      const oidc = ctx.oidc;
      const grantId =
        oidc.result?.consent?.grantId ||
        oidc.session?.grantIdFor(oidc.client!.clientId) ||
        (oidc.session?.accountId ? state.consents.get(`${oidc.session.accountId}|${oidc.client!.clientId}`) : undefined);
      return grantId ? oidc.provider.Grant.find(grantId) : undefined;
    },
    ttl: {
      AccessToken: () => state.settings.accessTokenTtlSeconds,
      ClientCredentials: () => state.settings.accessTokenTtlSeconds,
      AuthorizationCode: 600,
      DeviceCode: 900,
      IdToken: 3600,
      RefreshToken: 90 * 24 * 3600,
      Interaction: 3600,
      Session: 14 * 24 * 3600,
      Grant: 365 * 24 * 3600
    },
    clientBasedCORS: () => false,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: {
        enabled: true,
        charset: 'base-20',
        mask: '*********',
        userCodeInputSource: async (ctx, form, _out, err) => {
          ctx.type = 'html';
          ctx.body = deviceInputPage(form, err ? 'That code didn’t work. Check the code and try again.' : undefined);
        },
        userCodeConfirmSource: async (ctx, form, client, _info, userCode) => {
          ctx.type = 'html';
          ctx.body = deviceConfirmPage(form, client.clientName || client.clientId, userCode);
        },
        successSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = deviceSuccessPage(ctx.oidc.client?.clientName || ctx.oidc.client?.clientId || 'the app');
        }
      },
      resourceIndicators: {
        enabled: true,
        // Entra derives the resource from the scope URIs; MSAL sends no `resource` parameter.
        defaultResource: async (ctx, _client, oneOf) => {
          const fromScope = resourceForScope(ctx.oidc.params?.scope as string | undefined);
          if (oneOf) return fromScope && oneOf.includes(fromScope) ? fromScope : oneOf[0];
          return fromScope as string;
        },
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator, client) => {
          const resource = RESOURCES[resourceIndicator];
          const app = findApp(client.clientId);
          if (!resource || !app) throw new errors.InvalidTarget(`resource ${resourceIndicator} not found`);
          // App-only scope only for apps with app roles; delegated scopes only for interactive apps.
          const daemon = app.appRoles !== undefined;
          if (daemon ? !resource.appOnly : resource.delegated.length === 0) {
            throw new errors.InvalidTarget(`resource ${resourceIndicator} not available to this app`);
          }
          return {
            scope: daemon ? `${resourceIndicator}/.default` : resource.delegated.join(' '),
            audience: resource.audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: state.settings.accessTokenTtlSeconds,
            jwt: { sign: { alg: 'RS256' } }
          };
        }
      }
    },
    formats: {
      customizers: {
        // Entra-shaped access token claims (Exchange Online accepts v1 tokens with these).
        jwt: async (_ctx, token, jwt) => {
          const p = jwt.payload as Record<string, unknown>;
          const clientId = (token as { clientId: string }).clientId;
          const app = findApp(clientId);
          p.tid = SANDBOX_TENANT.id;
          p.appid = clientId;
          p.azp = clientId;
          p.appidacr = APP_ID_ACR[app?.auth ?? 'none'];
          p.ver = '1.0';
          if (token.kind === 'ClientCredentials') {
            p.roles = appRolesFor(app, p.aud);
            p.oid = servicePrincipalOid(clientId);
            p.sub = p.oid;
            p.idtyp = 'app';
          } else {
            const user = findUser((token as { accountId?: string }).accountId);
            p.scp = shortScopes((token as { scope?: string }).scope);
            if (user) {
              p.oid = user.oid;
              p.upn = user.upn;
              p.unique_name = user.upn;
              p.preferred_username = user.upn;
              p.name = user.displayName;
            }
            p.idtyp = 'user';
          }
          delete p.scope;
          delete p.client_id;
          jwt.header = { ...(jwt.header ?? {}), typ: 'JWT' };
        }
      }
    },
    // Errors the authorization endpoint cannot send back to the app (unknown app, wrong redirect
    // URI): an Entra-like error page.
    renderError: async (ctx, out, error) => {
      const clientId = (ctx.oidc?.params?.client_id as string | undefined) ?? (ctx.query.client_id as string | undefined);
      const app = findApp(clientId);
      const redirectUri = (ctx.oidc?.params?.redirect_uri as string | undefined) ?? (ctx.query.redirect_uri as string | undefined);
      const detail = (error as { error_detail?: string }).error_detail ?? '';
      const e =
        clientId && !app
          ? entraError(700016, { clientId })
          : fromProviderError(out.error, `${out.error_description ?? ''} ${detail}`, {
              route: ctx.oidc?.route ?? 'authorization',
              clientId,
              clientKnown: !!app,
              clientAuth: app?.auth,
              redirectUri
            });
      ctx.type = 'html';
      ctx.body = errorPage({ code: e.code, message: e.message, error: e.error });
    }
  };

  const provider = new Provider(setup.issuer, configuration);
  provider.proxy = false;

  // Entra's redirect URI rules (loopback on any port with the registered path, vscode://), in place of
  // oidc-provider's exact match. Used both to accept a request and to decide whether an error may be
  // redirected to the app.
  const ClientClass = provider.Client as unknown as { prototype: { redirectUriAllowed(uri: string): boolean; clientId: string } };
  const exact = ClientClass.prototype.redirectUriAllowed;
  ClientClass.prototype.redirectUriAllowed = function (this: { clientId: string }, uri: string): boolean {
    const app = findApp(this.clientId);
    return (app ? isAllowedRedirect(app, uri) : false) || exact.call(this, uri);
  };
  return provider;
}
