import * as assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthService } from '../../../src/auth/authService';
import type { AuthError } from '../../../src/auth/errors';
import { CloudCatalog } from '../../../src/core/clouds';
import type { DestinationConfirmation } from '../../../src/core/endpointTrust';
import type { CredentialDefinition, CredentialStatus } from '../../../src/core/model';
import { SecretRedactor } from '../../../src/core/redact';
import { secretKeys } from '../../../src/core/secretVault';
import { MemoryVault, TestLogger } from '../../support/fakes';

/**
 * The generic provider's one check before anything is sent: a token endpoint on another origin than
 * the sign-in page, named by no metadata, gets nothing without the user's yes. The "foreign" token
 * endpoint is a real HTTP server on loopback that records what reaches it; the issuer is a closed
 * loopback port, so its metadata cannot be read and cannot vouch.
 */
describe('generic provider: a foreign token endpoint', () => {
  let decoy: http.Server;
  let received: Array<{ method?: string; url?: string; body: string }>;
  let closedPort: number;
  let vault: MemoryVault;
  let statuses: Map<string, CredentialStatus>;
  let asked: DestinationConfirmation[];

  before(async () => {
    decoy = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: 'decoy-access-token', token_type: 'Bearer', expires_in: 3600, refresh_token: 'decoy-refresh' }));
      });
    });
    await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
    // A port that was free a moment ago: nothing answers there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  });

  after(() => new Promise<void>((resolve) => decoy.close(() => resolve())));

  beforeEach(() => {
    received = [];
    vault = new MemoryVault();
    statuses = new Map();
    asked = [];
  });

  const decoyUrl = () => `http://127.0.0.1:${(decoy.address() as AddressInfo).port}/token`;
  const definition = (overrides: Partial<CredentialDefinition> = {}): CredentialDefinition => ({
    id: `g-${Math.random().toString(36).slice(2, 8)}`,
    name: 'Team IdP',
    provider: 'generic',
    issuer: `http://127.0.0.1:${closedPort}`,
    authorizationUrl: `http://127.0.0.1:${closedPort}/authorize`,
    tokenUrl: decoyUrl(),
    clientId: 'team-app',
    clientAuth: 'secretPost',
    grant: 'authorizationCode',
    userName: 'adele@example.com',
    purpose: 'both',
    scopes: ['mail'],
    refreshTokenExpiryDays: 90,
    redirectUri: 'http://127.0.0.1',
    imap: { host: 'imap.example.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.example.com', port: 587, security: 'starttls' },
    ...overrides
  });
  const engine = (answer?: boolean) => {
    const auth = new AuthService({
      vault,
      clouds: () => new CloudCatalog(),
      trustedCaCertificates: () => [],
      logger: new TestLogger({ quiet: true }),
      redactor: new SecretRedactor(),
      ...(answer === undefined
        ? {}
        : {
            confirmDestination: async (request: DestinationConfirmation) => {
              asked.push(request);
              return answer;
            }
          })
    });
    auth.onDidChangeStatus((id, status) => statuses.set(id, status));
    return auth;
  };
  const refused = (host: string) => (error: AuthError) => {
    assert.equal(error.code, 'untrusted_endpoint');
    assert.ok(error.message.includes(host), error.message);
    return true;
  };

  it('is refused before the browser opens when no one can confirm it, and nothing reaches it', async () => {
    const def = definition();
    await vault.store(secretKeys(def.id).clientSecret, 'the-client-secret');
    const host = new URL(decoyUrl()).host;
    await assert.rejects(engine().beginAuthorizationCode(def, 'http://127.0.0.1:53682/'), refused(host));
    assert.equal(statuses.get(def.id)?.lastError?.code, 'untrusted_endpoint');
    assert.equal(received.length, 0);
  });

  it('is refused on "Cancel" for every grant (code, client credentials, refresh), naming the host; nothing reaches it', async () => {
    const auth = engine(false);
    const def = definition();
    const host = new URL(decoyUrl()).host;
    await vault.store(secretKeys(def.id).clientSecret, 'the-client-secret');
    await assert.rejects(auth.beginAuthorizationCode(def, 'http://127.0.0.1:53682/'), refused(host));
    await assert.rejects(auth.authorizeClientCredentials({ ...def, grant: 'clientCredentials' }), refused(host));
    // A refresh token already stored (say, from before an import replaced the token URL).
    await vault.store(secretKeys(def.id).tokens, JSON.stringify({ accessToken: 'old', expiresAt: 0, refreshToken: 'stored-refresh', scopes: ['mail'] }));
    await assert.rejects(auth.getAccessToken(def), refused(host));
    assert.equal(received.length, 0);
    assert.equal(asked.length, 3, 'a "no" is not remembered');
    assert.deepEqual(
      { host: asked[0].host, roles: asked[0].roles, authorizationHost: asked[0].authorizationHost, name: asked[0].credentialName },
      { host, roles: ['token'], authorizationHost: `127.0.0.1:${closedPort}`, name: 'Team IdP' }
    );
  });

  it('once confirmed, gets the code exchange; the yes is remembered for these endpoints only', async () => {
    const auth = engine(true);
    const def = definition();
    await vault.store(secretKeys(def.id).clientSecret, 'the-client-secret');
    const { state, complete } = await auth.beginAuthorizationCode(def, 'http://127.0.0.1:53682/');
    assert.equal(asked.length, 1, 'asked before the browser opens');
    assert.equal(received.length, 0);
    await complete(`http://127.0.0.1:53682/?code=the-code&state=${state}`);
    assert.equal(asked.length, 1, 'not asked again for the exchange');
    assert.equal(received.length, 1);
    assert.match(received[0].body, /code=the-code/);
    assert.match(received[0].body, /client_secret=the-client-secret/);

    // An edit of the token URL (same host, another path) voids the confirmation.
    const edited = { ...def, tokenUrl: `${decoyUrl()}2` };
    await auth.beginAuthorizationCode(edited, 'http://127.0.0.1:53682/');
    assert.equal(asked.length, 2);
  });

  it('checks the authorization response against the configured issuer, never one the response names', async () => {
    const auth = engine(true);
    const def = definition();
    await vault.store(secretKeys(def.id).clientSecret, 'the-client-secret');
    const { state, complete } = await auth.beginAuthorizationCode(def, 'http://127.0.0.1:53682/');
    await assert.rejects(complete(`http://127.0.0.1:53682/?code=c&state=${state}&iss=${encodeURIComponent('https://evil.test')}`), /iss/);
    assert.equal(received.length, 0);

    const noIssuer = definition({ issuer: undefined, tokenUrl: `http://127.0.0.1:${closedPort}/token` });
    await assert.rejects(auth.beginAuthorizationCode(noIssuer, 'http://127.0.0.1:53682/'), (error: AuthError) => error.code === 'missing_issuer');
  });
});
