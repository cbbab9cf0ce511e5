import * as assert from 'node:assert/strict';
import { CloudCatalog } from '../../../src/core/clouds';
import { credentialState, renewalWindowMs } from '../../../src/core/model';
import { sandboxCloud } from './fixtures';

describe('credential state', () => {
  const now = Date.parse('2026-11-22T12:00:00Z');
  const auth = { grant: 'authorizationCode' as const, refreshTokenExpiryDays: 90 };

  it('is unauthorized without a status or after sign-out', () => {
    assert.equal(credentialState(auth, undefined, now), 'unauthorized');
    assert.equal(credentialState(auth, {}, now), 'unauthorized');
  });

  it('is authorized with a fresh refresh token, expiring near its end, expired after', () => {
    const status = (left: number) => ({ authorizedAt: now - 1000, refreshTokenExpiresAt: now + left });
    assert.equal(credentialState(auth, status(30 * 86400_000), now), 'authorized');
    assert.equal(credentialState(auth, status(renewalWindowMs(90) - 1), now), 'expiring');
    assert.equal(credentialState(auth, status(-1), now), 'expired');
  });

  it('is expired when the server revoked the grant, failed after another error', () => {
    assert.equal(credentialState(auth, { authorizedAt: now, expired: true }, now), 'expired');
    assert.equal(credentialState(auth, { lastError: { code: 'access_denied', message: 'x', at: now } }, now), 'failed');
  });

  it('scales the expiring window with a short refresh-token life', () => {
    const threeDays = { grant: 'authorizationCode' as const, refreshTokenExpiryDays: 3 };
    assert.equal(credentialState(threeDays, { authorizedAt: now, refreshTokenExpiresAt: now + 2.5 * 86400_000 }, now), 'authorized');
    assert.equal(credentialState(threeDays, { authorizedAt: now, refreshTokenExpiresAt: now + 0.5 * 86400_000 }, now), 'expiring');
  });

  it('never expires for client credentials (no refresh token)', () => {
    assert.equal(
      credentialState({ grant: 'clientCredentials', refreshTokenExpiryDays: 90 }, { authorizedAt: now, refreshTokenExpiresAt: now - 1 }, now),
      'authorized'
    );
  });
});

describe('cloud catalog', () => {
  const clouds = new CloudCatalog([sandboxCloud()]);

  it('prefills scopes per cloud and purpose', () => {
    assert.deepEqual(clouds.defaultScopes('global', 'authorizationCode', 'smtp'), ['https://outlook.office.com/SMTP.Send', 'offline_access']);
    assert.deepEqual(clouds.defaultScopes('usGovHigh', 'authorizationCode', 'imap'), ['https://outlook.office365.us/IMAP.AccessAsUser.All', 'offline_access']);
    assert.deepEqual(clouds.defaultScopes('china', 'clientCredentials', 'both'), ['https://partner.outlook.cn/.default']);
  });

  it('builds authorities, with custom clouds from settings', () => {
    assert.equal(clouds.authority('global', 'contoso.com'), 'https://login.microsoftonline.com/contoso.com');
    assert.equal(clouds.authority('sandbox', undefined), 'https://127.0.0.1:8443/organizations');
    assert.equal(clouds.all().length, 5);
  });

  it('builds the admin-consent URL', () => {
    const url = new URL(clouds.adminConsentUrl('global', 'contoso.com', 'abc', 'http://localhost'));
    assert.equal(url.pathname, '/contoso.com/v2.0/adminconsent');
    assert.equal(url.searchParams.get('client_id'), 'abc');
    assert.equal(url.searchParams.get('scope'), 'https://outlook.office365.com/.default');
  });
});
