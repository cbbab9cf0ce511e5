/**
 * A browser stand-in for the sandbox's sign-in pages, and token helpers built on it: plain HTTPS
 * (node:https with the sandbox CA, never a global trust change), a cookie jar, redirects, and the
 * forms of server/auth/pages.ts. No vscode import: used by the sandbox tests, from the
 * extension host and by benchmarks.
 *
 *   delegatedToken({ authority, ca, clientId, scopes, user })  authorization code + PKCE S256 + state
 *   appToken({ authority, ca, clientId, clientSecret })         client credentials with a secret
 *   completeDeviceCode({ verificationUri, userCode, user, ca }) what the user does on the device pages
 */
import { createHash, randomBytes } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import type { INetworkModule, NetworkResponse } from '@azure/msal-node';
import { MAIL_SCOPES, SANDBOX_PASSWORD, SANDBOX_TENANT } from '../server/fixtures';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request trusting `ca` (PEM text). Never throws for an HTTP status. */
export function httpsCall(ca: string, method: string, url: string, opts: { headers?: Record<string, string>; body?: string } = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method, ca, headers: { ...(opts.headers ?? {}), ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      }
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

/** MSAL's network client over node:https, trusting the sandbox CA (MSAL's own uses global fetch). */
export function sandboxNetworkClient(ca: string): INetworkModule {
  const toResponse = <T>(r: HttpResponse): NetworkResponse<T> => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      body = {};
    }
    return { headers, body: body as T, status: r.status };
  };
  return {
    async sendGetRequestAsync<T>(url: string, options?: { headers?: Record<string, string> }) {
      return toResponse<T>(await httpsCall(ca, 'GET', url, { headers: options?.headers }));
    },
    async sendPostRequestAsync<T>(url: string, options?: { headers?: Record<string, string>; body?: string }) {
      return toResponse<T>(await httpsCall(ca, 'POST', url, { headers: options?.headers, body: options?.body ?? '' }));
    }
  };
}

export interface AuthorizeOptions {
  user: string;
  /** Default: the sandbox password. */
  password?: string;
  /** Answer on the consent page. Default 'accept'. */
  consent?: 'accept' | 'deny';
  /** The driver stops (nothing is requested) when a redirect leads to a URL starting with this. */
  redirectPrefix: string;
}

/** A browser stand-in: cookies, redirects, and the sandbox's forms. */
export class PageDriver {
  private readonly cookies = new Map<string, string>();
  readonly visited: string[] = [];
  constructor(private readonly ca: string) {}

  async call(method: string, url: string, form?: Record<string, string>): Promise<HttpResponse> {
    this.visited.push(`${method} ${url}`);
    const headers: Record<string, string> = {};
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (form) {
      body = new URLSearchParams(form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await httpsCall(this.ca, method, url, { headers, body });
    const setCookie = res.headers['set-cookie'] ?? [];
    for (const line of Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /max-age=0/i.test(a.trim()) || (/^expires=/i.test(a.trim()) && Date.parse(a.trim().slice(8)) < Date.now()));
      if (expired || !value) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /**
   * Follows an authorization request through the sign-in and consent pages until the browser would
   * leave for `redirectPrefix` (returned as URL), or stops on a page it cannot complete (returned).
   */
  async authorize(startUrl: string, opts: AuthorizeOptions): Promise<URL | HttpResponse> {
    return this.continueFrom(await this.call('GET', startUrl), startUrl, opts);
  }

  /** Same as authorize(), from a response already received for `url`. */
  async continueFrom(first: HttpResponse, startUrl: string, opts: AuthorizeOptions): Promise<URL | HttpResponse> {
    let res = first;
    let url = startUrl;
    for (let step = 0; step < 20; step++) {
      if (res.status >= 300 && res.status < 400) {
        const location = new URL(String(res.headers.location), url).href;
        if (location.startsWith(opts.redirectPrefix)) return new URL(location);
        url = location;
        res = await this.call('GET', url);
        continue;
      }
      const login = parseForm(res.body, 'loginForm');
      if (login && !/id="loginError"/.test(res.body)) {
        url = new URL(login.action, url).href;
        res = await this.call('POST', url, { user: opts.user, password: opts.password ?? SANDBOX_PASSWORD });
        continue;
      }
      const consent = parseForm(res.body, 'consentForm');
      if (consent) {
        url = new URL(consent.action, url).href;
        res = await this.call('POST', url, { decision: opts.consent ?? 'accept' });
        continue;
      }
      return res;
    }
    throw new Error('too many steps');
  }
}

/** Action and hidden inputs of the form with this id. */
export function parseForm(html: string, id: string): { action: string; hidden: Record<string, string> } | undefined {
  const escaped = id.replace(/\./g, '\\.');
  const match = new RegExp(`<form[^>]*id="${escaped}"[^>]*>([\\s\\S]*?)</form>`).exec(html);
  if (!match) return undefined;
  const action = /action="([^"]*)"/.exec(match[0])?.[1] ?? '';
  const hidden: Record<string, string> = {};
  for (const input of match[1].matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) hidden[name] = value.replace(/&amp;/g, '&');
  }
  return { action: action.replace(/&amp;/g, '&'), hidden };
}

/** Where the token helpers send their requests: an authority, or an origin (the tenant ID's authority). */
export type AuthorityOption = { authority: string; origin?: undefined } | { origin: string; authority?: undefined };

function authorityOf(options: { authority?: string; origin?: string }): string {
  if (options.authority) return options.authority.replace(/\/+$/, '');
  if (options.origin) return `${options.origin.replace(/\/+$/, '')}/${SANDBOX_TENANT.id}`;
  throw new Error('pass authority or origin');
}

export interface TokenResult {
  accessToken: string;
  refreshToken?: string;
  idToken?: string;
  /** Seconds, as the token endpoint said. */
  expiresIn: number;
  /** Granted scopes, space-separated, as the token endpoint said. */
  scope: string;
}

/** The token endpoint's error, with Entra's fields. */
export class TokenEndpointError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly errorDescription: string,
    readonly errorCodes: number[] = []
  ) {
    super(`${error}: ${errorDescription}`);
    this.name = 'TokenEndpointError';
  }
}

async function tokenRequest(ca: string, authority: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenResult> {
  const res = await httpsCall(ca, 'POST', `${authority}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...headers },
    body: new URLSearchParams(form).toString()
  });
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    throw new TokenEndpointError(res.status, 'invalid_response', `token endpoint answered ${res.status} without JSON: ${res.body.slice(0, 200)}`);
  }
  if (res.status !== 200 || typeof json.access_token !== 'string') {
    throw new TokenEndpointError(
      res.status,
      String(json.error ?? 'invalid_response'),
      String(json.error_description ?? `status ${res.status}`),
      Array.isArray(json.error_codes) ? (json.error_codes as number[]) : []
    );
  }
  return {
    accessToken: json.access_token,
    refreshToken: typeof json.refresh_token === 'string' ? json.refresh_token : undefined,
    idToken: typeof json.id_token === 'string' ? json.id_token : undefined,
    expiresIn: Number(json.expires_in),
    scope: String(json.scope ?? '')
  };
}

export type DelegatedTokenOptions = AuthorityOption & {
  /** The sandbox CA (PEM text). */
  ca: string;
  clientId: string;
  /** For confidential web apps; sent as `clientAuth` says (default in the body). */
  clientSecret?: string;
  clientAuth?: 'post' | 'basic';
  /** Requested scopes; `openid profile` are added (as MSAL does), `offline_access` only if given. */
  scopes: string[];
  user: string;
  /** Default: the sandbox password. */
  password?: string;
  /** Consent page answer, default 'accept' (with 'deny' the promise rejects with access_denied). */
  consent?: 'accept' | 'deny';
  /** Loopback redirect URI, default `http://127.0.0.1:<random port>/cb`; nothing needs to listen there. */
  redirectUri?: string;
};

function base64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}

/**
 * A user's tokens through the real browser flow: authorization code with PKCE (S256) and state,
 * sign-in and consent pages driven over HTTPS, then the code exchange at the token endpoint.
 * Rejects with the page's or redirect's error (e.g. AADSTS50126) or a TokenEndpointError.
 */
export async function delegatedToken(options: DelegatedTokenOptions): Promise<TokenResult> {
  const authority = authorityOf(options);
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash('sha256').update(verifier).digest());
  const state = base64url(randomBytes(16));
  const redirectUri = options.redirectUri ?? `http://127.0.0.1:${20000 + Math.floor(Math.random() * 40000)}/cb`;
  const scopes = [...new Set(['openid', 'profile', ...options.scopes])];
  const query = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    response_mode: 'query',
    redirect_uri: redirectUri,
    scope: scopes.join(' '),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    login_hint: options.user
  });
  const driver = new PageDriver(options.ca);
  const back = await driver.authorize(`${authority}/oauth2/v2.0/authorize?${query}`, {
    user: options.user,
    password: options.password,
    consent: options.consent,
    redirectPrefix: redirectUri
  });
  if (!(back instanceof URL)) {
    const message = /id="(?:loginError|errorMessage|deviceError)"[^>]*>([^<]*)</.exec(back.body)?.[1];
    throw new Error(`sign-in of ${options.user} stopped at a page (HTTP ${back.status}): ${message ?? back.body.slice(0, 300)}`);
  }
  if (back.searchParams.get('state') !== state) throw new Error(`state mismatch in the redirect ${back.href}`);
  const error = back.searchParams.get('error');
  if (error) {
    throw new TokenEndpointError(
      0,
      error,
      back.searchParams.get('error_description') ?? '',
      (back.searchParams.get('error_codes') ?? '').split(',').filter(Boolean).map(Number)
    );
  }
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in the redirect ${back.href}`);
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    client_id: options.clientId,
    code,
    redirect_uri: redirectUri,
    code_verifier: verifier,
    scope: scopes.join(' ')
  };
  const headers: Record<string, string> = {};
  if (options.clientSecret !== undefined) {
    if (options.clientAuth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`;
    } else form.client_secret = options.clientSecret;
  }
  return tokenRequest(options.ca, authority, form, headers);
}

export type AppTokenOptions = AuthorityOption & {
  ca: string;
  clientId: string;
  clientSecret: string;
  /** Default: Exchange Online's `.default` (app roles IMAP.AccessAsApp, SMTP.SendAsApp). */
  scopes?: string[];
};

/** An app-only token: client credentials, secret in the body. */
export async function appToken(options: AppTokenOptions): Promise<TokenResult> {
  return tokenRequest(options.ca, authorityOf(options), {
    grant_type: 'client_credentials',
    client_id: options.clientId,
    client_secret: options.clientSecret,
    scope: (options.scopes ?? [MAIL_SCOPES.appOnly]).join(' ')
  });
}

export interface CompleteDeviceCodeOptions {
  /** `verification_uri` of the device authorization response. */
  verificationUri: string;
  userCode: string;
  user: string;
  ca: string;
  password?: string;
  consent?: 'accept' | 'deny';
}

/**
 * Does what the user does for a device code: opens the verification page, enters the code
 * (#userCode, #continue), confirms (#confirm), signs in (#user, #password, #signIn) and consents
 * (#accept). Resolves when the success page (#deviceSuccess) shows; the app's polling then gets
 * the tokens.
 */
export async function completeDeviceCode(options: CompleteDeviceCodeOptions): Promise<void> {
  const driver = new PageDriver(options.ca);
  const input = await driver.call('GET', options.verificationUri);
  const inputForm = parseForm(input.body, 'op.deviceInputForm');
  if (!inputForm || !/id="userCode"/.test(input.body)) throw new Error(`no code entry page at ${options.verificationUri} (HTTP ${input.status})`);
  const inputUrl = new URL(inputForm.action, options.verificationUri).href;
  const confirm = await driver.call('POST', inputUrl, { ...inputForm.hidden, user_code: options.userCode });
  const confirmForm = parseForm(confirm.body, 'op.deviceConfirmForm');
  if (!confirmForm || !/id="confirm"/.test(confirm.body)) {
    const error = /id="deviceError"[^>]*>([^<]*)</.exec(confirm.body)?.[1];
    throw new Error(`code ${options.userCode} not accepted: ${error ?? confirm.body.slice(0, 300)}`);
  }
  const confirmUrl = new URL(confirmForm.action, options.verificationUri).href;
  const confirmed = await driver.call('POST', confirmUrl, confirmForm.hidden);
  const done = await driver.continueFrom(confirmed, confirmUrl, {
    user: options.user,
    password: options.password,
    consent: options.consent,
    redirectPrefix: 'never:'
  });
  if (done instanceof URL || !/id="deviceSuccess"/.test(done.body)) {
    const body = done instanceof URL ? done.href : done.body;
    const error = /id="(?:loginError|errorMessage)"[^>]*>([^<]*)</.exec(body)?.[1];
    throw new Error(`device sign-in of ${options.user} did not succeed: ${error ?? body.slice(0, 300)}`);
  }
}
