import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { AuthService } from '../../../src/auth/authService';
import { SecretRedactor } from '../../../src/core/redact';
import { CloudCatalog, GENERIC_PRESETS } from '../../../src/core/clouds';
import type { CredentialDefinition } from '../../../src/core/model';
import { validateDefinition } from '../../../src/core/validation';
import { TestLogger } from '../../support/fakes';

/**
 * Google's rules for mail over OAuth2: it rejects the `offline_access` scope and issues refresh
 * tokens for `access_type=offline` (with `prompt=consent` to get one on every consent), and it
 * names itself in the authorization response (`iss`, RFC 9207).
 */
describe('Gmail through the generic provider', () => {
  const { label: _label, ...preset } = GENERIC_PRESETS.gmail;
  const gmail: CredentialDefinition = {
    ...structuredClone(preset),
    id: 'gmail',
    name: 'Gmail',
    provider: 'generic',
    clientId: '1234567890-abc.apps.googleusercontent.com',
    clientAuth: 'secretPost',
    grant: 'authorizationCode',
    userName: 'adele@example.com',
    purpose: 'both',
    scopes: [...preset.scopes],
    refreshTokenExpiryDays: 90,
    redirectUri: 'http://127.0.0.1',
    imap: { ...preset.imap },
    smtp: { ...preset.smtp }
  };
  const memory = new Map<string, string>();
  const deps = {
    vault: {
      get: async (k: string) => memory.get(k),
      store: async (k: string, v: string) => void memory.set(k, v),
      delete: async (k: string) => void memory.delete(k)
    },
    clouds: () => new CloudCatalog(),
    trustedCaCertificates: () => [],
    logger: new TestLogger({ quiet: true }),
    redactor: new SecretRedactor()
  };
  const auth = new AuthService(deps);

  it('is a valid definition as the preset fills it', () => {
    assert.deepEqual(validateDefinition(gmail, new CloudCatalog()), []);
  });

  it('asks for a refresh token with access_type=offline and never sends offline_access', async () => {
    const { url, state } = await auth.beginAuthorizationCode(gmail, 'http://127.0.0.1:53682/');
    const request = new URL(url);
    assert.equal(request.origin + request.pathname, 'https://accounts.google.com/o/oauth2/v2/auth');
    assert.equal(request.searchParams.get('access_type'), 'offline');
    assert.equal(request.searchParams.get('prompt'), 'consent');
    assert.equal(request.searchParams.get('scope'), 'https://mail.google.com/');
    assert.doesNotMatch(url, /offline_access/);
    assert.equal(request.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(request.searchParams.get('state'), state);
    assert.equal(request.searchParams.get('redirect_uri'), 'http://127.0.0.1:53682/');
  });

  it('never lets extra parameters override or add to the protocol parameters, even on a definition saved unvalidated', async () => {
    const forged: CredentialDefinition = {
      ...gmail,
      extraAuthorizationParameters: {
        access_type: 'offline',
        code_challenge_method: 'plain',
        redirect_uri: 'https://evil.example/cb',
        State: 'forged',
        response_mode: 'form_post',
        request_uri: 'https://evil.example/req'
      }
    };
    const { url, state } = await auth.beginAuthorizationCode(forged, 'http://127.0.0.1:53682/');
    const request = new URL(url);
    assert.equal(request.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(request.searchParams.get('redirect_uri'), 'http://127.0.0.1:53682/');
    assert.equal(request.searchParams.get('state'), state);
    assert.deepEqual(
      ['State', 'response_mode', 'request_uri'].filter((name) => request.searchParams.has(name)),
      []
    );
    assert.equal(request.searchParams.get('access_type'), 'offline');
  });

  it('registers the PKCE verifier with the redactor when the sign-in starts', async () => {
    const added: string[] = [];
    const redactor = new (class extends SecretRedactor {
      override add(value: string | undefined): void {
        if (value) added.push(value);
        super.add(value);
      }
    })();
    const recorded = new AuthService({ ...deps, redactor });
    const { url } = await recorded.beginAuthorizationCode(gmail, 'http://127.0.0.1:53682/');
    const challenge = new URL(url).searchParams.get('code_challenge');
    // S256: the challenge is BASE64URL(SHA-256(verifier)), RFC 7636 section 4.2.
    const verifier = added.find((value) => createHash('sha256').update(value).digest('base64url') === challenge);
    assert.ok(verifier, 'the verifier of this request was registered');
    assert.equal(redactor.redact(`code_verifier is ${verifier}`), 'code_verifier is [redacted]');
  });

  it('refuses an authorization response that names another issuer (mix-up defence)', async () => {
    const { state, complete } = await auth.beginAuthorizationCode(gmail, 'http://127.0.0.1:53682/');
    await assert.rejects(complete(`http://127.0.0.1:53682/?code=abc&state=${state}&iss=${encodeURIComponent('https://evil.example')}`), /issuer|iss/i);
  });
});
