import * as assert from 'node:assert/strict';
import { buildAppRegistration, formatAppRegistration, permissionsFor } from '../../../src/core/appRegistration';
import { PERMISSIONS } from '../../../src/core/appRegistrationIds';
import { CloudCatalog } from '../../../src/core/clouds';
import { buildImportReview } from '../../../src/core/importReview';
import type { CredentialDefinition } from '../../../src/core/model';
import { MICROSOFT_PRESETS, microsoftPresetOf, presetLabel, presetProblems, presetRefusal, presetRules } from '../../../src/core/presets';
import { classifyDestination } from '../../../src/core/tokenDestinations';
import { validateDefinition } from '../../../src/core/validation';
import { sandboxCloud, validDefinition } from '../credentials/fixtures';
import { useEnglish, useGuillemetLanguage } from '../displayLanguage';

const clouds = new CloudCatalog([sandboxCloud()]);
const input = {
  redirectUris: ['http://localhost'],
  adminConsentUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent?client_id=x'
};

/** What the guided flow saves for a personal account: tenant consumers, Outlook.com's servers, the global cloud's delegated scopes. */
function personal(overrides: Partial<CredentialDefinition> = {}): CredentialDefinition {
  return validDefinition({
    name: 'Outlook.com',
    tenant: 'consumers',
    userName: 'adele@outlook.com',
    clientAuth: 'none',
    scopes: new CloudCatalog().defaultScopes('global', 'authorizationCode', 'both'),
    imap: { ...MICROSOFT_PRESETS.personal.imap },
    smtp: { ...MICROSOFT_PRESETS.personal.smtp },
    ...overrides
  });
}

/** An app-only High Volume Email sender. */
function hve(overrides: Partial<CredentialDefinition> = {}): CredentialDefinition {
  return validDefinition({
    name: 'Bulk notices',
    userName: 'notices-hve@contoso.com',
    grant: 'clientCredentials',
    purpose: 'smtp',
    scopes: ['https://outlook.office365.com/.default'],
    imap: { ...MICROSOFT_PRESETS.hve.imap },
    smtp: { ...MICROSOFT_PRESETS.hve.smtp },
    ...overrides
  });
}

describe('presets: personal Microsoft accounts and High Volume Email', () => {
  describe('which preset a definition follows', () => {
    it('reads it from the tenant (consumers) and the SMTP host, whatever their case', () => {
      assert.equal(microsoftPresetOf(personal())?.id, 'personal');
      assert.equal(microsoftPresetOf(personal({ tenant: ' Consumers ' }))?.id, 'personal');
      assert.equal(microsoftPresetOf(hve())?.id, 'hve');
      assert.equal(microsoftPresetOf(hve({ smtp: { host: 'SMTP-HVE.office365.com.', port: 587, security: 'starttls' } }))?.id, 'hve');
      assert.equal(microsoftPresetOf(validDefinition()), undefined);
      assert.equal(microsoftPresetOf(validDefinition({ tenant: 'common' })), undefined);
      assert.equal(microsoftPresetOf(validDefinition({ smtp: { host: 'smtp-hve.office365.com.evil.net', port: 587, security: 'starttls' } })), undefined);
      assert.equal(microsoftPresetOf({ ...personal(), provider: 'generic' }), undefined, 'only Microsoft credentials have presets');
    });

    it("prefills the servers of Microsoft Support's Outlook.com page and the HVE endpoint", () => {
      assert.deepEqual(MICROSOFT_PRESETS.personal.imap, { host: 'outlook.office365.com', port: 993, security: 'tls' });
      assert.deepEqual(MICROSOFT_PRESETS.personal.smtp, { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' });
      assert.equal(MICROSOFT_PRESETS.personal.tenant, 'consumers');
      assert.deepEqual(MICROSOFT_PRESETS.hve.smtp, { host: 'smtp.hve.mx.microsoft', port: 587, security: 'starttls' }, 'the endpoint Microsoft recommends');
      assert.equal(MICROSOFT_PRESETS.hve.purpose, 'smtp');
      assert.deepEqual(personal().scopes, ['https://outlook.office.com/IMAP.AccessAsUser.All', 'https://outlook.office.com/SMTP.Send', 'offline_access']);
    });
  });

  describe('validation', () => {
    it('accepts a personal account signing in with authorization code or device code', () => {
      assert.deepEqual(validateDefinition(personal(), clouds), []);
      assert.deepEqual(validateDefinition(personal({ grant: 'deviceCode' }), clouds), []);
      assert.deepEqual(
        validateDefinition(
          personal({
            sendTransport: 'graph',
            readTransport: 'graph',
            scopes: [
              'https://graph.microsoft.com/Mail.Read',
              'https://graph.microsoft.com/Mail.Send',
              'https://graph.microsoft.com/User.Read',
              'offline_access'
            ]
          }),
          clouds
        ),
        []
      );
    });

    it('refuses what Microsoft does not allow personal accounts: app-only, a shared mailbox, another cloud, HVE', () => {
      const appOnly = validateDefinition(
        personal({ grant: 'clientCredentials', clientAuth: 'secretPost', scopes: ['https://outlook.office365.com/.default'] }),
        clouds
      );
      assert.deepEqual(appOnly, [
        'Microsoft does not allow client credentials (app-only access, over IMAP/SMTP or Microsoft Graph) for personal Microsoft accounts: use the authorization code or device code grant.'
      ]);
      const graphAppOnly = validateDefinition(
        personal({
          grant: 'clientCredentials',
          clientAuth: 'secretPost',
          sendTransport: 'graph',
          readTransport: 'graph',
          scopes: ['https://graph.microsoft.com/.default']
        }),
        clouds
      );
      assert.match(graphAppOnly.join('\n'), /does not allow client credentials .*Microsoft Graph/);
      assert.deepEqual(validateDefinition(personal({ sharedMailbox: 'team@outlook.com' }), clouds), [
        'Personal Microsoft accounts cannot open a shared mailbox as a delegate: leave the shared mailbox empty.'
      ]);
      assert.ok(
        validateDefinition(
          personal({ cloud: 'usGovHigh', scopes: ['https://outlook.office365.us/SMTP.Send', 'offline_access'], purpose: 'smtp' }),
          clouds
        ).includes('Personal Microsoft accounts (tenant consumers) exist only in the global cloud.')
      );
      assert.ok(
        validateDefinition(
          personal({ purpose: 'smtp', scopes: ['https://outlook.office.com/SMTP.Send', 'offline_access'], smtp: { ...MICROSOFT_PRESETS.hve.smtp } }),
          clouds
        ).includes('High Volume Email is a Microsoft 365 organization service: a personal Microsoft account (tenant consumers) cannot use it.')
      );
    });

    it('accepts High Volume Email app-only and delegated, sending over SMTP', () => {
      assert.deepEqual(validateDefinition(hve(), clouds), []);
      assert.deepEqual(validateDefinition(hve({ grant: 'authorizationCode', scopes: ['https://outlook.office.com/SMTP.Send', 'offline_access'] }), clouds), []);
    });

    it('refuses High Volume Email reading, sending over Graph, or outside the global cloud', () => {
      assert.deepEqual(validateDefinition(hve({ purpose: 'both', scopes: ['https://outlook.office365.com/.default'] }), clouds), [
        'High Volume Email is send-only: it has no IMAP. Choose "SMTP only".'
      ]);
      assert.ok(
        validateDefinition(hve({ sendTransport: 'graph', scopes: ['https://graph.microsoft.com/.default'] }), clouds).includes(
          'High Volume Email is reached over SMTP only, not Microsoft Graph.'
        )
      );
      assert.ok(
        validateDefinition(hve({ cloud: 'china', scopes: ['https://partner.outlook.cn/.default'] }), clouds).includes(
          'High Volume Email (smtp.hve.mx.microsoft) is in the global cloud only.'
        )
      );
    });

    it('says nothing about ordinary definitions', () => {
      assert.deepEqual(presetProblems(validDefinition({ grant: 'clientCredentials', sharedMailbox: undefined })), []);
      assert.deepEqual(presetProblems(validDefinition({ sharedMailbox: 'team@contoso.com' })), []);
    });

    it('speaks the display language in its messages', () => {
      useGuillemetLanguage();
      try {
        assert.deepEqual(presetProblems(personal({ sharedMailbox: 'x@outlook.com' })), [
          '«Personal Microsoft accounts cannot open a shared mailbox as a delegate: leave the shared mailbox empty.»'
        ]);
        assert.ok(presetRules('hve').every((rule) => rule.startsWith('«') && rule.endsWith('»')));
        assert.equal(presetLabel('personal'), '«Personal Microsoft account (Outlook.com, Hotmail, Live)»');
      } finally {
        useEnglish();
      }
    });
  });

  describe('where a token may go', () => {
    const kind = (def: CredentialDefinition, host: string, port: number) => classifyDestination(def, clouds, { host, port }).kind;

    it("sends a personal account's token to Outlook.com's servers without a question", () => {
      assert.equal(kind(personal(), 'outlook.office365.com', 993), 'own');
      assert.equal(kind(personal(), 'smtp-mail.outlook.com', 587), 'own');
      assert.equal(kind(personal(), 'SMTP-MAIL.outlook.com.', 587), 'own');
    });

    it('sends an HVE token to either HVE endpoint in the global cloud without a question', () => {
      assert.equal(kind(hve(), 'smtp.hve.mx.microsoft', 587), 'own');
      assert.equal(kind(hve(), 'smtp-hve.office365.com', 587), 'own', 'the endpoint Microsoft will deprecate, still in use');
      assert.equal(kind(validDefinition(), 'smtp-hve.office365.com', 587), 'own', 'a server of the global cloud for any of its credentials');
    });

    it('asks for look-alikes, another port, and the preset hosts in another cloud', () => {
      for (const host of [
        'smtp-mail.outlook.com.evil.net',
        'smtp-mail-outlook.com',
        'smtp-mail.outlook.co',
        'xsmtp-mail.outlook.com',
        'smtp-hve.office365.com.evil.net',
        'smtp-hve-office365.com',
        'smtp-hve.office365.us',
        'smtp-hvе.office365.com'
      ]) {
        assert.equal(kind(personal(), host, 587), 'ask', host);
      }
      assert.equal(kind(personal(), 'smtp-mail.outlook.com', 25), 'ask');
      assert.equal(kind(hve(), 'smtp-hve.office365.com', 465), 'ask');
      const gcc = validDefinition({ cloud: 'usGovHigh' });
      assert.equal(kind(gcc, 'smtp-hve.office365.com', 587), 'ask');
      assert.equal(kind(gcc, 'smtp-mail.outlook.com', 587), 'ask');
    });

    it('lets no custom cloud name preset servers of its own', () => {
      const custom = new CloudCatalog([{ ...sandboxCloud(), presetServers: [{ host: 'relay.evil.example', port: 587, security: 'starttls' }] }]);
      assert.equal(custom.get('sandbox')?.presetServers, undefined);
      const def = validDefinition({ cloud: 'sandbox' });
      assert.equal(classifyDestination(def, custom, { host: 'relay.evil.example', port: 587 }).kind, 'ask');
    });
  });

  describe('refusals where a step does not apply', () => {
    it('refuses admin consent for a personal account and the inbox preview for HVE, saying why', () => {
      assert.equal(
        presetRefusal(personal(), 'adminConsent'),
        'Personal Microsoft accounts have no admin consent: each user consents to the app when signing in.'
      );
      assert.equal(presetRefusal(hve(), 'inboxPreview'), 'High Volume Email is send-only: it has no IMAP and no mailbox to preview.');
      assert.equal(presetRefusal(personal(), 'inboxPreview'), undefined);
      assert.equal(presetRefusal(hve(), 'adminConsent'), undefined, 'app-only HVE needs admin consent');
      assert.equal(presetRefusal(validDefinition(), 'adminConsent'), undefined);
    });

    it('states the rules shown when the preset is chosen', () => {
      const rules = presetRules('personal').join(' ');
      for (const expected of [
        /consumers/,
        /client credentials/,
        /shared mailboxes/,
        /admin consent/,
        /Accounts in any organizational directory and personal Microsoft accounts/
      ]) {
        assert.match(rules, expected);
      }
      const hveRules = presetRules('hve').join(' ');
      for (const expected of [/Send-only/, /no inbox preview/, /Internal recipients only/, /Recipient rate limits/, /Exchange admin center/]) {
        assert.match(hveRules, expected);
      }
    });
  });

  describe('the app registration checklist', () => {
    it('personal account: allows personal accounts, no admin consent, no SMTP AUTH, IMAP turned on in Outlook.com', () => {
      const def = personal();
      const reg = buildAppRegistration(def, input);
      assert.deepEqual(
        reg.items.map((i) => i.anchor),
        ['supported-accounts', 'platform', 'redirect-uris', 'public-client-flows', 'api-permissions', 'imap-access']
      );
      assert.match(reg.items[0]!.text, /Accounts in any organizational directory and personal Microsoft accounts/);
      assert.match(reg.azureCli, /--sign-in-audience AzureADandPersonalMicrosoftAccount/);
      assert.doesNotMatch(reg.azureCli, /admin-consent|AzureADMyOrg/);
      assert.match(reg.powerShell, /-SignInAudience AzureADandPersonalMicrosoftAccount/);
      assert.doesNotMatch(reg.powerShell, /adminconsent|Set-CASMailbox|Connect-ExchangeOnline/);
      assert.match(formatAppRegistration(def, reg), /<a id="supported-accounts"><\/a>/);
    });

    it('personal account sending only: no IMAP item', () => {
      const reg = buildAppRegistration(personal({ purpose: 'smtp', scopes: ['https://outlook.office.com/SMTP.Send', 'offline_access'] }), input);
      assert.ok(!reg.items.some((i) => i.anchor === 'imap-access' || i.anchor === 'smtp-auth'));
    });

    it('HVE app-only: Exchange Online Mail.Send (application), admin consent, the HVE account and its Allowed Apps', () => {
      const def = hve();
      assert.deepEqual(permissionsFor(def), [PERMISSIONS.hveSendApp]);
      const reg = buildAppRegistration(def, input);
      assert.deepEqual(
        reg.items.map((i) => i.anchor),
        ['api-permissions', 'admin-consent', 'hve-account', 'service-principal']
      );
      assert.match(reg.items.find((i) => i.anchor === 'hve-account')!.text, /Exchange admin center/);
      const allowed = reg.items.find((i) => i.anchor === 'service-principal')!;
      assert.equal(allowed.copy, 'Add-HVEAppAccess -Identity "notices-hve@contoso.com" -AppIds "11111111-2222-3333-4444-555555555555"');
      assert.match(reg.powerShell, /Add-HVEAppAccess -Identity "notices-hve@contoso.com"/);
      assert.doesNotMatch(reg.powerShell, /Set-CASMailbox|New-ServicePrincipal|Add-MailboxPermission/);
      assert.match(reg.azureCli, /--sign-in-audience AzureADMyOrg/);
    });

    it('HVE delegated: the HVE account instead of SMTP AUTH for a mailbox', () => {
      const reg = buildAppRegistration(hve({ grant: 'authorizationCode', scopes: ['https://outlook.office.com/SMTP.Send', 'offline_access'] }), input);
      assert.ok(reg.items.some((i) => i.anchor === 'hve-account'));
      assert.ok(!reg.items.some((i) => i.anchor === 'smtp-auth' || i.anchor === 'service-principal'));
    });
  });

  it('names the preset in the import review, its servers as the cloud’s own', () => {
    const review = buildImportReview([personal(), hve()], clouds, { source: 'team.m365mail.json', fromUntrustedWorkspace: false });
    assert.equal(review.foreignServers, 0, review.detail);
    const lines = review.detail.split('\n');
    assert.ok(lines.includes('   Preset: Personal Microsoft account (Outlook.com, Hotmail, Live)'), review.detail);
    assert.ok(lines.includes('   Preset: Microsoft 365 High Volume Email'), review.detail);
    assert.ok(lines.includes('   SMTP: smtp.hve.mx.microsoft:587 (STARTTLS), a server of Global (Microsoft 365, Outlook.com)'), review.detail);
  });
});
