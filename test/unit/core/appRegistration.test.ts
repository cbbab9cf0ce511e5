import assert from 'node:assert/strict';
import { anchorForFailure, buildAppRegistration, formatAppRegistration, permissionsFor } from '../../../src/core/appRegistration';
import { EXCHANGE_ONLINE_APP_ID, MICROSOFT_GRAPH_APP_ID, PERMISSIONS } from '../../../src/core/appRegistrationIds';
import type { CredentialDefinition } from '../../../src/core/model';
import { validDefinition } from '../credentials/fixtures';

const input = {
  redirectUris: ['http://localhost'],
  adminConsentUrl: 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/adminconsent?client_id=x'
};
const idsOf = (def: CredentialDefinition) =>
  buildAppRegistration(def, input).requiredResourceAccess.flatMap((r) => r.resourceAccess.map((a) => `${r.resourceAppId}:${a.type}:${a.id}`));

describe('app registration', () => {
  it("pins every ID to the value in Microsoft's published references", () => {
    // Microsoft Graph permissions reference, "All permissions and IDs"; resource IDs from Microsoft Learn (see appRegistrationIds.ts).
    assert.equal(MICROSOFT_GRAPH_APP_ID, '00000003-0000-0000-c000-000000000000');
    assert.equal(EXCHANGE_ONLINE_APP_ID, '00000002-0000-0ff1-ce00-000000000000');
    const pinned: Record<string, string | undefined> = Object.fromEntries(Object.entries(PERMISSIONS).map(([k, p]) => [k, (p as { id?: string }).id]));
    assert.deepEqual(pinned, {
      imapDelegated: '652390e4-393a-48de-9484-05f9b1212954',
      smtpDelegated: '258f6531-6087-4cc4-bb90-092c5fb3ed3f',
      offlineAccess: '7427e0e9-2fba-42fe-b0c0-848c9e6a8182',
      userRead: 'e1fe6dd8-ba31-4d61-89e7-88639da4683d',
      mailSendDelegated: 'e383f46e-2787-4529-855e-0e479a3ffac0',
      mailSendShared: 'a367ab51-6b49-43bf-a716-a1fb06d2a174',
      mailReadDelegated: '570282fd-fa5c-430d-a7fd-fc8dc98a9dca',
      mailReadShared: '7b9103a5-4610-446b-9670-80643382c1fa',
      mailReadWriteDelegated: '024d486e-b451-40bb-833d-3e66d98c5c73',
      mailReadWriteShared: '5df07973-7d5d-46ed-9847-1271055cbd51',
      mailSendApp: 'b633e1c5-b582-4048-a93e-9f11b44c7e96',
      mailReadApp: '810c84a8-4a9e-49e6-bf7d-12d183f40d01',
      mailReadWriteApp: 'e2a3a72e-5f79-4c64-b1b1-878b674786c9',
      // Not published by Microsoft with an ID: never guessed.
      imapApp: undefined,
      smtpApp: undefined,
      hveSendApp: undefined
    });
  });

  it('IMAP/SMTP, authorization code, confidential client: Web platform, delegated scopes, SMTP AUTH', () => {
    const def = validDefinition();
    const reg = buildAppRegistration(def, input);
    assert.deepEqual(idsOf(def), [
      `${MICROSOFT_GRAPH_APP_ID}:Scope:652390e4-393a-48de-9484-05f9b1212954`,
      `${MICROSOFT_GRAPH_APP_ID}:Scope:258f6531-6087-4cc4-bb90-092c5fb3ed3f`,
      `${MICROSOFT_GRAPH_APP_ID}:Scope:7427e0e9-2fba-42fe-b0c0-848c9e6a8182`
    ]);
    assert.deepEqual(
      reg.items.map((i) => i.anchor),
      ['platform', 'redirect-uris', 'api-permissions', 'admin-consent', 'smtp-auth']
    );
    assert.equal(reg.items[0].copy, 'Web');
    assert.equal(reg.items[1].copy, 'http://localhost');
    assert.equal(
      reg.items.find((i) => i.anchor === 'smtp-auth')?.copy,
      'Set-CASMailbox -Identity "adele@contoso.com" -SmtpClientAuthenticationDisabled $false'
    );
    assert.equal(reg.items.find((i) => i.anchor === 'admin-consent')?.copy, input.adminConsentUrl);
    assert.match(reg.azureCli, /--web-redirect-uris "http:\/\/localhost"/);
    assert.match(reg.azureCli, /az ad app credential reset --id "\$APP_ID" --append/);
    assert.match(reg.azureCli, /az ad app permission admin-consent --id "\$APP_ID"/);
    assert.doesNotMatch(reg.azureCli, /is-fallback-public-client/);
    // The manifest inside the CLI heredoc is the same JSON, and it parses.
    const heredoc = /<<'EOF'\n([\s\S]*?)\nEOF/.exec(reg.azureCli)?.[1] ?? '';
    assert.deepEqual(JSON.parse(heredoc), reg.requiredResourceAccess);
    assert.match(reg.powerShell, /New-MgApplication .* -Web @\{ RedirectUris = @\("http:\/\/localhost"\) \}/);
    assert.match(reg.powerShell, /Connect-ExchangeOnline\nSet-CASMailbox/);
  });

  it('device code, public client: Mobile and desktop, public client flows, no secret', () => {
    const def = validDefinition({ grant: 'deviceCode', clientAuth: 'none' });
    const reg = buildAppRegistration(def, input);
    assert.deepEqual(
      reg.items.map((i) => i.anchor),
      ['platform', 'public-client-flows', 'api-permissions', 'admin-consent', 'smtp-auth']
    );
    assert.equal(reg.items[0].copy, 'Mobile and desktop applications');
    assert.match(reg.azureCli, /--is-fallback-public-client true/);
    assert.doesNotMatch(reg.azureCli, /credential reset|redirect-uris/);
    assert.match(reg.powerShell, / -IsFallbackPublicClient /);
    assert.doesNotMatch(reg.powerShell, /Add-MgApplicationPassword/);
  });

  it('Graph transport with a shared mailbox and Mail.ReadWrite: .Shared delegated permissions and User.Read', () => {
    const def = validDefinition({
      sendTransport: 'graph',
      readTransport: 'graph',
      sharedMailbox: 'orders@contoso.com',
      scopes: [
        'https://graph.microsoft.com/Mail.Read.Shared',
        'https://graph.microsoft.com/Mail.Send.Shared',
        'https://graph.microsoft.com/Mail.ReadWrite.Shared',
        'offline_access'
      ]
    });
    assert.deepEqual(
      permissionsFor(def).map((p) => p.name),
      ['Mail.Read.Shared', 'Mail.Send.Shared', 'Mail.ReadWrite.Shared', 'User.Read', 'offline_access']
    );
    const reg = buildAppRegistration(def, input);
    assert.equal(
      reg.items.some((i) => i.anchor === 'smtp-auth'),
      false
    );
    assert.equal(reg.withoutId.length, 0);
  });

  it('client credentials over IMAP/SMTP: Exchange app roles left out of the manifest, service principal commands', () => {
    const def = validDefinition({ grant: 'clientCredentials', scopes: ['https://outlook.office365.com/.default'] });
    const reg = buildAppRegistration(def, input);
    assert.deepEqual(reg.requiredResourceAccess, []);
    assert.deepEqual(
      reg.withoutId.map((p) => p.name),
      ['IMAP.AccessAsApp', 'SMTP.SendAsApp']
    );
    assert.deepEqual(
      reg.items.map((i) => i.anchor),
      ['api-permissions', 'admin-consent', 'smtp-auth', 'service-principal']
    );
    const sp = reg.items.find((i) => i.anchor === 'service-principal')?.copy ?? '';
    assert.match(sp, /^New-ServicePrincipal -AppId "11111111-2222-3333-4444-555555555555" -ObjectId "<enterprise-application-object-id>"/m);
    assert.match(sp, /^Add-MailboxPermission -Identity "adele@contoso.com" -User "<enterprise-application-object-id>" -AccessRights FullAccess$/m);
    assert.match(reg.azureCli, /# Add IMAP\.AccessAsApp \(Office 365 Exchange Online\) in the portal/);
    assert.match(reg.powerShell, /# Add SMTP\.SendAsApp/);
    assert.match(formatAppRegistration(def, reg), /add it by name: no ID from a Microsoft reference/);
  });

  it('client credentials over Graph: application roles with their admin consent, RBAC for Applications', () => {
    const def = validDefinition({
      grant: 'clientCredentials',
      sendTransport: 'graph',
      readTransport: 'graph',
      scopes: ['https://graph.microsoft.com/.default']
    });
    const reg = buildAppRegistration(def, input);
    assert.deepEqual(idsOf(def), [
      `${MICROSOFT_GRAPH_APP_ID}:Role:810c84a8-4a9e-49e6-bf7d-12d183f40d01`,
      `${MICROSOFT_GRAPH_APP_ID}:Role:b633e1c5-b582-4048-a93e-9f11b44c7e96`
    ]);
    assert.match(reg.powerShell, /New-MgServicePrincipalAppRoleAssignment .* -AppRoleId "b633e1c5-b582-4048-a93e-9f11b44c7e96"/);
    const sp = reg.items.find((i) => i.anchor === 'service-principal')?.copy ?? '';
    assert.match(sp, /New-ManagementRoleAssignment -App "11111111-2222-3333-4444-555555555555" -Role "Application Mail.Send"/);
    assert.doesNotMatch(sp, /New-ServicePrincipal /);
  });

  it('keeps quotes and expansions out of the scripts', () => {
    const reg = buildAppRegistration(validDefinition({ name: 'x"; rm -rf $HOME `id`' }), input);
    assert.match(reg.azureCli, /--display-name "x; rm -rf HOME id"/);
  });

  it('maps failures to the checklist item that fixes them', () => {
    assert.equal(anchorForFailure('AADSTS65001'), 'admin-consent');
    assert.equal(anchorForFailure('AADSTS90094'), 'admin-consent');
    assert.equal(anchorForFailure('AADSTS7000218'), 'public-client-flows');
    assert.equal(anchorForFailure('smtp.535 5.7.139'), 'smtp-auth');
    assert.equal(anchorForFailure('AADSTS7000215'), undefined);
    assert.equal(anchorForFailure('imap.not_connected', 'clientCredentials'), 'service-principal');
    assert.equal(anchorForFailure('imap.not_connected', 'authorizationCode'), 'api-permissions');
    assert.equal(anchorForFailure('smtp.535 5.7.3', 'clientCredentials'), 'service-principal');
    assert.equal(anchorForFailure('smtp.535 5.7.3', 'authorizationCode'), undefined, 'as a user, 5.7.3 has many causes');
  });

  it('formats one heading and anchor per item', () => {
    const def = validDefinition();
    const md = formatAppRegistration(def, buildAppRegistration(def, input));
    for (const anchor of ['platform', 'redirect-uris', 'api-permissions', 'admin-consent', 'smtp-auth']) assert.match(md, new RegExp(`<a id="${anchor}"></a>`));
    assert.match(md, /```json\n\[/);
  });
});
