/**
 * An authorization server imitating Microsoft Entra ID v2 for the sandbox tenant, built on
 * oidc-provider, over HTTPS on 127.0.0.1, in process.
 *
 * URLs (tenant segment: the tenant ID, `contoso.test` or `organizations`; issuer always the ID's):
 *   {origin}/{tenant}/v2.0/.well-known/openid-configuration
 *   {origin}/{tenant}/oauth2/v2.0/authorize · /token · /devicecode · /deviceauth (device code entry)
 *   {origin}/{tenant}/discovery/v2.0/keys
 *   {origin}/{tenantId}/login/{uid}      sign-in and consent pages (selectors in auth/pages.ts)
 *   {origin}/_sandbox/...                control API and mail-server validation (auth/control.ts)
 *
 * MSAL needs `knownAuthorities: ['127.0.0.1:PORT']` and a `system.networkClient` that trusts the
 * sandbox CA (see the tests).
 *
 * The same port also answers plain HTTP, for browsers only. In a browser-based VS Code (code-server,
 * and so the demo) the workbench does not open a localhost URL as it is: it sends it through the
 * server's port forwarder, which is where the user's browser can reach it (the browser may be on
 * another machine, at the end of `ssh -L`). That forwarder speaks plain HTTP to the port, so an
 * HTTPS-only server would drop the connection ("socket hang up"). A real sign-in host is never on
 * localhost and never forwarded; the token endpoint and everything MSAL calls stay on HTTPS.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from '@httptoolkit/httpolyglot';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TLSSocket } from 'node:tls';
import { SANDBOX_TENANT, type MailService } from './fixtures';
import { closerOf, lineLogger } from './serverTools';
import type { SandboxCertificates } from './certificates';
import { createControl, handleControlRequest, type SandboxControl } from './auth/control';
import { entraError, entraErrorBody } from './auth/entraErrors';
import { entraMiddleware } from './auth/entraMiddleware';
import { sendJson } from './auth/http';
import { InteractionPages } from './auth/interactions';
import { introspectAccessToken, verifyAccessToken, type TokenCheck } from './auth/introspect';
import { createProvider } from './auth/provider';
import { SandboxState } from './auth/state';
import { SandboxStore } from './auth/store';

export interface AuthServerOptions {
  /** From createCertificates: the server certificate for HTTPS, the client certificate for the certificate apps. */
  certificates: Pick<SandboxCertificates, 'serverCertPath' | 'serverKeyPath' | 'clientCertPath'>;
  /** Default 0: a free port. */
  port?: number;
  /** Refresh-token rotation (a new refresh token on each use, the old one refused). Default false, like Entra. */
  rotateRefreshTokens?: boolean;
  /** Default 3600. */
  accessTokenTtlSeconds?: number;
  /** `interval` of device authorization responses. Default 1. */
  deviceCodeIntervalSeconds?: number;
  /** Receives one line per request (never tokens or secrets). */
  logger?: (line: string) => void;
  /** Appends the same lines to this file. */
  logFile?: string;
}

export interface AuthServer {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  port: number;
  /** `${origin}/${tenantId}`: MSAL's authority. */
  authority: string;
  /** `${origin}/${tenantId}/v2.0` */
  issuer: string;
  tenantId: string;
  /** `${origin}/_sandbox/introspect/${service}` (add `?user=<mailbox>`). */
  introspectionUrl(service: MailService): string;
  control: SandboxControl;
  /** The run-time switches behind the control API (the Graph service reads its failures there). */
  state: SandboxState;
  /** Signature, issuer, tenant and lifetime of an access token this server issued (what a resource server checks first). */
  verifyAccessToken(token: string | undefined): TokenCheck;
  /**
   * An app-only Exchange token with `roles`, signed here for the sandbox's own services (the Graph
   * service opening mailboxes over IMAP). It never passes the token endpoint: no stats, no faults.
   */
  serviceToken(roles: string[]): string;
  close(): Promise<void>;
}

/** Client ID of the sandbox's own services in their tokens (no app registration: nobody can ask for it). */
export const SANDBOX_SERVICE_CLIENT_ID = '5a4d3c2b-0000-4000-8000-00000000feed';

/** What a browser opens (authorize and its resume, sign-in and consent, device code entry): all that answers plain HTTP. */
const BROWSER_PAGES = /^\/[^/]+\/(oauth2\/v2\.0\/authorize(\/[\w-]+)?|login\/.+|oauth2\/v2\.0\/deviceauth(\/.*)?)$/;

/** Tenant segments the server answers to (Entra also accepts the domain and `organizations`). */
const TENANT_SEGMENTS = new Set([SANDBOX_TENANT.id, SANDBOX_TENANT.domain, 'organizations']);

export async function startAuthServer(options: AuthServerOptions): Promise<AuthServer> {
  const [cert, key, clientCertPem] = await Promise.all([
    readFile(options.certificates.serverCertPath, 'utf8'),
    readFile(options.certificates.serverKeyPath, 'utf8'),
    readFile(options.certificates.clientCertPath, 'utf8')
  ]);
  const log = lineLogger(options);

  // Listen first: the issuer contains the port.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer({ tls: { cert, key, ALPNProtocols: ['http/1.1'] } }, (req, res) => handler(req, res));
  // The polyglot server is a net.Server (no closeAllConnections): its sockets are tracked to end them on close.
  const closeServer = closerOf(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `https://127.0.0.1:${port}`;
  const issuer = `${origin}/${SANDBOX_TENANT.id}/v2.0`;

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

  const state = new SandboxState({
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 3600,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds ?? 1
  });
  const store = new SandboxStore();
  const provider = createProvider({
    issuer,
    store,
    state,
    clientCertPem,
    signingJwk: signingJwk as typeof signingJwk & { kid: string },
    cookieKeys: [randomBytes(32).toString('hex')]
  });
  provider.use(entraMiddleware(state, store));
  // oidc-provider reports errors as events; keep them in the log (never on stdout).
  for (const event of ['server_error', 'grant.error', 'authorization.error', 'device_authorization.error']) {
    provider.on(event, (ctx: { state?: Record<string, unknown> } | undefined, err: Error & { error_description?: string; error_detail?: string }) => {
      // The middleware reads the detail (e.g. "refresh token is expired") to pick the AADSTS code.
      if (ctx?.state) ctx.state.providerError = err;
      log(`${event}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}${err.error_detail ? ` [${err.error_detail}]` : ''}`);
    });
  }
  const providerCallback = provider.callback();
  const pages = new InteractionPages(provider, state);
  const control = createControl(state, store, (service, token, user) => introspectAccessToken({ service, token, user, issuer, publicKey, kid }));

  handler = (req, res) => {
    const started = Date.now();
    const path = (req.url ?? '').split('?')[0];
    res.on('finish', () => {
      const refused = res.getHeader('x-sandbox-refused');
      // The scopes an app asks for say why a token lacks one (they are no secret).
      const scope = path.endsWith('/authorize') ? new URL(req.url ?? '/', origin).searchParams.get('scope') : null;
      const notes = [req.socket instanceof TLSSocket ? '' : ' (plain HTTP)', scope ? ` scope: ${scope}` : '', refused ? ` refused: ${String(refused)}` : ''];
      log(`${req.method} ${path} ${res.statusCode} ${Date.now() - started}ms${notes.join('')}`);
    });
    route(req, res).catch((err: Error) => {
      log(`error ${req.method} ${req.url?.split('?')[0]}: ${err.stack ?? err.message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: err.message });
      else res.end();
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    if (!(req.socket instanceof TLSSocket) && !BROWSER_PAGES.test(url.pathname)) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'Only the sign-in pages answer plain HTTP (for a port forwarder); use https.' });
    }
    if (url.pathname.startsWith('/_sandbox/')) return handleControlRequest(control, req, res, url);

    const match = /^\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!match || !TENANT_SEGMENTS.has(match[1])) {
      const e = {
        ...entraError(90002),
        error: 'invalid_tenant',
        message: `Tenant '${match?.[1] ?? ''}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`
      };
      return sendJson(res, 400, entraErrorBody(e));
    }
    const [, tenant, rest] = match;
    if (rest.startsWith('/login/')) {
      if (await pages.handle(req, res, rest)) return;
    }
    // Entra serves discovery under /{tenant}/v2.0/; the provider's other routes hang off /{tenant}.
    const innerPath = rest === '/v2.0/.well-known/openid-configuration' ? '/.well-known/openid-configuration' : rest;
    if (!(req.socket instanceof TLSSocket) && innerPath === '/oauth2/v2.0/authorize') restoreForwardedScopes(url);
    const search = url.search;
    // oidc-provider derives its mount path (for the URLs it prints) from originalUrl minus url.
    (req as IncomingMessage & { originalUrl?: string }).originalUrl = `/${tenant}${innerPath}${search}`;
    req.url = `${innerPath}${search}`;
    await providerCallback(req, res);
  }

  return {
    origin,
    port,
    authority: `${origin}/${SANDBOX_TENANT.id}`,
    issuer,
    tenantId: SANDBOX_TENANT.id,
    introspectionUrl: (service) => `${origin}/_sandbox/introspect/${service}`,
    control,
    state,
    verifyAccessToken: (token) => verifyAccessToken(token, { issuer, publicKey, kid }),
    serviceToken(roles) {
      const now = Math.floor(Date.now() / 1000);
      const header = { alg: 'RS256', typ: 'JWT', kid };
      const payload = {
        iss: issuer,
        aud: 'https://outlook.office365.com',
        tid: SANDBOX_TENANT.id,
        appid: SANDBOX_SERVICE_CLIENT_ID,
        roles,
        idtyp: 'app',
        iat: now,
        nbf: now,
        exp: now + 3600
      };
      const signingInput = [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.');
      return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), privateKey).toString('base64url')}`;
    },
    close: closeServer
  };
}

/**
 * A browser reaches the sign-in pages over plain HTTP only through code-server's port forwarder
 * (see the header comment), and that hop collapses every `//` of the query to `/` but the first
 * `https://` (code-server proxies with http-proxy's `ignorePath`, whose path join also runs over the
 * query). Entra's scopes are URLs (`https://outlook.office.com/SMTP.Send`): put back the slash the
 * forwarder took, so the app gets the scopes it asked for. Redirect URIs need nothing: the URL
 * parser already reads `http:/localhost` as `http://localhost`.
 */
function restoreForwardedScopes(url: URL): void {
  const scope = url.searchParams.get('scope');
  if (scope === null) return;
  url.searchParams.set(
    'scope',
    scope
      .split(' ')
      .map((s) => s.replace(/^(https?):\/(?!\/)/, '$1://'))
      .join(' ')
  );
}
