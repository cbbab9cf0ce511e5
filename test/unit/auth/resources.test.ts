/**
 * One access token per resource (Exchange for IMAP/SMTP, Microsoft Graph) from one sign-in: the
 * engine asks the provider for each resource with that resource's scopes only, caches each, and
 * keeps at most one request per resource in flight. The provider is a fake of our own interface,
 * rotating refresh tokens with reuse detection, so two refreshes that spent one refresh token
 * twice would revoke the grant.
 */
import * as assert from 'node:assert/strict';
import { AuthService } from '../../../src/auth/authService';
import { AuthError } from '../../../src/auth/errors';
import type { DeviceAuthorization, GrantProvider, TokenSet } from '../../../src/auth/providers/grantProvider';
import { CloudCatalog } from '../../../src/core/clouds';
import type { CredentialDefinition, TokenResource } from '../../../src/core/model';
import { SecretRedactor } from '../../../src/core/redact';
import { secretKeys } from '../../../src/core/secretVault';
import { MemoryVault, RotatingRefreshTokens, TestLogger } from '../../support/fakes';
import { validDefinition } from '../credentials/fixtures';

const EXCHANGE = 'https://outlook.office.com/IMAP.AccessAsUser.All';
const GRAPH_SEND = 'https://graph.microsoft.com/Mail.Send';
const clouds = new CloudCatalog();

/** A token server that answers for the resource the scopes name, rotating refresh tokens. */
class ResourceServer implements GrantProvider {
  readonly tokens = new RotatingRefreshTokens();
  readonly requests: string[][] = [];
  /** Holds every answer until released, so that callers pile up on the requests in flight. */
  hold: Promise<void> | undefined;

  private answer(scopes: string[], serial: number, refreshToken?: string): TokenSet {
    const resource = clouds.resourceOfScope('global', scopes.find((s) => clouds.resourceOfScope('global', s)) ?? '');
    return { accessToken: `${resource}-${serial}`, expiresAt: Date.now() + 3600_000, refreshToken, scopes };
  }

  async refresh(def: CredentialDefinition, stored: { refreshToken?: string }): Promise<TokenSet> {
    this.requests.push(def.scopes);
    await this.hold;
    const serial = this.tokens.spend(stored.refreshToken);
    return this.answer(def.scopes, serial, `rt-${serial}`);
  }
  async clientCredentials(def: CredentialDefinition): Promise<TokenSet> {
    this.requests.push(def.scopes);
    await this.hold;
    return this.answer(def.scopes, this.tokens.issue());
  }
  async authorizationUrl(def: CredentialDefinition, request: { state: string }): Promise<string> {
    this.requests.push(def.scopes);
    return `https://login.example/authorize?state=${request.state}`;
  }
  async exchangeCode(def: CredentialDefinition): Promise<TokenSet> {
    this.requests.push(def.scopes);
    return this.answer(def.scopes, this.tokens.issue(), this.tokens.current());
  }
  deviceCode(): Promise<DeviceAuthorization> {
    throw new Error('not used');
  }
  forget(): void {}
}

describe('auth engine: one access token per resource', () => {
  let vault: MemoryVault;
  let server: ResourceServer;
  const engines: AuthService[] = [];

  function engine(): AuthService {
    const auth = new AuthService({
      vault,
      clouds: () => clouds,
      trustedCaCertificates: () => [],
      logger: new TestLogger(),
      redactor: new SecretRedactor(),
      providerFor: () => server
    });
    engines.push(auth);
    return auth;
  }

  const mixed = validDefinition({ sendTransport: 'graph', scopes: [EXCHANGE, GRAPH_SEND, 'offline_access'] });

  async function signedIn(): Promise<void> {
    const record = { accessToken: 'exchange-0', expiresAt: Date.now() - 1000, refreshToken: 'rt-0', scopes: [EXCHANGE] };
    await vault.store(secretKeys(mixed.id).tokens, JSON.stringify(record));
  }

  /** 50 callers, alternating between the two resources, all while the first requests are held. */
  async function burst(auth: AuthService, def: CredentialDefinition): Promise<Array<{ resource: TokenResource; token: string }>> {
    let release!: () => void;
    server.hold = new Promise((resolve) => (release = resolve));
    const resources: TokenResource[] = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'graph' : 'exchange'));
    const pending = resources.map((resource) => auth.getAccessToken(def, { resource }).then((t) => ({ resource, token: t.accessToken })));
    while (server.requests.length === 0) await new Promise((resolve) => setImmediate(resolve));
    release();
    return Promise.all(pending);
  }

  beforeEach(() => {
    vault = new MemoryVault();
    server = new ResourceServer();
  });

  afterEach(() => engines.splice(0).forEach((e) => e.dispose()));

  it('a burst of 50 callers across both resources makes one refresh per resource, each with its own scopes', async () => {
    await signedIn();
    const auth = engine();
    const results = await burst(auth, mixed);
    assert.deepEqual(server.requests.map((s) => s.join(' ')).sort(), [`${GRAPH_SEND} offline_access`, `${EXCHANGE} offline_access`]);
    assert.deepEqual(auth.tokenRequestsPerResource.get(mixed.id), { exchange: 1, graph: 1 });
    assert.equal(server.tokens.revoked, false, 'the two refreshes did not spend one refresh token twice');
    for (const resource of ['exchange', 'graph'] as const) {
      const tokens = new Set(results.filter((r) => r.resource === resource).map((r) => r.token));
      assert.equal(tokens.size, 1, `one ${resource} token for all its callers`);
      assert.match([...tokens][0], new RegExp(`^${resource}-`));
    }
    // Both are cached now: no further request, whichever resource is asked.
    await Promise.all([auth.getAccessToken(mixed, { resource: 'graph' }), auth.getAccessToken(mixed)]);
    assert.equal(server.requests.length, 2);
  });

  it('keeps both tokens in the one stored record: another window adopts each without a request', async () => {
    await signedIn();
    const one = engine();
    await burst(one, mixed);
    const record = JSON.parse(vault.values.get(secretKeys(mixed.id).tokens) ?? '{}') as { accessToken: string; others?: Record<string, unknown> };
    assert.match(record.accessToken, /^exchange-/);
    assert.ok(record.others?.graph, 'the Graph token is stored beside the Exchange one');
    const two = engine();
    const [graph, exchange] = await Promise.all([two.getAccessToken(mixed, { resource: 'graph' }), two.getAccessToken(mixed)]);
    assert.match(graph.accessToken, /^graph-/);
    assert.match(exchange.accessToken, /^exchange-/);
    assert.equal(server.requests.length, 2, 'the second window asked nothing');
  });

  it('client credentials: one app-only request per resource with its .default, for a burst of 50', async () => {
    const appOnly = validDefinition({
      grant: 'clientCredentials',
      sendTransport: 'graph',
      scopes: ['https://outlook.office365.com/.default', 'https://graph.microsoft.com/.default']
    });
    const auth = engine();
    await burst(auth, appOnly);
    assert.deepEqual(server.requests.map((s) => s.join(' ')).sort(), ['https://graph.microsoft.com/.default', 'https://outlook.office365.com/.default']);
    assert.deepEqual(auth.tokenRequestsPerResource.get(appOnly.id), { exchange: 1, graph: 1 });
  });

  it('signs in for the resource of the first scope only; the other comes from the refresh token', async () => {
    const graphFirst = validDefinition({ sendTransport: 'graph', scopes: [GRAPH_SEND, EXCHANGE, 'offline_access'] });
    const auth = engine();
    const signIn = await auth.beginAuthorizationCode(graphFirst, 'http://localhost:1234/');
    await signIn.complete(`http://localhost:1234/?code=c0de&state=${signIn.state}`);
    assert.deepEqual(server.requests, [
      [GRAPH_SEND, 'offline_access'],
      [GRAPH_SEND, 'offline_access']
    ]);
    assert.match((await auth.getAccessToken(graphFirst, { resource: 'graph' })).accessToken, /^graph-/);
    assert.equal(server.requests.length, 2, 'the signed-in resource is cached');
    assert.match((await auth.getAccessToken(graphFirst, { resource: 'exchange' })).accessToken, /^exchange-/);
    assert.deepEqual(server.requests.at(-1), [EXCHANGE, 'offline_access']);
  });

  it('refuses a resource the credential has no scopes for, without a request', async () => {
    await signedIn();
    const exchangeOnly = validDefinition({ id: mixed.id });
    await assert.rejects(engine().getAccessToken(exchangeOnly, { resource: 'graph' }), (e: AuthError) => e.code === 'no_scopes');
    assert.equal(server.requests.length, 0);
  });

  it('sign-out drops the tokens of both resources', async () => {
    await signedIn();
    const auth = engine();
    await burst(auth, mixed);
    await auth.signOut(mixed);
    for (const resource of ['exchange', 'graph'] as const) {
      await assert.rejects(auth.getAccessToken(mixed, { resource }), (e: AuthError) => e.code === 'not_authorized');
    }
  });
});
