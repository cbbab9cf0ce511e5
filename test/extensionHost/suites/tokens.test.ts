import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import { AuthService } from '../../../src/auth/authService';
import { secretKeys } from '../../../src/core/secretVault';
import { SecretRedactor } from '../../../src/core/redact';
import { CloudCatalog } from '../../../src/core/clouds';
import { CredentialStore } from '../../../src/credentials/credentialStore';
import { WindowCoherence } from '../../../src/credentials/windowCoherence';
import { credentialState, type CredentialDefinition } from '../../../src/core/model';
import { SANDBOX_ENV, sandboxDescription } from '../../harness/sandboxEnv';
// Only the sign-in helpers: this suite is bundled into the extension host, which starts no sandbox.
import { PageDriver } from '@m365-mail/sandbox/client';
import { SandboxControlClient } from '@m365-mail/sandbox/control';
import { sandboxCredentials } from '../../support/sandboxCredentials';
import { TestLogger } from '../../support/fakes';
import { runnerContext } from './testContext';

/**
 * The auth engine inside a real extension host, its secrets in VS Code's real SecretStorage (the
 * credential store's vault), against the sandbox `npm test` started: rotation across a restart of
 * the engine, one token request for a burst of callers, and a revoked grant turning Expired.
 */
// Needs the sandbox that `npm test` starts; `npm run test:desktop` (VS Code desktop, no sandbox)
// skips this suite and says so in its results.
(process.env[SANDBOX_ENV] ? describe : describe.skip)('tokens in a real extension host (SecretStorage, sandbox authorization server)', () => {
  const context = runnerContext();
  const sandbox = process.env[SANDBOX_ENV] ? sandboxDescription() : (undefined as never);
  const ca = sandbox ? fs.readFileSync(sandbox.caCertPath, 'utf8') : '';
  const clouds = new CloudCatalog(sandbox ? [sandbox.cloud] : []);
  const redactor = new SecretRedactor();
  let store: CredentialStore;
  let def: CredentialDefinition;

  const control = sandbox ? new SandboxControlClient(sandbox) : (undefined as never);
  const tokenRequests = async () => (await control.stats()).total;
  const engine = () =>
    new AuthService({ vault: store.vault, clouds: () => clouds, trustedCaCertificates: () => [ca], logger: new TestLogger({ redactor }), redactor });

  before(async () => {
    await control.reset();
    store = new CredentialStore(
      context.globalState,
      context.secrets,
      () => clouds,
      redactor,
      new TestLogger({ redactor }),
      new WindowCoherence(context.globalStorageUri, context.secrets, new TestLogger({ quiet: true }))
    );
    def = { ...(sandboxCredentials(sandbox).find((d) => d.id === 'sandbox-adele') as CredentialDefinition), id: 'exthost-tokens', name: 'Exthost tokens' };
    await store.save(def);
    const auth = engine();
    const request = await auth.beginAuthorizationCode(def, 'http://127.0.0.1:45679/');
    const landed = await new PageDriver(ca).authorize(request.url, { user: 'adele@contoso.test', redirectPrefix: 'http://127.0.0.1:45679/' });
    assert.ok(landed instanceof URL);
    await request.complete(landed.toString());
    auth.dispose();
  });

  after(async () => {
    await control.reset();
    await store.delete(def.id, async () => undefined);
    store.dispose();
  });

  it('keeps refreshing with rotated refresh tokens across engine restarts, the cache in SecretStorage', async () => {
    await control.setRefreshTokenRotation(true);
    const before = await context.secrets.get(secretKeys(def.id).msalCache);
    assert.ok(before, 'the MSAL cache is in SecretStorage');
    for (let restart = 0; restart < 3; restart++) {
      const auth = engine();
      const token = await auth.getAccessToken(def, { forceRefresh: true });
      assert.ok(token.accessToken.length > 100);
      auth.dispose();
    }
    assert.notEqual(await context.secrets.get(secretKeys(def.id).msalCache), before);
    assert.ok(!JSON.stringify(context.globalState.keys().map((k) => context.globalState.get(k))).includes('eyJ'), 'no token in extension storage');
  });

  it('makes one token request for 50 concurrent callers', async () => {
    await control.setAccessTokenTtl(60);
    const auth = engine();
    // A token that lives one minute is inside the engine's 5-minute margin: every caller wants a new one.
    await auth.getAccessToken(def, { forceRefresh: true });
    const before = await tokenRequests();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => auth.getAccessToken(def)));
    assert.equal((await tokenRequests()) - before, 1);
    assert.equal(new Set(tokens.map((t) => t.accessToken)).size, 1);
    auth.dispose();
  });

  it('turns Expired when the tenant revokes the refresh token', async () => {
    const auth = engine();
    let status = store.status(def.id);
    auth.onDidChangeStatus((_id, s) => (status = s));
    await control.revokeRefreshTokens('adele@contoso.test');
    await assert.rejects(auth.getAccessToken(def, { forceRefresh: true }), /AADSTS70008|revoked/);
    assert.equal(credentialState(def, status), 'expired');
    auth.dispose();
  });
});
