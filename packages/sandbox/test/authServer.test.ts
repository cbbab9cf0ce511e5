/**
 * The Entra-like authorization server, exercised by the pinned MSAL (@azure/msal-node 7.2.1) and by
 * plain HTTPS requests: sign-in pages driven with a cookie jar, token grants, Entra-shaped errors,
 * the control API and the mail servers' validation endpoint.
 */
import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { ConfidentialClientApplication, CryptoProvider, PublicClientApplication, type AuthenticationResult, type Configuration } from '@azure/msal-node';
import { certificateThumbprintS256Hex, createCertificates, type SandboxCertificates } from '../src/server/certificates';
import { startAuthServer, type AuthServer } from '../src/server/authServer';
import { GRAPH_RESOURCE, GRAPH_SCOPES, MAIL_SCOPES, SANDBOX_APPS, SANDBOX_TENANT } from '../src/server/fixtures';
import { appToken, completeDeviceCode, delegatedToken, httpsCall, PageDriver, parseForm, sandboxNetworkClient, type HttpResponse } from '../src/client/signIn';

const DELEGATED = [MAIL_SCOPES.imap, MAIL_SCOPES.smtp, 'offline_access'];

function jwtPayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('sandbox authorization server (Entra ID imitation)', function () {
  let dir: string;
  let certs: SandboxCertificates;
  let server: AuthServer;
  const logLines: string[] = [];

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'm365-auth-'));
    certs = await createCertificates(join(dir, 'certs'));
    server = await startAuthServer({ certificates: certs, logger: (l) => logLines.push(l), deviceCodeIntervalSeconds: 1 });
  });

  after(async function () {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(function () {
    server.control.reset();
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.error(logLines.slice(-30).join('\n'));
  });

  function msalConfig(clientId: string, extra: Partial<Configuration['auth']> = {}, authority = server.authority): Configuration {
    return {
      auth: { clientId, authority, knownAuthorities: [`127.0.0.1:${server.port}`], ...extra },
      system: { networkClient: sandboxNetworkClient(certs.caPem) }
    };
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- token JSON read field by field
  async function tokenPost(form: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, any> }> {
    const res = await httpsCall(certs.caPem, 'POST', `${server.authority}/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString()
    });
    return { status: res.status, json: JSON.parse(res.body) };
  }

  /** Authorization code + PKCE with a confidential (secret in body) client through MSAL. */
  async function signInWebApp(user = 'adele@contoso.test', scopes = DELEGATED, consent: 'accept' | 'deny' = 'accept') {
    const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.webSecretPost.clientId, { clientSecret: SANDBOX_APPS.webSecretPost.clientSecret }));
    const pkce = await new CryptoProvider().generatePkceCodes();
    const redirectUri = 'http://localhost:53123';
    const authUrl = await app.getAuthCodeUrl({
      scopes,
      redirectUri,
      codeChallenge: pkce.challenge,
      codeChallengeMethod: 'S256',
      state: 'st-1',
      loginHint: user
    });
    const back = await new PageDriver(certs.caPem).authorize(authUrl, { user, redirectPrefix: redirectUri, consent });
    assert.ok(back instanceof URL, `expected a redirect to the app, got ${(back as HttpResponse).status} ${(back as HttpResponse).body?.slice(0, 300)}`);
    return { app, back, redirectUri, pkce, scopes };
  }

  async function webAppTokens(user = 'adele@contoso.test', scopes = DELEGATED) {
    const { app, back, redirectUri, pkce } = await signInWebApp(user, scopes);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const result = await app.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes, redirectUri, codeVerifier: pkce.verifier });
    return { app, result };
  }

  async function errorOf(promise: Promise<unknown>): Promise<Error & { errorCode?: string; subError?: string }> {
    try {
      await promise;
    } catch (err) {
      return err as Error;
    }
    assert.fail('expected an error');
  }

  describe('discovery', function () {
    it('serves Entra v2 metadata for the tenant ID, its domain and organizations', async function () {
      for (const tenant of [SANDBOX_TENANT.id, SANDBOX_TENANT.domain, 'organizations']) {
        const res = await httpsCall(certs.caPem, 'GET', `${server.origin}/${tenant}/v2.0/.well-known/openid-configuration`);
        assert.equal(res.status, 200);
        const meta = JSON.parse(res.body);
        assert.equal(meta.issuer, `${server.origin}/${SANDBOX_TENANT.id}/v2.0`);
        assert.equal(meta.token_endpoint, `${server.origin}/${tenant}/oauth2/v2.0/token`);
        assert.equal(meta.authorization_endpoint, `${server.origin}/${tenant}/oauth2/v2.0/authorize`);
        assert.equal(meta.device_authorization_endpoint, `${server.origin}/${tenant}/oauth2/v2.0/devicecode`);
        assert.equal(meta.jwks_uri, `${server.origin}/${tenant}/discovery/v2.0/keys`);
      }
      const unknown = await httpsCall(certs.caPem, 'GET', `${server.origin}/fabrikam.test/v2.0/.well-known/openid-configuration`);
      assert.equal(unknown.status, 400);
      assert.match(JSON.parse(unknown.body).error_description, /^AADSTS90002: /);
    });
  });

  describe('tenant aliases with MSAL', function () {
    it('the domain authority works for client credentials; organizations for delegated sign-in', async function () {
      const byDomain = new ConfidentialClientApplication(
        msalConfig(SANDBOX_APPS.daemonSecret.clientId, { clientSecret: SANDBOX_APPS.daemonSecret.clientSecret }, `${server.origin}/${SANDBOX_TENANT.domain}`)
      );
      const appOnly = (await byDomain.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly] })) as AuthenticationResult;
      assert.equal(jwtPayload(appOnly.accessToken).tid, SANDBOX_TENANT.id);

      const byOrganizations = new ConfidentialClientApplication(
        msalConfig(SANDBOX_APPS.webSecretPost.clientId, { clientSecret: SANDBOX_APPS.webSecretPost.clientSecret }, `${server.origin}/organizations`)
      );
      const redirectUri = 'http://localhost:50010';
      const authUrl = await byOrganizations.getAuthCodeUrl({ scopes: DELEGATED, redirectUri });
      assert.ok(authUrl.startsWith(`${server.origin}/organizations/oauth2/v2.0/authorize?`), authUrl);
      const back = await new PageDriver(certs.caPem).authorize(authUrl, { user: 'adele@contoso.test', redirectPrefix: redirectUri });
      assert.ok(back instanceof URL);
      const result = await byOrganizations.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: DELEGATED, redirectUri });
      assert.equal(result.account?.username, 'adele@contoso.test');
      assert.equal(result.tenantId, SANDBOX_TENANT.id);
    });
  });

  describe('authorization code + PKCE', function () {
    it('signs in through the login and consent pages and returns Entra-shaped tokens to MSAL', async function () {
      const { result } = await webAppTokens();
      const at = jwtPayload(result.accessToken);
      assert.equal(at.aud, 'https://outlook.office.com');
      assert.equal(at.scp, 'IMAP.AccessAsUser.All SMTP.Send');
      assert.equal(at.upn, 'adele@contoso.test');
      assert.equal(at.unique_name, 'adele@contoso.test');
      assert.equal(at.oid, '0a1b2c3d-0000-4000-8000-000000000001');
      assert.equal(at.tid, SANDBOX_TENANT.id);
      assert.equal(at.appid, SANDBOX_APPS.webSecretPost.clientId);
      assert.equal(at.iss, server.issuer);
      assert.ok(typeof at.exp === 'number' && typeof at.iat === 'number' && (at.exp as number) > (at.iat as number));
      assert.equal(at.scope, undefined);
      assert.equal(result.account?.username, 'adele@contoso.test');
      assert.equal(result.account?.homeAccountId, `0a1b2c3d-0000-4000-8000-000000000001.${SANDBOX_TENANT.id}`);
      assert.equal(result.account?.tenantId, SANDBOX_TENANT.id);
      const idToken = jwtPayload(result.idToken);
      assert.equal(idToken.preferred_username, 'adele@contoso.test');
      assert.equal(idToken.name, 'Adele Vance');
      assert.equal(idToken.tid, SANDBOX_TENANT.id);
      assert.ok(result.scopes.includes(MAIL_SCOPES.imap) && result.scopes.includes(MAIL_SCOPES.smtp), result.scopes.join(' '));
    });

    it('issues a refresh token without prompt=consent and refreshes through acquireTokenSilent', async function () {
      const { app, result } = await webAppTokens();
      const cache = JSON.parse(app.getTokenCache().serialize());
      assert.equal(Object.keys(cache.RefreshToken).length, 1, 'a refresh token in MSAL cache');
      const refreshed = await app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true });
      assert.notEqual(refreshed.accessToken, result.accessToken);
      assert.equal(jwtPayload(refreshed.accessToken).scp, 'IMAP.AccessAsUser.All SMTP.Send');
      const stats = server.control.stats();
      assert.deepEqual(stats.tokenRequests[SANDBOX_APPS.webSecretPost.clientId], { authorization_code: 1, refresh_token: 1 });
    });

    it('the raw token response carries client_info, full scope strings and a refresh token', async function () {
      const driver = new PageDriver(certs.caPem);
      const pkce = await new CryptoProvider().generatePkceCodes();
      const redirectUri = 'http://127.0.0.1:40123/cb';
      const q = new URLSearchParams({
        client_id: SANDBOX_APPS.publicClient.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: `${DELEGATED.join(' ')} openid profile`,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256',
        state: 'abc'
      });
      const back = await driver.authorize(`${server.authority}/oauth2/v2.0/authorize?${q}`, { user: 'adele@contoso.test', redirectPrefix: redirectUri });
      assert.ok(back instanceof URL);
      const token = await tokenPost({
        grant_type: 'authorization_code',
        client_id: SANDBOX_APPS.publicClient.clientId,
        code: back.searchParams.get('code')!,
        redirect_uri: redirectUri,
        code_verifier: pkce.verifier,
        client_info: '1'
      });
      assert.equal(token.status, 200, JSON.stringify(token.json));
      assert.ok(token.json.refresh_token);
      assert.ok(token.json.id_token);
      assert.deepEqual(JSON.parse(Buffer.from(token.json.client_info, 'base64url').toString()), {
        uid: '0a1b2c3d-0000-4000-8000-000000000001',
        utid: SANDBOX_TENANT.id
      });
      assert.ok(token.json.scope.split(' ').includes(MAIL_SCOPES.imap), token.json.scope);
    });

    it('public client: MSAL with a http://localhost loopback redirect; PKCE is required', async function () {
      const app = new PublicClientApplication(msalConfig(SANDBOX_APPS.publicClient.clientId));
      const pkce = await new CryptoProvider().generatePkceCodes();
      const redirectUri = 'http://localhost:61999';
      const authUrl = await app.getAuthCodeUrl({ scopes: DELEGATED, redirectUri, codeChallenge: pkce.challenge, codeChallengeMethod: 'S256' });
      const back = await new PageDriver(certs.caPem).authorize(authUrl, { user: 'megan@contoso.test', redirectPrefix: redirectUri });
      assert.ok(back instanceof URL);
      const result = await app.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: DELEGATED, redirectUri, codeVerifier: pkce.verifier });
      assert.equal(jwtPayload(result.accessToken).upn, 'megan@contoso.test');
      assert.equal(result.account?.username, 'megan@contoso.test');

      // Without a code challenge the server sends the app an error.
      const noPkce = new URL(authUrl);
      noPkce.searchParams.delete('code_challenge');
      noPkce.searchParams.delete('code_challenge_method');
      const res = await httpsCall(certs.caPem, 'GET', noPkce.href);
      const location = new URL(String(res.headers.location));
      assert.equal(location.origin, 'http://localhost:61999');
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.match(location.searchParams.get('error_description')!, /^AADSTS\d+: /);
    });

    it('web apps accept the vscode:// callback', async function () {
      const q = new URLSearchParams({
        client_id: SANDBOX_APPS.webSecretBasic.clientId,
        response_type: 'code',
        redirect_uri: 'vscode://m365mail.m365-mail/auth-callback',
        scope: DELEGATED.join(' ')
      });
      const back = await new PageDriver(certs.caPem).authorize(`${server.authority}/oauth2/v2.0/authorize?${q}`, {
        user: 'adele@contoso.test',
        redirectPrefix: 'vscode://'
      });
      assert.ok(back instanceof URL && back.searchParams.get('code'));
    });

    it('secret as HTTP Basic (client_secret_basic) redeems a code', async function () {
      const pkce = await new CryptoProvider().generatePkceCodes();
      const redirectUri = 'http://localhost:50001';
      const q = new URLSearchParams({
        client_id: SANDBOX_APPS.webSecretBasic.clientId,
        response_type: 'code',
        redirect_uri: redirectUri,
        scope: `${DELEGATED.join(' ')} openid profile`,
        code_challenge: pkce.challenge,
        code_challenge_method: 'S256'
      });
      const back = await new PageDriver(certs.caPem).authorize(`${server.authority}/oauth2/v2.0/authorize?${q}`, {
        user: 'adele@contoso.test',
        redirectPrefix: redirectUri
      });
      assert.ok(back instanceof URL);
      const basic = (secret: string) =>
        `Basic ${Buffer.from(`${encodeURIComponent(SANDBOX_APPS.webSecretBasic.clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
      const form = { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: redirectUri, code_verifier: pkce.verifier };
      const wrong = await tokenPost(form, { authorization: basic('not-the-secret') });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.error, 'invalid_client');
      assert.deepEqual(wrong.json.error_codes, [7000215]);
      const ok = await tokenPost(form, { authorization: basic(SANDBOX_APPS.webSecretBasic.clientSecret) });
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.equal(jwtPayload(ok.json.access_token).appid, SANDBOX_APPS.webSecretBasic.clientId);
      assert.ok(ok.json.refresh_token);
    });

    it('remembers consent: the second sign-in of the same user skips the consent page', async function () {
      await webAppTokens();
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.webSecretPost.clientId, { clientSecret: SANDBOX_APPS.webSecretPost.clientSecret }));
      const driver = new PageDriver(certs.caPem);
      const authUrl = await app.getAuthCodeUrl({ scopes: DELEGATED, redirectUri: 'http://localhost:50002' });
      const back = await driver.authorize(authUrl, { user: 'adele@contoso.test', redirectPrefix: 'http://localhost:50002', consent: 'deny' });
      assert.ok(back instanceof URL && back.searchParams.get('code'), 'code without a consent page (deny would have failed it)');
    });
  });

  describe('refresh token rotation', function () {
    it('with rotation on, each refresh returns a new refresh token and the old one is refused', async function () {
      server.control.setRefreshTokenRotation(true);
      const { app, result } = await webAppTokens();
      const rtOf = () => Object.values(JSON.parse(app.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0].secret;
      const first = rtOf();
      await app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true });
      const second = rtOf();
      assert.notEqual(second, first);
      await app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true });
      const third = rtOf();
      assert.notEqual(third, second);
      const replay = await tokenPost({
        grant_type: 'refresh_token',
        client_id: SANDBOX_APPS.webSecretPost.clientId,
        client_secret: SANDBOX_APPS.webSecretPost.clientSecret,
        refresh_token: first
      });
      assert.equal(replay.json.error, 'invalid_grant');
      assert.deepEqual(replay.json.error_codes, [70008]);
    });

    it('with rotation off (default), the refresh token stays the same', async function () {
      const { app, result } = await webAppTokens();
      const rtOf = () => Object.values(JSON.parse(app.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0].secret;
      const first = rtOf();
      await app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true });
      assert.equal(rtOf(), first);
    });
  });

  describe('Microsoft Graph as a second resource', function () {
    const GRAPH = [GRAPH_SCOPES.mailSend, GRAPH_SCOPES.mailRead, GRAPH_SCOPES.userRead, 'offline_access'];

    it('the refresh token of an Exchange sign-in gets a Graph token through acquireTokenSilent, and Exchange tokens still', async function () {
      const { app, result } = await webAppTokens();
      const graph = await app.acquireTokenSilent({ account: result.account!, scopes: GRAPH });
      const at = jwtPayload(graph.accessToken);
      assert.equal(at.aud, GRAPH_RESOURCE);
      assert.equal(at.scp, 'Mail.Send Mail.Read User.Read');
      assert.equal(at.upn, 'adele@contoso.test');
      assert.equal(at.tid, SANDBOX_TENANT.id);
      const exchange = await app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true });
      assert.equal(jwtPayload(exchange.accessToken).aud, 'https://outlook.office.com');
      assert.equal(jwtPayload(exchange.accessToken).scp, 'IMAP.AccessAsUser.All SMTP.Send');
      // The Exchange sign-in, then one refresh per resource: no second sign-in.
      assert.deepEqual(server.control.stats().tokenRequests[SANDBOX_APPS.webSecretPost.clientId], { authorization_code: 1, refresh_token: 2 });
      assert.deepEqual(server.control.stats().byResource, { 'https://outlook.office.com': 2, [GRAPH_RESOURCE]: 1 }, 'counted per resource asked for');
    });

    it('a Graph sign-in gets Graph tokens, and its refresh token gets Exchange tokens', async function () {
      const scopes = [GRAPH_SCOPES.mailSendShared, GRAPH_SCOPES.mailReadShared, GRAPH_SCOPES.mailReadWrite, 'offline_access'];
      const { app, result } = await webAppTokens('adele@contoso.test', scopes);
      assert.equal(jwtPayload(result.accessToken).aud, GRAPH_RESOURCE);
      assert.equal(jwtPayload(result.accessToken).scp, 'Mail.Send.Shared Mail.Read.Shared Mail.ReadWrite');
      const exchange = await app.acquireTokenSilent({ account: result.account!, scopes: [MAIL_SCOPES.smtp] });
      assert.equal(jwtPayload(exchange.accessToken).aud, 'https://outlook.office.com');
      assert.equal(jwtPayload(exchange.accessToken).scp, 'SMTP.Send');
    });

    it('a scope Graph does not offer is refused at refresh', async function () {
      const { app } = await webAppTokens();
      const refreshToken = Object.values(JSON.parse(app.getTokenCache().serialize()).RefreshToken as Record<string, { secret: string }>)[0].secret;
      const refused = await tokenPost({
        grant_type: 'refresh_token',
        client_id: SANDBOX_APPS.webSecretPost.clientId,
        client_secret: SANDBOX_APPS.webSecretPost.clientSecret,
        refresh_token: refreshToken,
        scope: `${GRAPH_RESOURCE}/Files.ReadWrite.All offline_access`
      });
      assert.equal(refused.status, 400, JSON.stringify(refused.json));
      assert.equal(refused.json.access_token, undefined);
      assert.ok(Array.isArray(refused.json.error_codes), JSON.stringify(refused.json));
    });

    it('client credentials for graph.microsoft.com/.default carry the Graph app roles', async function () {
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.daemonSecret.clientId, { clientSecret: SANDBOX_APPS.daemonSecret.clientSecret }));
      const graph = jwtPayload(((await app.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPES.appOnly] })) as AuthenticationResult).accessToken);
      assert.equal(graph.aud, GRAPH_RESOURCE);
      assert.deepEqual(graph.roles, ['Mail.Send', 'Mail.Read']);
      assert.equal(graph.scp, undefined);
      assert.equal(graph.idtyp, 'app');
      const exchange = jwtPayload(((await app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly] })) as AuthenticationResult).accessToken);
      assert.deepEqual(exchange.roles, ['IMAP.AccessAsApp', 'SMTP.SendAsApp']);
    });

    it('a Graph token opens no mailbox over IMAP (wrong audience)', async function () {
      const { app, result } = await webAppTokens();
      const graph = await app.acquireTokenSilent({ account: result.account!, scopes: GRAPH });
      const check = server.control.introspect('imap', graph.accessToken, 'adele@contoso.test');
      assert.deepEqual(check, { active: false, error: 'wrong audience' });
    });
  });

  describe('client credentials', function () {
    it('secret: app-only token with roles for outlook.office365.com', async function () {
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.daemonSecret.clientId, { clientSecret: SANDBOX_APPS.daemonSecret.clientSecret }));
      const result = (await app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly] })) as AuthenticationResult;
      const at = jwtPayload(result.accessToken);
      assert.equal(at.aud, 'https://outlook.office365.com');
      assert.deepEqual(at.roles, ['IMAP.AccessAsApp', 'SMTP.SendAsApp']);
      assert.equal(at.scp, undefined);
      assert.equal(at.appid, SANDBOX_APPS.daemonSecret.clientId);
      assert.equal(at.tid, SANDBOX_TENANT.id);
    });

    it('certificate: twice in a row with the same (reused) client assertion', async function () {
      const certPem = await readFile(certs.clientCertPath, 'utf8');
      const app = new ConfidentialClientApplication(
        msalConfig(SANDBOX_APPS.daemonCertificate.clientId, {
          clientCertificate: { thumbprintSha256: certificateThumbprintS256Hex(certPem), privateKey: await readFile(certs.clientKeyPath, 'utf8') }
        })
      );
      const first = (await app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly], skipCache: true })) as AuthenticationResult;
      const second = (await app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly], skipCache: true })) as AuthenticationResult;
      assert.notEqual(first.accessToken, second.accessToken);
      assert.deepEqual(jwtPayload(second.accessToken).roles, ['IMAP.AccessAsApp', 'SMTP.SendAsApp']);
      assert.equal(jwtPayload(second.accessToken).appidacr, '2');
      assert.deepEqual(server.control.stats().tokenRequests[SANDBOX_APPS.daemonCertificate.clientId], { client_credentials: 2 });
    });

    it('certificate: a web app redeems an authorization code', async function () {
      const certPem = await readFile(certs.clientCertPath, 'utf8');
      const app = new ConfidentialClientApplication(
        msalConfig(SANDBOX_APPS.webCertificate.clientId, {
          clientCertificate: { thumbprintSha256: certificateThumbprintS256Hex(certPem), privateKey: await readFile(certs.clientKeyPath, 'utf8') }
        })
      );
      const redirectUri = 'http://localhost:50003';
      const authUrl = await app.getAuthCodeUrl({ scopes: DELEGATED, redirectUri });
      const back = await new PageDriver(certs.caPem).authorize(authUrl, { user: 'adele@contoso.test', redirectPrefix: redirectUri });
      assert.ok(back instanceof URL);
      const result = await app.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: DELEGATED, redirectUri });
      assert.equal(jwtPayload(result.accessToken).upn, 'adele@contoso.test');
    });
  });

  describe('device code', function () {
    it('MSAL polls at the advertised interval while the user completes the verification page', async function () {
      this.timeout(30000);
      const app = new PublicClientApplication(msalConfig(SANDBOX_APPS.publicClient.clientId));
      let message = '';
      let completion: Promise<void> | undefined;
      const result = await app.acquireTokenByDeviceCode({
        scopes: DELEGATED,
        deviceCodeCallback: (response) => {
          message = response.message;
          assert.equal(response.interval, 1);
          completion = (async () => {
            await new Promise((r) => setTimeout(r, 2500));
            const driver = new PageDriver(certs.caPem);
            const input = await driver.call('GET', response.verificationUri);
            assert.match(input.body, /id="userCode"/);
            const inputForm = parseForm(input.body, 'op.deviceInputForm')!;
            const confirm = await driver.call('POST', new URL(inputForm.action, response.verificationUri).href, {
              ...inputForm.hidden,
              user_code: response.userCode
            });
            const confirmForm = parseForm(confirm.body, 'op.deviceConfirmForm');
            assert.ok(confirmForm, confirm.body.slice(0, 500));
            assert.match(confirm.body, /id="confirm"/);
            const confirmUrl = new URL(confirmForm.action, response.verificationUri).href;
            const confirmed = await driver.call('POST', confirmUrl, confirmForm.hidden);
            const done = await driver.continueFrom(confirmed, confirmUrl, { user: 'adele@contoso.test', redirectPrefix: 'never:' });
            assert.ok(!(done instanceof URL));
            assert.match(done.body, /id="deviceSuccess"/);
          })();
        }
      });
      await completion;
      assert.ok(result);
      assert.match(message, /^To sign in, use a web browser to open the page https:\/\/127\.0\.0\.1:\d+\/.+ and enter the code \S+ to authenticate\.$/);
      assert.equal(jwtPayload(result!.accessToken).upn, 'adele@contoso.test');
      const polls = server.control.stats().tokenRequests[SANDBOX_APPS.publicClient.clientId]['urn:ietf:params:oauth:grant-type:device_code'];
      assert.ok(polls >= 2 && polls <= 8, `polled ${polls} times`);
    });
  });

  describe('Entra-shaped errors', function () {
    it('wrong client secret: AADSTS7000215', async function () {
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.daemonSecret.clientId, { clientSecret: 'wrong' }));
      const err = await errorOf(app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly] }));
      assert.match(err.message, /AADSTS7000215/);
      assert.equal(err.errorCode, 'invalid_client');
    });

    it('unknown client: AADSTS700016 at the token endpoint and as an error page at authorize', async function () {
      const app = new ConfidentialClientApplication(msalConfig('00000000-1111-2222-3333-444444444444', { clientSecret: 'x' }));
      const err = await errorOf(app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly] }));
      assert.match(err.message, /AADSTS700016/);
      const q = new URLSearchParams({
        client_id: '00000000-1111-2222-3333-444444444444',
        response_type: 'code',
        redirect_uri: 'http://localhost:5000',
        scope: 'openid'
      });
      const page = await httpsCall(certs.caPem, 'GET', `${server.authority}/oauth2/v2.0/authorize?${q}`);
      assert.equal(page.status, 400);
      assert.match(page.body, /<p id="errorCode">AADSTS700016<\/p>/);
    });

    it('redirect URI mismatch: AADSTS50011 error page, no redirect', async function () {
      const q = new URLSearchParams({
        client_id: SANDBOX_APPS.webSecretPost.clientId,
        response_type: 'code',
        redirect_uri: 'https://evil.example/callback',
        scope: DELEGATED.join(' ')
      });
      const page = await httpsCall(certs.caPem, 'GET', `${server.authority}/oauth2/v2.0/authorize?${q}`);
      assert.equal(page.status, 400);
      assert.equal(page.headers.location, undefined);
      assert.match(page.body, /<p id="errorCode">AADSTS50011<\/p>/);
      assert.match(page.body, /https:\/\/evil\.example\/callback/);
      // localhost only on path "/"; a daemon has no redirect URI at all.
      const q2 = new URLSearchParams({
        client_id: SANDBOX_APPS.publicClient.clientId,
        response_type: 'code',
        redirect_uri: 'http://localhost:4000/other',
        scope: 'openid'
      });
      assert.match((await httpsCall(certs.caPem, 'GET', `${server.authority}/oauth2/v2.0/authorize?${q2}`)).body, /AADSTS50011/);
    });

    it('consent denied: access_denied with AADSTS65004 in the redirect', async function () {
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.webSecretPost.clientId, { clientSecret: SANDBOX_APPS.webSecretPost.clientSecret }));
      const redirectUri = 'http://localhost:50004';
      const authUrl = await app.getAuthCodeUrl({ scopes: DELEGATED, redirectUri, state: 's' });
      const back = await new PageDriver(certs.caPem).authorize(authUrl, { user: 'megan@contoso.test', redirectPrefix: redirectUri, consent: 'deny' });
      assert.ok(back instanceof URL);
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.match(back.searchParams.get('error_description')!, /^AADSTS65004: User declined to consent to access the app\./);
      assert.equal(back.searchParams.get('error_codes'), '65004');
      assert.equal(back.searchParams.get('state'), 's');
      assert.equal(back.searchParams.get('code'), null);
    });

    it('wrong password and shared mailbox cannot sign in', async function () {
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.webSecretPost.clientId, { clientSecret: SANDBOX_APPS.webSecretPost.clientSecret }));
      const authUrl = await app.getAuthCodeUrl({ scopes: DELEGATED, redirectUri: 'http://localhost:50005' });
      const bad = await new PageDriver(certs.caPem).authorize(authUrl, {
        user: 'adele@contoso.test',
        password: 'nope',
        redirectPrefix: 'http://localhost:50005'
      });
      assert.ok(!(bad instanceof URL));
      assert.match(bad.body, /id="loginError"[^>]*>AADSTS50126/);
      const shared = await new PageDriver(certs.caPem).authorize(authUrl, { user: 'orders@contoso.test', redirectPrefix: 'http://localhost:50005' });
      assert.ok(!(shared instanceof URL));
      assert.match(shared.body, /id="loginError"/);
    });

    it('MFA user: invalid_grant AADSTS50076 (interaction required) at the token endpoint', async function () {
      const { app, back, redirectUri, pkce } = await signInWebApp('lee@contoso.test');
      const err = await errorOf(app.acquireTokenByCode({ code: back.searchParams.get('code')!, scopes: DELEGATED, redirectUri, codeVerifier: pkce.verifier }));
      assert.match(err.message, /AADSTS50076/);
      assert.equal(err.name, 'InteractionRequiredAuthError');
      assert.equal(err.subError, 'basic_action');
    });

    it('revoked refresh tokens: AADSTS70008; expired: AADSTS700082', async function () {
      const { app, result } = await webAppTokens();
      assert.equal(server.control.revokeRefreshTokens('adele@contoso.test'), 1);
      const revoked = await errorOf(app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true }));
      assert.match(revoked.message, /AADSTS70008:/);

      const second = await webAppTokens('megan@contoso.test');
      const res = await httpsCall(certs.caPem, 'POST', `${server.origin}/_sandbox/users/megan%40contoso.test/expire-refresh-tokens`);
      assert.deepEqual(JSON.parse(res.body), { count: 1 });
      const expired = await errorOf(second.app.acquireTokenSilent({ account: second.result.account!, scopes: DELEGATED, forceRefresh: true }));
      assert.match(expired.message, /AADSTS700082:/);
    });

    it('token errors have Entra JSON shape', async function () {
      const res = await tokenPost({ grant_type: 'refresh_token', client_id: SANDBOX_APPS.publicClient.clientId, refresh_token: 'bogus' });
      assert.equal(res.status, 400);
      assert.equal(res.json.error, 'invalid_grant');
      assert.match(
        res.json.error_description,
        /^AADSTS70008: .*Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/
      );
      assert.deepEqual(res.json.error_codes, [70008]);
      assert.match(res.json.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
      assert.match(res.json.trace_id, /^[0-9a-f-]{36}$/);
      assert.match(res.json.correlation_id, /^[0-9a-f-]{36}$/);
    });
  });

  describe('control API', function () {
    it('injected faults: one-shot 65001 at token, persistent 7000215 for a client, 65001 at authorize', async function () {
      const { app, result } = await webAppTokens();
      server.control.injectFault({ stage: 'token', code: 65001, user: 'adele@contoso.test', grantType: 'refresh_token' });
      const once = await errorOf(app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true }));
      assert.match(once.message, /AADSTS65001/);
      assert.equal(once.name, 'InteractionRequiredAuthError');
      await app.acquireTokenSilent({ account: result.account!, scopes: DELEGATED, forceRefresh: true });

      const added = await httpsCall(certs.caPem, 'POST', `${server.origin}/_sandbox/faults`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stage: 'token', code: 7000215, clientId: SANDBOX_APPS.daemonSecret.clientId, persistent: true })
      });
      assert.equal(added.status, 200);
      const daemon = new ConfidentialClientApplication(
        msalConfig(SANDBOX_APPS.daemonSecret.clientId, { clientSecret: SANDBOX_APPS.daemonSecret.clientSecret })
      );
      for (let i = 0; i < 2; i++) {
        assert.match((await errorOf(daemon.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly], skipCache: true }))).message, /AADSTS7000215/);
      }
      await httpsCall(certs.caPem, 'DELETE', `${server.origin}/_sandbox/faults`);
      await daemon.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly], skipCache: true });

      server.control.injectFault({ stage: 'authorize', code: 65001, clientId: SANDBOX_APPS.webSecretPost.clientId, user: 'megan@contoso.test' });
      const signIn = await signInWebApp('megan@contoso.test');
      assert.equal(signIn.back.searchParams.get('error'), 'consent_required');
      assert.match(signIn.back.searchParams.get('error_description')!, /^AADSTS65001: /);
    });

    it('access-token TTL, settings over HTTP, stats and reset', async function () {
      const put = await httpsCall(certs.caPem, 'PUT', `${server.origin}/_sandbox/settings`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accessTokenTtlSeconds: 120, rotateRefreshTokens: true })
      });
      assert.deepEqual(JSON.parse(put.body), { accessTokenTtlSeconds: 120, rotateRefreshTokens: true, deviceCodeIntervalSeconds: 1 });
      const { result } = await webAppTokens();
      const at = jwtPayload(result.accessToken);
      assert.equal((at.exp as number) - (at.iat as number), 120);
      const stats = JSON.parse((await httpsCall(certs.caPem, 'GET', `${server.origin}/_sandbox/stats`)).body);
      assert.equal(stats.total, 1);
      assert.equal(stats.tokenRequests[SANDBOX_APPS.webSecretPost.clientId].authorization_code, 1);
      await httpsCall(certs.caPem, 'POST', `${server.origin}/_sandbox/reset`);
      assert.equal(server.control.stats().total, 0);
      assert.equal(server.control.settings().accessTokenTtlSeconds, 3600);
      assert.equal(server.control.settings().rotateRefreshTokens, false);
    });
  });

  describe('mail-server validation endpoint', function () {
    async function introspect(service: string, token: string, user?: string, asBearer = false) {
      const url = `${server.introspectionUrl(service as 'imap')}${user ? `?user=${encodeURIComponent(user)}` : ''}`;
      const res = await httpsCall(
        certs.caPem,
        'POST',
        url,
        asBearer
          ? { headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' }
          : { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() }
      );
      assert.equal(res.status, 200);
      return JSON.parse(res.body);
    }

    it('accepts a delegated token for its service and user, by form or by Bearer header', async function () {
      const { result } = await webAppTokens();
      const good = await introspect('imap', result.accessToken, 'adele@contoso.test');
      assert.equal(good.active, true);
      assert.equal(good.username, 'adele@contoso.test');
      assert.match(good.scope, /IMAP\.AccessAsUser\.All/);
      assert.equal((await introspect('smtp', result.accessToken, undefined, true)).username, 'adele@contoso.test');
      assert.equal(server.introspectionUrl('smtp'), `${server.origin}/_sandbox/introspect/smtp`);
    });

    it('refuses a token without the service scope', async function () {
      const { result } = await webAppTokens('adele@contoso.test', [MAIL_SCOPES.imap, 'offline_access']);
      assert.equal((await introspect('imap', result.accessToken, 'adele@contoso.test')).active, true);
      const smtp = await introspect('smtp', result.accessToken, 'adele@contoso.test');
      assert.equal(smtp.active, false);
      assert.match(smtp.error, /SMTP\.Send/);
    });

    it('refuses an expired token', async function () {
      this.timeout(15000);
      server.control.setAccessTokenTtl(1);
      const { result } = await webAppTokens();
      await new Promise((r) => setTimeout(r, 2100));
      const res = await introspect('imap', result.accessToken, 'adele@contoso.test');
      assert.deepEqual(res, { active: false, error: 'token expired' });
    });

    it('a delegate opens the shared mailbox; a non-delegate does not', async function () {
      const adele = await webAppTokens('adele@contoso.test');
      const shared = await introspect('imap', adele.result.accessToken, 'orders@contoso.test');
      assert.equal(shared.active, true);
      assert.equal(shared.username, 'orders@contoso.test');
      const megan = await webAppTokens('megan@contoso.test');
      assert.equal((await introspect('imap', megan.result.accessToken, 'orders@contoso.test')).active, false);
      assert.equal((await introspect('imap', megan.result.accessToken, 'adele@contoso.test')).active, false);
    });

    it('app-only tokens open any mailbox of the tenant but need one named; garbage is refused', async function () {
      const app = new ConfidentialClientApplication(msalConfig(SANDBOX_APPS.daemonSecret.clientId, { clientSecret: SANDBOX_APPS.daemonSecret.clientSecret }));
      const { accessToken } = (await app.acquireTokenByClientCredential({ scopes: [MAIL_SCOPES.appOnly] })) as AuthenticationResult;
      assert.equal((await introspect('smtp', accessToken, 'orders@contoso.test')).username, 'orders@contoso.test');
      assert.equal((await introspect('imap', accessToken, 'megan@contoso.test')).active, true);
      assert.equal((await introspect('imap', accessToken)).active, false);
      assert.equal((await introspect('imap', accessToken, 'nobody@contoso.test')).active, false);
      const tampered = accessToken.slice(0, -4) + (accessToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      assert.equal((await introspect('imap', tampered, 'megan@contoso.test')).active, false);
      assert.equal((await introspect('imap', 'not-a-token', 'megan@contoso.test')).active, false);
    });
  });

  describe('client/signIn helpers (browser stand-in for other tiers)', function () {
    it('delegatedToken: authorization code + PKCE as a public client, by authority or origin; confidential with a secret', async function () {
      const imapOnly = await delegatedToken({
        authority: server.authority,
        ca: certs.caPem,
        clientId: SANDBOX_APPS.publicClient.clientId,
        scopes: [MAIL_SCOPES.imap, 'offline_access'],
        user: 'adele@contoso.test'
      });
      const at = jwtPayload(imapOnly.accessToken);
      assert.equal(at.scp, 'IMAP.AccessAsUser.All');
      assert.equal(at.upn, 'adele@contoso.test');
      assert.equal(at.appid, SANDBOX_APPS.publicClient.clientId);
      assert.ok(imapOnly.refreshToken && imapOnly.idToken);
      assert.equal(imapOnly.expiresIn, 3600);
      assert.ok(imapOnly.scope.split(' ').includes(MAIL_SCOPES.imap), imapOnly.scope);

      const byOrigin = await delegatedToken({
        origin: server.origin,
        ca: certs.caPem,
        clientId: SANDBOX_APPS.webSecretBasic.clientId,
        clientSecret: SANDBOX_APPS.webSecretBasic.clientSecret,
        clientAuth: 'basic',
        scopes: [MAIL_SCOPES.smtp],
        user: 'megan@contoso.test'
      });
      assert.equal(jwtPayload(byOrigin.accessToken).scp, 'SMTP.Send');
      assert.equal(byOrigin.refreshToken, undefined);
      const stats = server.control.stats().tokenRequests;
      assert.equal(stats[SANDBOX_APPS.publicClient.clientId].authorization_code, 1);
      assert.equal(stats[SANDBOX_APPS.webSecretBasic.clientId].authorization_code, 1);
    });

    it('delegatedToken rejects with the page error or the Entra error', async function () {
      const base = { authority: server.authority, ca: certs.caPem, clientId: SANDBOX_APPS.publicClient.clientId, scopes: [MAIL_SCOPES.imap] };
      await assert.rejects(delegatedToken({ ...base, user: 'adele@contoso.test', password: 'nope' }), /AADSTS50126/);
      await assert.rejects(delegatedToken({ ...base, user: 'lee@contoso.test' }), /AADSTS50076/);
      await assert.rejects(delegatedToken({ ...base, user: 'megan@contoso.test', consent: 'deny' }), /AADSTS65004/);
    });

    it('appToken: client credentials with a secret', async function () {
      const result = await appToken({
        authority: server.authority,
        ca: certs.caPem,
        clientId: SANDBOX_APPS.daemonSecret.clientId,
        clientSecret: SANDBOX_APPS.daemonSecret.clientSecret
      });
      assert.deepEqual(jwtPayload(result.accessToken).roles, ['IMAP.AccessAsApp', 'SMTP.SendAsApp']);
      await assert.rejects(
        appToken({ origin: server.origin, ca: certs.caPem, clientId: SANDBOX_APPS.daemonSecret.clientId, clientSecret: 'wrong' }),
        /AADSTS7000215/
      );
    });

    it('completeDeviceCode: the user side of the device code flow; the polling app then gets tokens', async function () {
      const start = await httpsCall(certs.caPem, 'POST', `${server.authority}/oauth2/v2.0/devicecode`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: SANDBOX_APPS.publicClient.clientId, scope: `${MAIL_SCOPES.imap} offline_access openid profile` }).toString()
      });
      assert.equal(start.status, 200, start.body);
      const device = JSON.parse(start.body) as { device_code: string; user_code: string; verification_uri: string };
      const poll = () =>
        httpsCall(certs.caPem, 'POST', `${server.authority}/oauth2/v2.0/token`, {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
            client_id: SANDBOX_APPS.publicClient.clientId,
            device_code: device.device_code
          }).toString()
        });
      assert.equal(JSON.parse((await poll()).body).error, 'authorization_pending');
      await assert.rejects(
        completeDeviceCode({ verificationUri: device.verification_uri, userCode: 'WRONG-CODE', user: 'adele@contoso.test', ca: certs.caPem }),
        /not accepted/
      );
      await completeDeviceCode({ verificationUri: device.verification_uri, userCode: device.user_code, user: 'adele@contoso.test', ca: certs.caPem });
      await new Promise((r) => setTimeout(r, 1100));
      const done = JSON.parse((await poll()).body);
      assert.equal(jwtPayload(done.access_token).upn, 'adele@contoso.test', JSON.stringify(done));
      assert.equal(jwtPayload(done.access_token).scp, 'IMAP.AccessAsUser.All');
    });
  });

  describe('plain HTTP on the same port (a port forwarder in front of a browser)', function () {
    function plainGet(path: string): Promise<{ status: number; location?: string; body: string }> {
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: server.port, path, method: 'GET' }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
        });
        req.on('error', reject);
        req.end();
      });
    }

    it('serves the authorization endpoint, and puts back the slash the forwarder took from a scope URL', async function () {
      const app = SANDBOX_APPS.publicClient;
      // As code-server's forwarder passes it on: every "//" of the query collapsed but the first https://.
      const scope = `${MAIL_SCOPES.imap} ${MAIL_SCOPES.smtp.replace('https://', 'https:/')} offline_access`;
      const query = new URLSearchParams({
        client_id: app.clientId,
        response_type: 'code',
        redirect_uri: 'http://localhost:1234/',
        scope,
        state: 'plain-http',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256'
      });
      const res = await plainGet(`/${SANDBOX_TENANT.id}/oauth2/v2.0/authorize?${query}`);
      assert.equal(res.status, 303, res.body);
      assert.match(res.location ?? '', /\/login\//);
      const line = logLines.filter((l) => l.includes('/authorize') && l.includes('(plain HTTP)')).pop() ?? '';
      assert.ok(line.includes(`scope: ${MAIL_SCOPES.imap} ${MAIL_SCOPES.smtp} offline_access`), line);
    });

    it('refuses plain HTTP everywhere else (token, discovery, control API)', async function () {
      for (const path of [`/${SANDBOX_TENANT.id}/oauth2/v2.0/token`, `/${SANDBOX_TENANT.id}/v2.0/.well-known/openid-configuration`, '/_sandbox/settings']) {
        const res = await plainGet(path);
        assert.equal(res.status, 400, path);
        assert.match(res.body, /use https/, path);
      }
    });
  });
});
