import * as assert from 'node:assert/strict';
import { MAX_KNOWN_SECRETS, SecretRedactor } from '../../src/core/redact';

describe('SecretRedactor', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGVsZUBjb250b3NvLnRlc3QifQ.c2lnbmF0dXJlLWJ5dGVz';

  it('removes values it was told about, wherever they appear', () => {
    const r = new SecretRedactor();
    r.add('s3cr3t-Value~42');
    assert.equal(r.redact('secret is s3cr3t-Value~42, again s3cr3t-Value~42'), 'secret is [redacted], again [redacted]');
  });

  it('removes the longer of two overlapping secrets whole', () => {
    const r = new SecretRedactor();
    r.add('abcdef');
    r.add('abcdef-and-more');
    assert.equal(r.redact('x abcdef-and-more y'), 'x [redacted] y');
  });

  it('ignores very short values so normal text survives', () => {
    const r = new SecretRedactor();
    r.add('abc');
    assert.equal(r.redact('abc abc'), 'abc abc');
  });

  it('forgets a deleted value', () => {
    const r = new SecretRedactor();
    r.add('forget-me-please');
    r.delete('forget-me-please');
    assert.equal(r.redact('forget-me-please'), 'forget-me-please');
  });

  it('forgets a replaced value and remembers its successor', () => {
    const r = new SecretRedactor();
    r.add('refresh-token-one');
    r.replace('refresh-token-one', 'refresh-token-two');
    assert.equal(r.redact('refresh-token-one refresh-token-two'), 'refresh-token-one [redacted]');
    r.replace('refresh-token-two', 'refresh-token-two');
    assert.equal(r.redact('refresh-token-two'), '[redacted]', 'a value replaced by itself stays');
  });

  it('keeps at most its bound of values, dropping the oldest first', () => {
    const r = new SecretRedactor(3);
    for (const value of ['secret-1', 'secret-2', 'secret-3', 'secret-4']) r.add(value);
    assert.equal(r.size, 3);
    assert.equal(r.redact('secret-1 secret-2 secret-4'), 'secret-1 [redacted] [redacted]');
  });

  it('keeps a value that is added again as the newest', () => {
    const r = new SecretRedactor(3);
    r.add('client-secret');
    r.add('token-aaaa');
    r.add('token-bbbb');
    r.add('client-secret'); // read again on the next token request
    r.add('token-cccc');
    assert.equal(r.redact('client-secret token-aaaa'), '[redacted] token-aaaa');
  });

  it('has a default bound of a few hundred values', () => {
    const r = new SecretRedactor();
    for (let i = 0; i < MAX_KNOWN_SECRETS + 50; i++) r.add(`secret-value-${i}`);
    assert.equal(r.size, MAX_KNOWN_SECRETS);
    assert.ok(MAX_KNOWN_SECRETS >= 100 && MAX_KNOWN_SECRETS <= 1000);
    assert.equal(r.redact(`secret-value-${MAX_KNOWN_SECRETS + 49}`), '[redacted]');
  });

  it('removes JWTs, bearer headers and SASL XOAUTH2 strings it was not told about', () => {
    const r = new SecretRedactor();
    assert.equal(r.redact(`token ${jwt} end`), 'token [redacted] end');
    assert.equal(r.redact('Authorization: Bearer abc.def-ghi'), 'Authorization: Bearer [redacted]');
    const sasl = Buffer.from('user=adele@contoso.test\x01auth=Bearer xyz\x01\x01').toString('base64');
    assert.equal(r.redact(`C: AUTH XOAUTH2 ${sasl}`), 'C: AUTH XOAUTH2 [redacted]');
  });

  it('removes OAuth parameters in query strings, form bodies and JSON', () => {
    const r = new SecretRedactor();
    assert.equal(r.redact('/cb?code=0.AXoA-abc&state=xyz'), '/cb?code=[redacted]&state=xyz');
    assert.equal(
      r.redact('grant_type=refresh_token&refresh_token=1.AbC_d&client_secret=Zz~9'),
      'grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]'
    );
    assert.equal(r.redact('{"access_token":"opaque-123","expires_in":3599}'), '{"access_token":"[redacted]","expires_in":3599}');
  });

  it('leaves ordinary log text alone', () => {
    const r = new SecretRedactor();
    const text = '[auth] token for adele@contoso.test expires at 2026-11-23T10:00:00Z (scope IMAP.AccessAsUser.All)';
    assert.equal(r.redact(text), text);
  });
});
