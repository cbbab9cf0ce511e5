/**
 * The engine as the one owner of a credential's session: generations (sign-out and delete while a
 * request is in flight), windows sharing one SecretStorage (two engines over one vault), and a
 * SecretStorage write that fails. The grant provider is a fake of our own interface that behaves
 * like a server rotating refresh tokens with reuse detection (RFC 9700 section 4.14.2): a spent
 * refresh token used again revokes the whole grant. The sandbox's real server is in the
 * integration tier.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AuthService, type AuthServiceDeps } from '../../../src/auth/authService';
import { DiskLeaseStore } from '../../../src/credentials/diskLeaseStore';
import { AuthError } from '../../../src/auth/errors';
import type { DeviceAuthorization, GrantProvider, TokenSet } from '../../../src/auth/providers/grantProvider';
import { CloudCatalog } from '../../../src/core/clouds';
import type { CredentialDefinition, CredentialStatus } from '../../../src/core/model';
import { SecretRedactor } from '../../../src/core/redact';
import { secretKeys } from '../../../src/core/secretVault';
import { MemoryVault, RotatingRefreshTokens, TestLogger } from '../../support/fakes';

/** A token server that rotates refresh tokens and revokes the grant when a spent one comes back. */
class RotatingServer implements GrantProvider {
  private readonly tokens = new RotatingRefreshTokens();
  refreshes = 0;
  /** Holds each token answer until released (a slow network), when set. */
  hold: Promise<void> | undefined;

  get revoked(): boolean {
    return this.tokens.revoked;
  }

  async refresh(_def: CredentialDefinition, stored: { refreshToken?: string }): Promise<TokenSet> {
    this.refreshes++;
    await this.hold;
    const serial = this.tokens.spend(stored.refreshToken);
    return { accessToken: `at-${serial}`, expiresAt: Date.now() + 3600_000, refreshToken: `rt-${serial}`, scopes: ['mail'] };
  }
  async clientCredentials(): Promise<TokenSet> {
    await this.hold;
    return { accessToken: `app-${this.tokens.issue()}`, expiresAt: Date.now() + 3600_000, scopes: ['.default'] };
  }
  authorizationUrl(): Promise<string> {
    throw new Error('not used');
  }
  exchangeCode(): Promise<TokenSet> {
    throw new Error('not used');
  }
  deviceCode(): Promise<DeviceAuthorization> {
    throw new Error('not used');
  }
  forget(): void {}
}

const def: CredentialDefinition = {
  id: 'c1',
  name: 'Adele',
  provider: 'generic',
  grant: 'authorizationCode',
  clientId: 'app',
  clientAuth: 'none',
  scopes: ['mail'],
  redirectUri: 'http://127.0.0.1:53682/',
  refreshTokenExpiryDays: 90,
  imap: { host: 'imap.example.com', port: 993, security: 'tls' },
  smtp: { host: 'smtp.example.com', port: 587, security: 'starttls' }
} as unknown as CredentialDefinition;

describe('auth engine: one owner of a credential session', () => {
  let vault: MemoryVault;
  let server: RotatingServer;
  const engines: AuthService[] = [];

  /** One window: an engine over the shared vault (or its own view of it), with what it reported. */
  function window(own: Partial<AuthServiceDeps> = {}): { auth: AuthService; statuses: CredentialStatus[] } {
    const statuses: CredentialStatus[] = [];
    const auth = new AuthService({
      vault,
      ...own,
      clouds: () => new CloudCatalog(),
      trustedCaCertificates: () => [],
      logger: new TestLogger(),
      redactor: new SecretRedactor(),
      providerFor: () => server
    });
    auth.onDidChangeStatus((_id, status) => statuses.push(status));
    engines.push(auth);
    return { auth, statuses };
  }

  /** Tokens as an earlier sign-in left them, the access token already expired. */
  async function signedIn(): Promise<void> {
    const record = { accessToken: 'at-0', expiresAt: Date.now() - 1000, refreshToken: 'rt-0', scopes: ['mail'] };
    await vault.store(secretKeys(def.id).tokens, JSON.stringify(record));
  }

  const stored = () => vault.values.get(secretKeys(def.id).tokens);

  beforeEach(() => {
    vault = new MemoryVault();
    server = new RotatingServer();
  });

  afterEach(() => engines.splice(0).forEach((e) => e.dispose()));

  it('refreshes an expired access token once and stores the rotated refresh token', async () => {
    await signedIn();
    const { auth } = window();
    const [a, b] = await Promise.all([auth.getAccessToken(def), auth.getAccessToken(def)]);
    assert.equal(a.accessToken, 'at-1');
    assert.equal(b.accessToken, 'at-1');
    assert.equal(server.refreshes, 1);
    assert.equal(JSON.parse(stored() ?? '{}').refreshToken, 'rt-1');
  });

  it("reads the current refresh token for a hand-over: the rotated one, none after sign-out, MSAL's for Microsoft", async () => {
    await signedIn();
    const { auth } = window();
    await auth.getAccessToken(def);
    assert.deepEqual(await auth.readRefreshToken(def), { refreshToken: 'rt-1', expiresAt: JSON.parse(stored() ?? '{}').refreshTokenExpiresAt });
    await auth.signOut(def);
    assert.equal(await auth.readRefreshToken(def), undefined);

    const microsoft = { ...def, id: 'm1', provider: 'microsoft', cloud: 'global', tenant: 'contoso.com' } as CredentialDefinition;
    await vault.store(secretKeys('m1').tokens, JSON.stringify({ accessToken: 'at', expiresAt: Date.now() + 3600_000, homeAccountId: 'home-2', scopes: [] }));
    const entry = (home: string, client: string, secret: string) => ({ home_account_id: home, client_id: client, credential_type: 'RefreshToken', secret });
    await vault.store(
      secretKeys('m1').msalCache,
      JSON.stringify({
        RefreshToken: { a: entry('home-1', 'app', 'rt-other-account'), b: entry('home-2', 'other-app', 'rt-other-app'), c: entry('home-2', 'app', 'rt-msal') }
      })
    );
    assert.equal((await auth.readRefreshToken(microsoft))?.refreshToken, 'rt-msal');
    assert.equal(await auth.readRefreshToken({ ...microsoft, grant: 'clientCredentials' }), undefined);
  });

  it('sign-out during a slow refresh: the caller is told, and no token is left in the vault', async () => {
    await signedIn();
    const { auth, statuses } = window();
    let release!: () => void;
    server.hold = new Promise((resolve) => (release = resolve));
    const pending = auth.getAccessToken(def);
    while (server.refreshes === 0) await new Promise((resolve) => setImmediate(resolve));
    const signingOut = auth.signOut(def);
    release();
    await signingOut;
    await assert.rejects(pending, (e: AuthError) => e.code === 'superseded');
    assert.equal(stored(), undefined, 'the refreshed tokens were not written back');
    assert.deepEqual(statuses.at(-1), {}, 'the last status is signed out, not a failure');
    await assert.rejects(auth.getAccessToken(def), (e: AuthError) => e.code === 'not_authorized');
  });

  it('delete during a slow app-only token request leaves no secret of the credential', async () => {
    const { auth } = window();
    const appOnly = { ...def, grant: 'clientCredentials' } as CredentialDefinition;
    let release!: () => void;
    server.hold = new Promise((resolve) => (release = resolve));
    const pending = auth.getAccessToken(appOnly);
    await new Promise((resolve) => setImmediate(resolve));
    const deleting = auth.forget(appOnly.id);
    release();
    await deleting;
    await assert.rejects(pending, (e: AuthError) => e.code === 'superseded');
    assert.deepEqual([...vault.values.keys()], []);
  });

  it('two windows refreshing at once spend the refresh token once; the grant survives', async () => {
    await signedIn();
    const one = window();
    const two = window();
    const [a, b] = await Promise.all([one.auth.getAccessToken(def), two.auth.getAccessToken(def)]);
    assert.equal(server.refreshes, 1, 'one refresh for both windows');
    assert.equal(server.revoked, false);
    assert.equal(a.accessToken, b.accessToken);
    // Both go on refreshing with the stored (rotated) refresh token.
    const again = await two.auth.getAccessToken(def, { forceRefresh: true });
    assert.equal(again.accessToken, 'at-2');
    assert.equal((await one.auth.getAccessToken(def, { forceRefresh: true })).accessToken, 'at-3');
    assert.equal(server.revoked, false);
  });

  it('two browser tabs (each reads its secrets once): the lease on disk lets one refresh; the other spends nothing', async () => {
    // Each tab has its own copy of the secrets, taken when it loaded; they share the machine's disk.
    await signedIn();
    const leases = new DiskLeaseStore(fs.mkdtempSync(path.join(os.tmpdir(), 'm365mail-leases-')));
    const firstView = new MemoryVault();
    const secondView = new MemoryVault();
    for (const [key, value] of vault.values) [firstView, secondView].forEach((view) => view.values.set(key, value));
    let firstWrote = false;
    const original = firstView.store.bind(firstView);
    firstView.store = async (key, value) => {
      await original(key, value);
      firstWrote = true;
    };
    let release!: () => void;
    server.hold = new Promise((resolve) => (release = resolve));
    const one = window({ vault: firstView, leases });
    const two = window({
      vault: secondView,
      leases,
      // What the host's window check says (credentials/windowCoherence.ts): stale once the other tab wrote.
      ensureCurrent: async () => {
        if (firstWrote) throw new AuthError('window_stale', 'changed in another tab');
      }
    });
    const first = one.auth.getAccessToken(def);
    while (server.refreshes === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = two.auth.getAccessToken(def);
    release();
    assert.equal((await first).accessToken, 'at-1');
    await assert.rejects(second, (e: AuthError) => e.code === 'window_stale');
    assert.equal(server.refreshes, 1, 'one refresh for both tabs');
    assert.equal(server.revoked, false, 'the rotated refresh token was not spent twice');
  });

  it('sign-out in one window: the other stops serving its cached access token', async () => {
    await signedIn();
    const one = window();
    const two = window();
    await two.auth.getAccessToken(def);
    assert.equal((await two.auth.getAccessToken(def)).accessToken, 'at-1', 'served from memory');
    await one.auth.signOut(def);
    // The other window hears of it through the vault's change event.
    await new Promise((resolve) => setImmediate(resolve));
    await assert.rejects(two.auth.getAccessToken(def), (e: AuthError) => e.code === 'not_authorized');
  });

  it('a failed SecretStorage write loses no rotated refresh token: kept, used, retried, told once', async () => {
    await signedIn();
    const { auth } = window();
    const told: boolean[] = [];
    const recovered = new Promise<void>((resolve) =>
      auth.onDidChangeStorage((_id, failed) => {
        told.push(failed);
        if (!failed) resolve();
      })
    );
    vault.failWrites = { match: /\/tokens$/, times: 2 };
    const first = await auth.getAccessToken(def);
    assert.equal(first.accessToken, 'at-1');
    assert.equal(JSON.parse(stored() ?? '{}').refreshToken, 'rt-0', 'the vault still holds the spent token');
    // The next refresh spends the new refresh token from memory, not the spent one from the vault.
    const second = await auth.getAccessToken(def, { forceRefresh: true });
    assert.equal(second.accessToken, 'at-2');
    assert.equal(server.revoked, false, 'the spent refresh token was not sent again');
    await recovered;
    assert.equal(JSON.parse(stored() ?? '{}').refreshToken, 'rt-2', 'stored once a write succeeds');
    assert.deepEqual(told, [true, false], 'the user is told once, and when it is saved');
  });

  it('forgets superseded tokens in the redactor: it knows the current access and refresh tokens, not those they replaced', async () => {
    await signedIn();
    const redactor = new SecretRedactor();
    let serial = 0;
    const refreshing: Pick<GrantProvider, 'refresh'> = {
      refresh: async () => {
        serial++;
        return { accessToken: `access-token-${serial}`, expiresAt: Date.now() + 3600_000, refreshToken: `refresh-token-${serial}`, scopes: ['mail'] };
      }
    };
    const auth = new AuthService({
      vault,
      clouds: () => new CloudCatalog(),
      trustedCaCertificates: () => [],
      logger: new TestLogger(),
      redactor,
      providerFor: () => refreshing as GrantProvider
    });
    engines.push(auth);
    for (let i = 0; i < 5; i++) await auth.getAccessToken(def, { forceRefresh: true });
    assert.equal(
      redactor.redact('access-token-1 refresh-token-4 access-token-5 refresh-token-5'),
      'access-token-1 refresh-token-4 [redacted] [redacted]',
      'only the tokens in use are registered'
    );
    assert.equal(redactor.size, 2, 'the set does not grow with each refresh');
  });

  it('reads the cloud catalog at each use (a custom cloud added in the settings counts at once)', async () => {
    let catalog = new CloudCatalog();
    const auth = new AuthService({
      vault,
      clouds: () => catalog,
      trustedCaCertificates: () => [],
      logger: new TestLogger(),
      redactor: new SecretRedactor()
    });
    engines.push(auth);
    const custom = { id: 'contoso-lab', name: 'Lab', authorityHost: 'https://login.lab.test', imapHost: 'imap.lab.test', smtpHost: 'smtp.lab.test' };
    const msDef = { ...def, provider: 'microsoft', cloud: custom.id, tenant: 'contoso.test', clientAuth: 'secretBasic' } as unknown as CredentialDefinition;
    await vault.store(secretKeys(msDef.id).clientSecret, 'secret');
    catalog = new CloudCatalog([custom as never]);
    const { url } = await auth.beginAuthorizationCode(msDef, 'http://127.0.0.1:53682/');
    assert.ok(url.startsWith('https://login.lab.test/contoso.test/'), url);
  });
});
