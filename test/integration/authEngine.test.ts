/**
 * The auth engine (src/auth, no `vscode`) against the sandbox's real authorization server: every
 * grant, silent refresh, one token request per burst, rotation across restarts, and the failures
 * a user must be able to act on. Secrets live in an in-memory SecretVault (an interface we own);
 * the extension-host tier runs the same engine over VS Code's real SecretStorage.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthService } from '../../src/auth/authService';
import { AuthError } from '../../src/auth/errors';
import { httpsRequest } from '../../src/auth/httpsRequest';
import { secretKeys } from '../../src/core/secretVault';
import { SecretRedactor } from '../../src/core/redact';
import { CloudCatalog } from '../../src/core/clouds';
import type { DestinationConfirmation } from '../../src/core/endpointTrust';
import { credentialState, type CredentialDefinition, type CredentialStatus } from '../../src/core/model';
import { decodeJwtClaims } from '../../src/core/tokenClaims';
import { completeDeviceCode, SANDBOX_APPS } from '@m365-mail/sandbox';
import { startSandbox, type SandboxProcess } from '../harness/sandbox';
import { TestLogger, MemoryVault } from '../support/fakes';
import { sandboxCredentials } from '../support/sandboxCredentials';
import { signInThroughPages } from '../support/sandboxAuth';

describe('auth engine against the sandbox authorization server', function () {
  this.timeout(60_000);
  let sandbox: SandboxProcess;
  let ca: string;
  let clouds: CloudCatalog;
  let vault: MemoryVault;
  let logger: TestLogger;
  let statuses: Map<string, CredentialStatus>;
  const engines: AuthService[] = [];

  const engine = () => {
    const auth = new AuthService({ vault, clouds: () => clouds, trustedCaCertificates: () => [ca], logger, redactor: new SecretRedactor() });
    auth.onDidChangeStatus((id, status) => statuses.set(id, status));
    engines.push(auth);
    return auth;
  };
  const credential = (id: string, overrides: Partial<CredentialDefinition> = {}): CredentialDefinition => {
    const found = sandboxCredentials(sandbox.description).find((d) => d.id === id);
    assert.ok(found, id);
    return { ...found, ...overrides, id: `${id}-${Math.random().toString(36).slice(2, 8)}` };
  };
  const tokenRequests = async () => (await sandbox.control.stats()).total;

  const authorize = (auth: AuthService, def: CredentialDefinition, options: { user?: string; consent?: 'accept' | 'deny' } = {}) =>
    signInThroughPages(auth, def, ca, options);

  before(async () => {
    sandbox = await startSandbox();
    ca = fs.readFileSync(sandbox.description.caCertPath, 'utf8');
    clouds = new CloudCatalog([sandbox.description.cloud]);
  });

  beforeEach(async () => {
    await sandbox.control.reset();
    vault = new MemoryVault();
    logger = new TestLogger();
    statuses = new Map();
  });

  after(async () => {
    engines.forEach((e) => e.dispose());
    await sandbox?.stop();
  });

  it('authorizes a public client by code + PKCE through the sign-in pages, as the signed-in user', async () => {
    const auth = engine();
    const def = credential('sandbox-adele');
    const status = await authorize(auth, def);
    assert.equal(status.account, 'adele@contoso.test');
    assert.equal(credentialState(def, statuses.get(def.id)), 'authorized');
    const token = await auth.getAccessToken(def);
    const claims = decodeJwtClaims(token.accessToken);
    assert.deepEqual(claims?.scopes.sort(), ['IMAP.AccessAsUser.All', 'SMTP.Send']);
    assert.equal(claims?.user, 'adele@contoso.test');
    // The MSAL cache (refresh token inside) is in the vault, never in the status.
    assert.ok(vault.values.get(secretKeys(def.id).msalCache));
    assert.doesNotMatch(JSON.stringify(statuses.get(def.id)), /eyJ/);
  });

  it('authorizes a confidential client whose secret goes in the body, and one that sends it as HTTP Basic', async () => {
    const auth = engine();
    for (const [app, clientAuth] of [
      [SANDBOX_APPS.webSecretPost, 'secretPost'],
      [SANDBOX_APPS.webSecretBasic, 'secretBasic']
    ] as const) {
      const def = credential('sandbox-adele', { clientId: app.clientId, clientAuth });
      await vault.store(secretKeys(def.id).clientSecret, app.clientSecret);
      const status = await authorize(auth, def);
      assert.equal(status.account, 'adele@contoso.test', clientAuth);
    }
    const stats = await sandbox.control.stats();
    assert.ok(stats.tokenRequests[SANDBOX_APPS.webSecretBasic.clientId], 'the Basic-header app reached the token endpoint');
  });

  it('turns a declined consent into Failed with AADSTS65004 and its next step', async () => {
    const auth = engine();
    const def = credential('sandbox-adele');
    await assert.rejects(authorize(auth, def, { consent: 'deny' }), (error: AuthError) => {
      assert.equal(error.code, 'AADSTS65004');
      assert.match(error.options.nextStep ?? '', /Accept/);
      return true;
    });
    assert.equal(credentialState(def, statuses.get(def.id)), 'failed');
  });

  it('authorizes by device code: the code is entered on the sandbox page while the engine polls', async () => {
    const auth = engine();
    const def = credential('sandbox-device');
    const device = await auth.beginDeviceCode(def);
    assert.match(device.userCode, /\w/);
    assert.match(device.verificationUri, /^https:\/\/127\.0\.0\.1:/);
    const [status] = await Promise.all([
      device.complete(new AbortController().signal),
      completeDeviceCode({ ca, verificationUri: device.verificationUri, userCode: device.userCode, user: 'adele@contoso.test' })
    ]);
    assert.equal(status.account, 'adele@contoso.test');
  });

  it('gets app-only tokens by client credentials with a secret and with a certificate (twice: a reused assertion is fine)', async () => {
    const auth = engine();
    const withSecret = credential('sandbox-daemon');
    await vault.store(secretKeys(withSecret.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await auth.authorizeClientCredentials(withSecret);
    const roles = decodeJwtClaims((await auth.getAccessToken(withSecret)).accessToken)?.roles ?? [];
    assert.ok(roles.includes('IMAP.AccessAsApp') && roles.includes('SMTP.SendAsApp'), roles.join(' '));

    const withCertificate = credential('sandbox-daemon', { clientId: SANDBOX_APPS.daemonCertificate.clientId, clientAuth: 'certificate' });
    const { certPath, keyPath } = sandbox.description.clientCertificate;
    await vault.store(secretKeys(withCertificate.id).certificate, fs.readFileSync(certPath, 'utf8'));
    await vault.store(secretKeys(withCertificate.id).privateKey, fs.readFileSync(keyPath, 'utf8'));
    await auth.authorizeClientCredentials(withCertificate);
    const first = await auth.getAccessToken(withCertificate);
    const second = await auth.getAccessToken(withCertificate, { forceRefresh: true });
    assert.notEqual(first.accessToken, second.accessToken);
    assert.equal(credentialState(withCertificate, statuses.get(withCertificate.id)), 'authorized');
  });

  it('serves 100 sequential callers from cache and 50 concurrent callers with one token request', async () => {
    const auth = engine();
    const def = credential('sandbox-adele');
    await authorize(auth, def);
    let before = await tokenRequests();
    for (let i = 0; i < 100; i++) await auth.getAccessToken(def);
    assert.equal((await tokenRequests()) - before, 0, 'a valid cached token needs no request');

    // Tokens that live one minute are inside the engine's 5-minute safety margin: every call wants a new one.
    await sandbox.control.setAccessTokenTtl(60);
    await auth.getAccessToken(def, { forceRefresh: true });
    before = await tokenRequests();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => auth.getAccessToken(def)));
    assert.equal((await tokenRequests()) - before, 1, 'one token request for the whole burst');
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
  });

  it('renews an expired access token silently', async () => {
    const auth = engine();
    const def = credential('sandbox-adele');
    await sandbox.control.setAccessTokenTtl(2);
    await authorize(auth, def);
    const first = await auth.getAccessToken(def);
    await new Promise((r) => setTimeout(r, 2500));
    const renewed = await auth.getAccessToken(def);
    assert.notEqual(renewed.accessToken, first.accessToken);
    assert.ok(renewed.expiresAt > first.expiresAt);
    assert.equal(credentialState(def, statuses.get(def.id)), 'authorized');
  });

  it('keeps refreshing with rotated refresh tokens across a restart (a new engine over the same vault)', async () => {
    await sandbox.control.setRefreshTokenRotation(true);
    const def = credential('sandbox-adele');
    await authorize(engine(), def);
    const cacheBefore = vault.values.get(secretKeys(def.id).msalCache);
    for (let restart = 0; restart < 3; restart++) {
      const fresh = engine();
      const token = await fresh.getAccessToken(def, { forceRefresh: true });
      assert.equal(decodeJwtClaims(token.accessToken)?.user, 'adele@contoso.test');
    }
    assert.notEqual(vault.values.get(secretKeys(def.id).msalCache), cacheBefore, 'the rotated refresh token was stored');
  });

  /** The refresh token MSAL keeps in a credential's cache in the vault. */
  const refreshTokenIn = (def: CredentialDefinition): string => {
    const cache = JSON.parse(vault.values.get(secretKeys(def.id).msalCache) ?? '{}') as { RefreshToken?: Record<string, { secret: string }> };
    const [entry] = Object.values(cache.RefreshToken ?? {});
    assert.ok(entry, 'a refresh token in the cache');
    return entry.secret;
  };

  const refreshWith = async (def: CredentialDefinition, refreshToken: string): Promise<{ status: number; body: string }> => {
    const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: def.clientId, refresh_token: refreshToken, scope: def.scopes.join(' ') });
    return httpsRequest(`${clouds.authority(def.cloud, def.tenant)}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
      extraCaCertificates: [ca]
    });
  };

  it('the sandbox, like Entra with rotation, revokes the whole grant when a spent refresh token comes back', async () => {
    await sandbox.control.setRefreshTokenRotation(true);
    const def = credential('sandbox-adele');
    const auth = engine();
    await authorize(auth, def);
    const spent = refreshTokenIn(def);
    await auth.getAccessToken(def, { forceRefresh: true });
    const rotated = refreshTokenIn(def);
    assert.notEqual(rotated, spent);
    assert.equal((await refreshWith(def, spent)).status, 400, 'the spent token is refused');
    assert.equal((await refreshWith(def, rotated)).status, 400, 'and its reuse revoked the grant: the rotated one is dead too');
  });

  it('two windows refreshing at once spend the rotated refresh token once: the credential stays authorized', async () => {
    await sandbox.control.setRefreshTokenRotation(true);
    const def = credential('sandbox-adele');
    await authorize(engine(), def);
    const [one, two] = [engine(), engine()];
    const before = await tokenRequests();
    const [a, b] = await Promise.all([one.getAccessToken(def, { forceRefresh: true }), two.getAccessToken(def, { forceRefresh: true })]);
    assert.equal((await tokenRequests()) - before, 1, 'one refresh for both windows');
    assert.equal(a.accessToken, b.accessToken, 'the waiting window took what the other stored');
    // The grant is alive: each window refreshes again with the stored, rotated token.
    await two.getAccessToken(def, { forceRefresh: true });
    await one.getAccessToken(def, { forceRefresh: true });
    assert.equal(credentialState(def, statuses.get(def.id)), 'authorized');
    assert.equal((await refreshWith(def, refreshTokenIn(def))).status, 200, 'the last stored refresh token still works');
  });

  it('sign-out during a slow token request leaves no token in the vault, and the request reports nothing', async () => {
    const def = credential('sandbox-adele');
    const auth = engine();
    await authorize(auth, def);
    await sandbox.control.setTokenDelay(1500);
    const before = await tokenRequests();
    const pending = auth.getAccessToken(def, { forceRefresh: true });
    while ((await tokenRequests()) === before) await new Promise((resolve) => setTimeout(resolve, 50));
    await auth.signOut(def);
    await assert.rejects(pending, (e: AuthError) => e.code === 'superseded');
    assert.equal(vault.values.get(secretKeys(def.id).tokens), undefined, 'no tokens');
    assert.equal(vault.values.get(secretKeys(def.id).msalCache), undefined, "no refresh token in MSAL's cache");
    assert.equal(credentialState(def, statuses.get(def.id)), 'unauthorized');
  });

  it('delete during a slow app-only token request leaves no secret of the credential', async () => {
    const def = credential('sandbox-daemon');
    const auth = engine();
    await vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await sandbox.control.setTokenDelay(1500);
    const before = await tokenRequests();
    const pending = auth.getAccessToken(def);
    while ((await tokenRequests()) === before) await new Promise((resolve) => setTimeout(resolve, 50));
    await auth.forget(def.id);
    await assert.rejects(pending, (e: AuthError) => e.code === 'superseded');
    assert.deepEqual(
      [...vault.values.keys()].filter((k) => k.includes(def.id)),
      []
    );
  });

  for (const [what, act, code] of [
    ['revoked', (s: SandboxProcess) => s.control.revokeRefreshTokens('adele@contoso.test'), 'AADSTS70008'],
    ['expired after inactivity', (s: SandboxProcess) => s.control.expireRefreshTokens('adele@contoso.test'), 'AADSTS700082']
  ] as const) {
    it(`turns the credential Expired when its refresh token is ${what} (${code})`, async () => {
      const auth = engine();
      const def = credential('sandbox-adele');
      await authorize(auth, def);
      await act(sandbox);
      await assert.rejects(auth.getAccessToken(def, { forceRefresh: true }), (error: AuthError) => error.code === code && error.grantExpired);
      assert.equal(credentialState(def, statuses.get(def.id)), 'expired');
    });
  }

  it('explains a wrong client secret (AADSTS7000215) without ever showing or logging it', async () => {
    const auth = engine();
    const def = credential('sandbox-daemon');
    const wrong = 'Wrong~Sentinel~Secret~Value~0001';
    await vault.store(secretKeys(def.id).clientSecret, wrong);
    await assert.rejects(auth.authorizeClientCredentials(def), (error: AuthError) => {
      assert.equal(error.code, 'AADSTS7000215');
      assert.match(error.options.nextStep ?? '', /Value, not its Secret ID/);
      assert.doesNotMatch(error.message, /Sentinel/);
      return true;
    });
    assert.equal(credentialState(def, statuses.get(def.id)), 'failed');
    assert.doesNotMatch(logger.lines.join('\n'), /Sentinel/);
  });

  it('explains MFA required (AADSTS50076) for a user the sandbox enforces MFA on', async () => {
    const auth = engine();
    const def = credential('sandbox-adele', { userName: 'lee@contoso.test' });
    await assert.rejects(
      authorize(auth, def, { user: 'lee@contoso.test' }),
      (error: AuthError) => error.code === 'AADSTS50076' && /multi-factor/i.test(error.message)
    );
  });

  it('never logs a token, code or refresh token', async () => {
    const auth = engine();
    const def = credential('sandbox-adele');
    await authorize(auth, def);
    const token = await auth.getAccessToken(def, { forceRefresh: true });
    const log = logger.lines.join('\n');
    assert.ok(log.length > 0);
    assert.ok(!log.includes(token.accessToken));
    assert.doesNotMatch(log, /eyJ[\w-]{10,}\.[\w-]{10,}/);
  });

  it('names an untrusted certificate and shows the chain the server sent, when its CA is not trusted', async () => {
    const auth = new AuthService({ vault, clouds: () => clouds, trustedCaCertificates: () => [], logger, redactor: new SecretRedactor() });
    engines.push(auth);
    const def = credential('sandbox-daemon');
    await vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await assert.rejects(auth.authorizeClientCredentials(def), (error: AuthError) => {
      assert.equal(error.code, 'tls.untrusted');
      assert.match(error.message, /Chain: subject: .*issuer: .*M365 Mail sandbox/i);
      assert.match(error.options.nextStep ?? '', /trustedCaCertificates/);
      return true;
    });
  });

  it('explains an unreachable token endpoint and refuses an endpoint URL that is not https', async () => {
    const auth = engine();
    const closed = credential('sandbox-adele', {
      provider: 'generic',
      cloud: undefined,
      tenant: undefined,
      issuer: 'https://127.0.0.1:9',
      authorizationUrl: 'https://127.0.0.1:9/authorize',
      tokenUrl: 'https://127.0.0.1:9/token',
      clientAuth: 'secretPost',
      grant: 'clientCredentials',
      scopes: ['mail']
    });
    await vault.store(secretKeys(closed.id).clientSecret, 'x'.repeat(12));
    await assert.rejects(
      auth.authorizeClientCredentials(closed),
      (error: AuthError) => error.code.startsWith('network') && /127\.0\.0\.1:9/.test(error.message) && !!error.options.nextStep
    );
    const plain = credential('sandbox-adele', {
      provider: 'generic',
      cloud: undefined,
      tenant: undefined,
      issuer: 'http://login.example.com',
      authorizationUrl: 'http://login.example.com/authorize',
      tokenUrl: 'http://login.example.com/token',
      clientAuth: 'secretPost',
      grant: 'clientCredentials',
      scopes: ['mail']
    });
    await vault.store(secretKeys(plain.id).clientSecret, 'x'.repeat(12));
    await assert.rejects(
      auth.authorizeClientCredentials(plain),
      (error: AuthError) => error.code === 'invalid_endpoint' && /https/.test(error.options.nextStep ?? '')
    );
  });

  it('renews the refresh token before the configured expiry, storing the new one first', async () => {
    let clock = Date.now();
    const auth = new AuthService({ vault, clouds: () => clouds, trustedCaCertificates: () => [ca], logger, redactor: new SecretRedactor(), now: () => clock });
    engines.push(auth);
    auth.onDidChangeStatus((id, status) => statuses.set(id, status));
    const def = credential('sandbox-adele', { refreshTokenExpiryDays: 3 });
    await authorize(auth, def);
    const firstDeadline = statuses.get(def.id)?.refreshTokenExpiresAt ?? 0;
    await auth.getAccessToken(def);
    const before = await tokenRequests();
    // Two and a half days later: inside the renewal window (a third of 3 days), the access token still valid by its own clock.
    clock += 2.5 * 86_400_000;
    assert.equal(credentialState(def, statuses.get(def.id), clock), 'expiring');
    await auth.getAccessToken(def);
    assert.equal((await tokenRequests()) - before, 1, 'the engine refreshed on its own');
    const renewed = statuses.get(def.id)?.refreshTokenExpiresAt ?? 0;
    assert.ok(renewed > firstDeadline, 'the refresh token deadline moved forward');
    assert.equal(credentialState(def, statuses.get(def.id), clock), 'authorized');
  });

  describe("a generic provider set up from the issuer's metadata", () => {
    const issuer = () => `${sandbox.description.authorization.authority}/v2.0`;
    /** The sandbox's public client, spoken to as "any OAuth2 provider" with the endpoints its metadata publishes. */
    const generic = async (auth: AuthService, overrides: Partial<CredentialDefinition> = {}): Promise<CredentialDefinition> => {
      const metadata = await auth.discoverIssuer(issuer());
      return credential('sandbox-adele', {
        provider: 'generic',
        cloud: undefined,
        tenant: undefined,
        issuer: metadata.issuer,
        authorizationUrl: metadata.authorizationEndpoint,
        tokenUrl: metadata.tokenEndpoint,
        deviceAuthorizationUrl: metadata.deviceAuthorizationEndpoint,
        redirectUri: 'http://127.0.0.1',
        ...overrides
      });
    };

    it('discovers the endpoints at the issuer (OpenID discovery) and authorizes with them, checking the configured issuer', async () => {
      const auth = engine();
      const metadata = await auth.discoverIssuer(issuer());
      const authority = sandbox.description.authorization.authority;
      assert.equal(metadata.issuer, issuer());
      assert.equal(metadata.authorizationEndpoint, `${authority}/oauth2/v2.0/authorize`);
      assert.equal(metadata.tokenEndpoint, `${authority}/oauth2/v2.0/token`);
      const def = await generic(auth);
      const status = await authorize(auth, def);
      assert.equal(credentialState(def, status), 'authorized');
      assert.ok((await auth.getAccessToken(def, { forceRefresh: true })).accessToken);
    });

    it('refuses a discovery document that names another issuer', async () => {
      // The tenant's domain serves the same document, whose issuer is the tenant ID's.
      const byDomain = `${sandbox.description.authorization.origin}/${sandbox.description.authorization.tenantDomain}/v2.0`;
      await assert.rejects(engine().discoverIssuer(byDomain), /issuer/i);
    });

    it('sends nothing to a token endpoint the metadata does not name, on "Cancel", before the sign-in starts', async () => {
      const received: string[] = [];
      const decoy = http.createServer((req, res) => {
        received.push(`${req.method} ${req.url}`);
        res.writeHead(500).end();
      });
      await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
      try {
        const asked: DestinationConfirmation[] = [];
        const auth = new AuthService({
          vault,
          clouds: () => clouds,
          trustedCaCertificates: () => [ca],
          logger,
          redactor: new SecretRedactor(),
          confirmDestination: async (request) => {
            asked.push(request);
            return false;
          }
        });
        engines.push(auth);
        const host = `127.0.0.1:${(decoy.address() as AddressInfo).port}`;
        const def = await generic(auth, { tokenUrl: `http://${host}/token` });
        const before = await tokenRequests();
        await assert.rejects(auth.beginAuthorizationCode(def, 'http://127.0.0.1:45678/'), (error: AuthError) => error.code === 'untrusted_endpoint');
        assert.deepEqual(
          asked.map((a) => [a.host, a.issuer]),
          [[host, issuer()]]
        );
        assert.equal(received.length, 0);
        assert.equal(await tokenRequests(), before, 'and nothing went to the real token endpoint either');
      } finally {
        await new Promise<void>((resolve) => decoy.close(() => resolve()));
      }
    });
  });
});
