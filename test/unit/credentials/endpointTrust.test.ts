import * as assert from 'node:assert/strict';
import { GENERIC_PRESETS } from '../../../src/core/clouds';
import {
  assessDestinations,
  confirmationsFor,
  pendingConfirmations,
  recordConfirmation,
  sameOrigin,
  type DefinitionEndpoints,
  type IssuerMetadata
} from '../../../src/core/endpointTrust';

const known = Object.values(GENERIC_PRESETS);
const idp: DefinitionEndpoints = {
  issuer: 'https://login.example.com',
  authorizationUrl: 'https://login.example.com/oauth2/authorize',
  tokenUrl: 'https://login.example.com/oauth2/token'
};
const vouch = (def: DefinitionEndpoints, context: { metadata?: IssuerMetadata; confirmedOrigins?: string[] } = {}) =>
  assessDestinations(def, { known, confirmedOrigins: [], ...context }).map((d) => `${d.role}:${d.vouchedBy ?? 'none'}`);

describe('where a generic credential may send its code, secret and tokens', () => {
  it('same site means the same origin: scheme, host and port, after URL normalization', () => {
    const page = 'https://login.example.com/authorize';
    assert.ok(sameOrigin(page, 'https://login.example.com/other/path?x=1'), 'the path and query do not matter');
    assert.ok(sameOrigin(page, 'https://LOGIN.Example.COM:443/token'), 'case and the default port are normalized');
    assert.ok(!sameOrigin(page, 'http://login.example.com/token'), 'http is not https');
    assert.ok(!sameOrigin(page, 'https://login.example.com:8443/token'), 'another port is another server');
    assert.ok(!sameOrigin(page, 'https://login.example.com.evil.test/token'), 'a look-alike host that starts the same');
    assert.ok(!sameOrigin(page, 'https://evil-login.example.com/token'), 'a sibling under the same domain');
    assert.ok(!sameOrigin(page, 'https://example.com/token'), 'the parent domain');
    assert.ok(!sameOrigin(page, 'https://login.example.com@evil.test/token'), 'user info that spells the host');
    assert.ok(!sameOrigin(page, 'https://xn--lgin-pqa.example.com/token'), 'a punycode look-alike');
    assert.ok(!sameOrigin(page, 'https://lоgin.example.com/token'), 'a Cyrillic о, which the parser turns into punycode');
    assert.ok(!sameOrigin('http://127.0.0.1:8080/a', 'http://127.0.0.1:8081/token'), 'another loopback port is another process');
    assert.ok(!sameOrigin('data:text/plain,x', 'data:text/plain,x'), 'opaque origins are never the same');
    assert.ok(!sameOrigin(page, 'not a url'));
  });

  it('vouches for a token endpoint on the sign-in page’s origin, without metadata', () => {
    assert.deepEqual(vouch(idp), ['token:sameSite']);
    assert.deepEqual(vouch({ ...idp, tokenUrl: 'https://login.example.com:8443/oauth2/token' }), ['token:none']);
    assert.deepEqual(vouch({ ...idp, tokenUrl: 'https://tokens.evil.test/oauth2/token' }), ['token:none']);
  });

  it('vouches for the preset’s own endpoints only, with the preset’s issuer', () => {
    const { issuer, authorizationUrl, tokenUrl, deviceAuthorizationUrl } = GENERIC_PRESETS.gmail;
    const gmail = { issuer, authorizationUrl, tokenUrl, deviceAuthorizationUrl };
    assert.deepEqual(vouch(gmail), ['token:preset', 'deviceAuthorization:preset']);
    assert.deepEqual(vouch({ ...gmail, tokenUrl: 'https://oauth2.googleapis.com.evil.test/token' }), ['token:none', 'deviceAuthorization:preset']);
    assert.deepEqual(vouch({ ...gmail, tokenUrl: 'https://oauth2.googleapis.com/other' }), ['token:none', 'deviceAuthorization:preset'], 'the path counts');
    assert.deepEqual(vouch({ ...gmail, issuer: 'https://evil.test' }), ['token:none', 'deviceAuthorization:none'], 'another issuer is not the preset');
  });

  it('vouches for what the issuer’s metadata names, when the issuer is on the sign-in page’s site', () => {
    const def = { ...idp, tokenUrl: 'https://tokens.example.net/token', deviceAuthorizationUrl: 'https://tokens.example.net/device' };
    const metadata: IssuerMetadata = {
      issuer: 'https://login.example.com',
      tokenEndpoint: 'https://tokens.example.net/token',
      deviceAuthorizationEndpoint: 'https://tokens.example.net/device'
    };
    assert.deepEqual(vouch(def, { metadata }), ['token:metadata', 'deviceAuthorization:metadata']);
    assert.deepEqual(vouch({ ...def, tokenUrl: 'https://tokens.example.net/token2' }, { metadata }), ['token:none', 'deviceAuthorization:metadata']);
    assert.deepEqual(vouch({ ...def, tokenUrl: 'http://tokens.example.net/token' }, { metadata }), ['token:none', 'deviceAuthorization:metadata']);
    // A file that names its own issuer next to a genuine sign-in page: the issuer's metadata says what it likes.
    const foreignIssuer = { ...def, issuer: 'https://tokens.example.net' };
    assert.deepEqual(vouch(foreignIssuer, { metadata: { ...metadata, issuer: 'https://tokens.example.net' } }), ['token:none', 'deviceAuthorization:none']);
    assert.deepEqual(vouch(def, { metadata: { ...metadata, issuer: 'https://login.example.com/other' } }), ['token:none', 'deviceAuthorization:none']);
  });

  it('asks once per origin, naming every request that would go there', () => {
    const def = { ...idp, tokenUrl: 'https://tokens.evil.test:8443/token', deviceAuthorizationUrl: 'https://tokens.evil.test:8443/device' };
    const pending = pendingConfirmations('Orders', def, assessDestinations(def, { known, confirmedOrigins: [] }));
    assert.deepEqual(pending, [
      {
        credentialName: 'Orders',
        host: 'tokens.evil.test:8443',
        origin: 'https://tokens.evil.test:8443',
        roles: ['token', 'deviceAuthorization'],
        authorizationHost: 'login.example.com',
        issuer: 'https://login.example.com'
      }
    ]);
  });

  it('remembers a confirmation for the endpoints it was given for, and forgets it when one changes', () => {
    const def = { ...idp, tokenUrl: 'https://tokens.evil.test/token' };
    const stored = recordConfirmation(def, undefined, 'https://tokens.evil.test');
    assert.deepEqual(confirmationsFor(def, stored), ['https://tokens.evil.test']);
    assert.deepEqual(vouch(def, { confirmedOrigins: confirmationsFor(def, stored) }), ['token:confirmed']);
    for (const change of [
      { tokenUrl: 'https://tokens.evil.test/token2' },
      { issuer: 'https://login.example.org' },
      { authorizationUrl: 'https://login.example.com/authorize2' },
      { deviceAuthorizationUrl: 'https://tokens.evil.test/device' }
    ]) {
      assert.deepEqual(confirmationsFor({ ...def, ...change }, stored), [], JSON.stringify(change));
    }
    assert.deepEqual(confirmationsFor(def, 'not json'), []);
    assert.deepEqual(confirmationsFor(def, JSON.stringify({ endpoints: 'x', origins: ['https://tokens.evil.test'] })), []);
    assert.deepEqual(vouch(def, { confirmedOrigins: ['https://tokens.evil.test:444'] }), ['token:none'], 'a confirmation names one origin');
  });
});
