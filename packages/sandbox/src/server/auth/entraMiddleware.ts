/**
 * Koa middleware run in front of oidc-provider's own (provider.use): makes its endpoints answer
 * like Entra's.
 *
 * Token endpoint: rewrites MSAL's `grant_type=device_code` to RFC 8628's URN, which oidc-provider requires, counts requests per client
 * and grant type, applies injected faults and the MFA rule before the provider sees the request,
 * lets a refresh token reach the other resource (crossResource.ts),
 * translates errors into Entra's JSON shape, and adds `client_info` to successful answers.
 * Device authorization endpoint: adds `interval` and `message` (without `interval` MSAL polls with no delay).
 * Authorization endpoint: error redirects carry AADSTS descriptions and `error_codes`.
 */
import type { KoaContextWithOIDC } from 'oidc-provider';
import { SANDBOX_TENANT } from '../fixtures';
import { extendRefreshTokenToResource } from './crossResource';
import { findApp, findUser, resourceForScope } from './directory';
import { entraError, entraErrorBody, entraRedirectParams, fromProviderError, type EntraError } from './entraErrors';
import { readBody, replaceBody } from './http';
import { ROUTES } from './provider';
import type { SandboxState } from './state';
import type { SandboxStore } from './store';

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_GRANTS = new Set(['authorization_code', 'refresh_token', DEVICE_CODE_GRANT]);

/** Client ID of a token request: body, Basic header, or the client assertion's issuer. */
function clientIdOf(form: URLSearchParams, authorization: string | undefined): string | undefined {
  const fromBody = form.get('client_id');
  if (fromBody) return fromBody;
  if (authorization?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return decodeURIComponent(decoded.slice(0, colon));
  }
  const assertion = form.get('client_assertion');
  if (assertion) {
    try {
      const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8'));
      return payload.iss ?? payload.sub;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function entraMiddleware(state: SandboxState, store: SandboxStore) {
  /** The user a token request acts for, looked up from the code / refresh token / device code. */
  function userOf(form: URLSearchParams, grantType: string | undefined): string | undefined {
    const lookup = (model: string, id: string | null) => (id ? store.model(model).get(id)?.accountId : undefined);
    let accountId: string | undefined;
    if (grantType === 'refresh_token') accountId = lookup('RefreshToken', form.get('refresh_token'));
    else if (grantType === 'authorization_code') accountId = lookup('AuthorizationCode', form.get('code'));
    else if (grantType === DEVICE_CODE_GRANT) accountId = lookup('DeviceCode', form.get('device_code'));
    return findUser(accountId)?.upn;
  }

  function answer(ctx: KoaContextWithOIDC, e: EntraError): void {
    ctx.status = e.status ?? 400;
    ctx.set('cache-control', 'no-store');
    ctx.body = entraErrorBody(e);
  }

  async function token(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    const form = new URLSearchParams(await readBody(ctx.req));
    // Friction 2: MSAL sends the short form; the standard value is the URN.
    if (form.get('grant_type') === 'device_code') form.set('grant_type', DEVICE_CODE_GRANT);
    replaceBody(ctx.req, form.toString());

    const grantType = form.get('grant_type') ?? undefined;
    const clientId = clientIdOf(form, ctx.get('authorization') || undefined);
    state.countTokenRequest(clientId, grantType, resourceForScope(form.get('scope') ?? undefined));
    const app = findApp(clientId);
    if (clientId && !app) return answer(ctx, entraError(700016, { clientId }));

    const user = userOf(form, grantType);
    const fault = state.takeFault('token', { clientId, user, grantType });
    if (fault) return answer(ctx, entraError(fault.code, { clientId, clientName: app?.name, resource: resourceForScope(form.get('scope') ?? undefined) }));
    if (user && grantType && USER_GRANTS.has(grantType) && findUser(user)?.requiresMfa) {
      return answer(ctx, entraError(50076, { resource: resourceForScope(form.get('scope') ?? undefined) ?? 'https://outlook.office.com' }));
    }

    if (grantType === 'refresh_token' && app) extendRefreshTokenToResource(store, form.get('refresh_token'), form.get('scope'));

    const delay = state.settings.tokenDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await next();

    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    if (typeof body.error === 'string') {
      const detail = (ctx.state?.providerError as { error_detail?: string } | undefined)?.error_detail ?? '';
      const e = fromProviderError(body.error, `${String(body.error_description ?? '')} ${detail}`.trim(), {
        route: 'token',
        clientId,
        clientKnown: !!app,
        clientAuth: app?.auth,
        grantType
      });
      return answer(ctx, e);
    }
    const account = ctx.oidc?.entities?.Account as { accountId: string } | undefined;
    if (account && body.access_token) {
      body.client_info = Buffer.from(JSON.stringify({ uid: account.accountId, utid: SANDBOX_TENANT.id })).toString('base64url');
    }
    if (typeof body.expires_in === 'number') body.ext_expires_in = body.expires_in;
    if (body.refresh_token && state.settings.refreshTokenLifetimeSeconds) body.refresh_token_expires_in = state.settings.refreshTokenLifetimeSeconds;
  }

  async function deviceAuthorization(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    const body = ctx.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object') return;
    if (typeof body.error === 'string') {
      const clientId = ctx.oidc?.params?.client_id as string | undefined;
      const app = findApp(clientId);
      return answer(
        ctx,
        fromProviderError(body.error, String(body.error_description ?? ''), {
          route: 'device_authorization',
          clientId,
          clientKnown: !!app,
          clientAuth: app?.auth
        })
      );
    }
    // Friction 3: without `interval` MSAL polls with no delay; `message` is what MSAL shows.
    body.interval = state.settings.deviceCodeIntervalSeconds;
    body.message = `To sign in, use a web browser to open the page ${String(body.verification_uri)} and enter the code ${String(body.user_code)} to authenticate.`;
  }

  /** Error redirects to the app: Entra's parameters (AADSTS description, error_codes, trace IDs). */
  async function authorization(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    const location = ctx.response.get('location');
    if (!location || ctx.status < 300 || ctx.status >= 400) return;
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return;
    }
    const error = url.searchParams.get('error');
    if (!error) return;
    const description = url.searchParams.get('error_description') ?? '';
    const codeMatch = /^AADSTS(\d+): ([\s\S]*)$/.exec(description);
    const clientId = ctx.oidc?.params?.client_id as string | undefined;
    const app = findApp(clientId);
    const e: EntraError = codeMatch
      ? { error, code: Number(codeMatch[1]), message: codeMatch[2] }
      : fromProviderError(error, description, { route: 'authorization', clientId, clientKnown: !!app, clientAuth: app?.auth });
    for (const [k, v] of Object.entries(entraRedirectParams(e))) url.searchParams.set(k, v);
    ctx.redirect(url.href);
  }

  return async function entra(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    if (ctx.method === 'POST' && ctx.path === ROUTES.token) return token(ctx, next);
    if (ctx.method === 'POST' && ctx.path === ROUTES.device_authorization) return deviceAuthorization(ctx, next);
    if (ctx.path === ROUTES.authorization || ctx.path.startsWith(`${ROUTES.authorization}/`)) return authorization(ctx, next);
    return next();
  };
}
