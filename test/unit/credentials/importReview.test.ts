import * as assert from 'node:assert/strict';
import { CloudCatalog, GENERIC_PRESETS } from '../../../src/core/clouds';
import { buildImportReview } from '../../../src/core/importReview';
import { validDefinition } from './fixtures';
import { useEnglish, useGuillemetLanguage } from '../displayLanguage';

const clouds = new CloudCatalog();
const trusted = { source: 'team.m365mail.json', fromUntrustedWorkspace: false };

describe('the import review', () => {
  it("lists a Microsoft credential's cloud, tenant, sign-in URL, client and both servers", () => {
    const review = buildImportReview([validDefinition()], clouds, trusted);
    assert.equal(review.message, 'Import 1 credential(s) from team.m365mail.json?');
    assert.equal(review.foreignServers, 0);
    for (const expected of [
      "Every mail server below is its provider's own.",
      '1. Orders mailbox (adele@contoso.com)',
      '   Microsoft cloud: Global (Microsoft 365, Outlook.com)',
      '   Tenant: contoso.onmicrosoft.com',
      '   Sign-in: https://login.microsoftonline.com/contoso.onmicrosoft.com',
      '   Client ID: 11111111-2222-3333-4444-555555555555',
      '   Redirect URI: http://localhost',
      '   IMAP: outlook.office365.com:993 (TLS), a server of Global (Microsoft 365, Outlook.com)',
      '   SMTP: smtp.office365.com:587 (STARTTLS), a server of Global (Microsoft 365, Outlook.com)',
      'Nothing is saved unless you choose Import; then all of them are saved.'
    ]) {
      assert.ok(review.detail.split('\n').includes(expected), `missing line: ${expected}\n${review.detail}`);
    }
    assert.doesNotMatch(review.detail, /⚠|not trusted/);
  });

  it('marks every server that is not the provider’s own, and counts them', () => {
    const tampered = validDefinition({ name: 'Tampered', imap: { host: 'outlook.office365.com.evil.net', port: 993, security: 'tls' } });
    const review = buildImportReview([validDefinition(), tampered], clouds, trusted);
    assert.equal(review.foreignServers, 1);
    assert.equal(review.message, 'Import 2 credential(s) from team.m365mail.json?');
    assert.match(review.detail, /^1 mail server\(s\) below \(marked ⚠\) are not their provider's own/);
    assert.ok(
      review.detail.includes(
        '2. Tampered (adele@contoso.com)\n   Microsoft cloud: Global (Microsoft 365, Outlook.com)\n   Tenant: contoso.onmicrosoft.com\n   Sign-in: https://login.microsoftonline.com/contoso.onmicrosoft.com\n   Client ID: 11111111-2222-3333-4444-555555555555\n   Redirect URI: http://localhost\n   ⚠ IMAP: outlook.office365.com.evil.net:993 (TLS), not a server of Global (Microsoft 365, Outlook.com) (its servers: outlook.office365.com:993, smtp.office365.com:587, smtp-mail.outlook.com:587, smtp.hve.mx.microsoft:587, smtp-hve.office365.com:587, graph.microsoft.com:443)\n   SMTP: smtp.office365.com:587 (STARTTLS), a server of Global (Microsoft 365, Outlook.com)'
      ),
      review.detail
    );
  });

  it("shows a generic credential's every endpoint and extra parameter", () => {
    const def = validDefinition({
      provider: 'generic',
      cloud: undefined,
      tenant: undefined,
      grant: 'deviceCode',
      authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.example.net/token',
      deviceAuthorizationUrl: GENERIC_PRESETS.gmail.deviceAuthorizationUrl,
      issuer: 'https://accounts.google.com',
      extraAuthorizationParameters: { access_type: 'offline' },
      imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
      smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' }
    });
    const review = buildImportReview([def], clouds, trusted);
    const lines = review.detail.split('\n');
    for (const expected of [
      '   Authorization URL: https://accounts.google.com/o/oauth2/v2/auth',
      // Where the code and the secret would go, off the sign-in page's site and not Gmail's own: marked.
      "   ⚠ Token URL: https://oauth2.example.net/token, not on the sign-in page's site: unless the issuer's metadata names it, you are asked before anything is sent there",
      // Gmail's own device endpoint (the preset vouches for it): not marked.
      '   Device authorization URL: https://oauth2.googleapis.com/device/code',
      '   Issuer: https://accounts.google.com',
      '   Extra authorization parameters: access_type=offline',
      // The token URL is not Google's: the definition is not the Gmail preset, and its servers are not the authorization host.
      '   ⚠ IMAP: imap.gmail.com:993 (TLS), not the host of the authorization URL (accounts.google.com)',
      '   ⚠ SMTP: smtp.gmail.com:465 (TLS), not the host of the authorization URL (accounts.google.com)'
    ]) {
      assert.ok(lines.includes(expected), `missing line: ${expected}\n${review.detail}`);
    }
    assert.ok(!lines.some((l) => l.startsWith('   Redirect URI')), 'a device code credential has no redirect');
    assert.equal(review.foreignServers, 2);
    assert.match(review.detail, /^1 token or device endpoint\(s\) below \(marked ⚠\) are not on their sign-in page's site\.$/m);
  });

  it('says so when the file comes from an untrusted workspace', () => {
    const review = buildImportReview([validDefinition()], clouds, { source: 'x.m365mail.json', fromUntrustedWorkspace: true });
    assert.match(review.detail, /^This file is in a workspace you have not trusted \(Restricted Mode\)\./);
  });

  it('speaks the display language in every sentence', () => {
    useGuillemetLanguage();
    let review: ReturnType<typeof buildImportReview>;
    try {
      review = buildImportReview([validDefinition()], clouds, { ...trusted, fromUntrustedWorkspace: true });
    } finally {
      useEnglish();
    }
    assert.match(review.message, /^«Import 1 credential/);
    assert.match(review.detail, /^«This file is in a workspace/);
    assert.match(review.detail, /«Tenant»: contoso/);
    assert.match(review.detail, /«a server of Global/);
  });
});
