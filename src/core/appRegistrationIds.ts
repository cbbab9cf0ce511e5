/**
 * The resource and permission IDs an app registration for M365 Mail names. Every ID here is copied
 * from a Microsoft reference page, cited next to it, and pinned by test/unit/core/appRegistration.test.ts.
 * An ID that could not be checked against a Microsoft page is left out (`id` undefined) rather than
 * guessed: the checklist then says to pick the permission by name in the portal. No `vscode` import.
 */

/** Microsoft Graph's application (client) ID, the `resourceAppId` of every Graph permission. */
// https://learn.microsoft.com/graph/permissions-grant-via-msgraph (the Microsoft Graph service principal's appId)
export const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** Office 365 Exchange Online's application ID (the resource of IMAP.AccessAsApp and SMTP.SendAsApp). */
// https://learn.microsoft.com/microsoft-365/enterprise/configure-exchange-server-for-hybrid-modern-authentication (Get-MgServicePrincipal -Filter "AppId eq '…'")
export const EXCHANGE_ONLINE_APP_ID = '00000002-0000-0ff1-ce00-000000000000';

export type PermissionResource = 'graph' | 'exchange';
/** Delegated = a scope (`Scope` in a manifest); application = an app role (`Role`). */
export type PermissionType = 'delegated' | 'application';

export interface PermissionRef {
  name: string;
  resource: PermissionResource;
  type: PermissionType;
  /** Undefined where no Microsoft reference confirmed the ID. */
  id?: string;
}

const graphDelegated = (name: string, id: string): PermissionRef => ({ name, resource: 'graph', type: 'delegated', id });
const graphApplication = (name: string, id: string): PermissionRef => ({ name, resource: 'graph', type: 'application', id });
/** Exchange Online's application permissions: Microsoft publishes no IDs for them (see below). */
const exchangeApplication = (name: string): PermissionRef => ({ name, resource: 'exchange', type: 'application' });

// All Graph IDs below: https://learn.microsoft.com/graph/permissions-reference#all-permissions-and-ids
// ("All permissions and IDs"; source concepts/includes/permissions-ids.md in microsoftgraph/microsoft-graph-docs-contrib).
// The portal lists the delegated IMAP.AccessAsUser.All and SMTP.Send under Microsoft Graph too, and
// that table gives their IDs; tokens for them are still asked with the outlook.office.com prefix.
export const PERMISSIONS = {
  imapDelegated: graphDelegated('IMAP.AccessAsUser.All', '652390e4-393a-48de-9484-05f9b1212954'),
  smtpDelegated: graphDelegated('SMTP.Send', '258f6531-6087-4cc4-bb90-092c5fb3ed3f'),
  offlineAccess: graphDelegated('offline_access', '7427e0e9-2fba-42fe-b0c0-848c9e6a8182'),
  userRead: graphDelegated('User.Read', 'e1fe6dd8-ba31-4d61-89e7-88639da4683d'),
  mailSendDelegated: graphDelegated('Mail.Send', 'e383f46e-2787-4529-855e-0e479a3ffac0'),
  mailSendShared: graphDelegated('Mail.Send.Shared', 'a367ab51-6b49-43bf-a716-a1fb06d2a174'),
  mailReadDelegated: graphDelegated('Mail.Read', '570282fd-fa5c-430d-a7fd-fc8dc98a9dca'),
  mailReadShared: graphDelegated('Mail.Read.Shared', '7b9103a5-4610-446b-9670-80643382c1fa'),
  mailReadWriteDelegated: graphDelegated('Mail.ReadWrite', '024d486e-b451-40bb-833d-3e66d98c5c73'),
  mailReadWriteShared: graphDelegated('Mail.ReadWrite.Shared', '5df07973-7d5d-46ed-9847-1271055cbd51'),
  mailSendApp: graphApplication('Mail.Send', 'b633e1c5-b582-4048-a93e-9f11b44c7e96'),
  mailReadApp: graphApplication('Mail.Read', '810c84a8-4a9e-49e6-bf7d-12d183f40d01'),
  mailReadWriteApp: graphApplication('Mail.ReadWrite', 'e2a3a72e-5f79-4c64-b1b1-878b674786c9'),
  // Office 365 Exchange Online application permissions: Microsoft's IMAP/POP/SMTP OAuth page
  // (https://learn.microsoft.com/exchange/client-developer/legacy-protocols/how-to-authenticate-an-imap-pop-smtp-application-by-using-oauth)
  // names them but publishes no IDs, and no other Microsoft reference was found: left out on purpose.
  imapApp: exchangeApplication('IMAP.AccessAsApp'),
  smtpApp: exchangeApplication('SMTP.SendAsApp'),
  // High Volume Email app-only: Office 365 Exchange Online's application permission Mail.Send ("OAuth
  // authentication for high volume emails for Microsoft 365"); no published ID either.
  hveSendApp: exchangeApplication('Mail.Send')
} as const satisfies Record<string, PermissionRef>;

export function resourceAppIdOf(resource: PermissionResource): string {
  return resource === 'graph' ? MICROSOFT_GRAPH_APP_ID : EXCHANGE_ONLINE_APP_ID;
}
