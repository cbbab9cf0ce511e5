import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AUTHORIZATION_TIMEOUT_SECONDS, clampAuthorizationTimeoutSeconds } from '../../src/core/model';

/** Settings a workspace could abuse are machine-scoped, and their values are checked when read. */
describe('settings', () => {
  const properties = (
    JSON.parse(readFileSync('package.json', 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { scope?: string; minimum?: number; maximum?: number; default?: unknown }> } };
    }
  ).contributes.configuration.properties;

  it('lets no workspace set custom clouds, trusted CAs or the authorization timeout', () => {
    for (const key of ['m365mail.customClouds', 'm365mail.trustedCaCertificates', 'm365mail.authorizationTimeoutSeconds']) {
      assert.equal(properties[key]?.scope, 'machine', key);
    }
  });

  it('clamps the authorization timeout to 30–3600 s, as package.json declares', () => {
    const declared = properties['m365mail.authorizationTimeoutSeconds'];
    assert.deepEqual(
      { min: declared.minimum, max: declared.maximum, default: declared.default },
      { min: AUTHORIZATION_TIMEOUT_SECONDS.min, max: AUTHORIZATION_TIMEOUT_SECONDS.max, default: AUTHORIZATION_TIMEOUT_SECONDS.default }
    );
    assert.equal(clampAuthorizationTimeoutSeconds(5), 30);
    assert.equal(clampAuthorizationTimeoutSeconds(-1), 30);
    assert.equal(clampAuthorizationTimeoutSeconds(86_400), 3600);
    assert.equal(clampAuthorizationTimeoutSeconds(120), 120);
    assert.equal(clampAuthorizationTimeoutSeconds(90.4), 90);
    assert.equal(clampAuthorizationTimeoutSeconds('600'), 300);
    assert.equal(clampAuthorizationTimeoutSeconds(Number.POSITIVE_INFINITY), 300);
    assert.equal(clampAuthorizationTimeoutSeconds(undefined), 300);
  });
});
