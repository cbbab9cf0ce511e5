import * as assert from 'node:assert/strict';
import { DEVICE_CODE_LIMITS, verificationUriProblem, vetDeviceAuthorization } from '../../../src/core/deviceCode';

/** A device authorization reply (RFC 8628 section 3.2) is server input: checked before it is opened or shown. */
describe('device authorization replies', () => {
  const good = { verificationUri: 'https://microsoft.com/devicelogin', interval: 5, expiresIn: 900 };

  it('accepts an https verification page and keeps sane timing as sent', () => {
    assert.deepEqual(vetDeviceAuthorization({ ...good, verificationUriComplete: 'https://microsoft.com/devicelogin?code=ABC' }), {
      verificationUri: 'https://microsoft.com/devicelogin',
      verificationUriComplete: 'https://microsoft.com/devicelogin?code=ABC',
      intervalSeconds: 5,
      expiresInSeconds: 900
    });
  });

  it('accepts plain http only on a loopback host (the sandbox)', () => {
    for (const uri of ['http://127.0.0.1:4000/device', 'http://localhost:4000/device', 'http://[::1]:4000/device']) {
      assert.equal(verificationUriProblem(uri, 'verification_uri'), undefined, uri);
    }
  });

  for (const [what, reply] of [
    ['a plain http page on another host', { ...good, verificationUri: 'http://evil.example/device' }],
    ['a javascript: URL', { ...good, verificationUri: 'javascript:alert(1)' }],
    ['a file: URL', { ...good, verificationUri: 'file:///etc/passwd' }],
    ['a command URI', { ...good, verificationUri: 'vscode://vscode.git/clone?url=x' }],
    ['no verification page', { ...good, verificationUri: undefined }],
    ['something that is not a URL', { ...good, verificationUri: 'not a url' }],
    ['a good page with a bad complete one', { ...good, verificationUriComplete: 'http://evil.example/device?code=A' }]
  ] as const) {
    it(`refuses ${what}`, () => {
      const vetted = vetDeviceAuthorization(reply);
      assert.ok('problem' in vetted, JSON.stringify(vetted));
    });
  }

  it('clamps the poll interval to 1–60 s and defaults it to 5 s', () => {
    const interval = (value: unknown) => {
      const vetted = vetDeviceAuthorization({ ...good, interval: value });
      assert.ok(!('problem' in vetted));
      return vetted.intervalSeconds;
    };
    assert.equal(interval(0), DEVICE_CODE_LIMITS.minIntervalSeconds);
    assert.equal(interval(-3), 1);
    assert.equal(interval(3600), 60);
    assert.equal(interval(undefined), 5);
    assert.equal(interval('5'), 5);
    assert.equal(interval(Number.NaN), 5);
    assert.equal(interval(7), 7);
  });

  it('clamps the code lifetime to at most 30 minutes', () => {
    const expires = (value: unknown) => {
      const vetted = vetDeviceAuthorization({ ...good, expiresIn: value });
      assert.ok(!('problem' in vetted));
      return vetted.expiresInSeconds;
    };
    assert.equal(expires(86_400), 1800);
    assert.equal(expires(Number.POSITIVE_INFINITY), 900);
    assert.equal(expires(600), 600);
    assert.equal(expires(0), 1);
  });
});
