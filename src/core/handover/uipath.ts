/**
 * UiPath Integration Service: the fields of its Microsoft Outlook 365 connection (the UiPath seed)
 * for the authentication type that matches the credential: a certificate → Client Certificate
 * Authentication; client credentials with a secret → OAuth 2.0 Client credentials; a browser
 * sign-in with a secret → Bring your own OAuth 2.0 app. Pure; no `vscode` import.
 */
import type { Translate } from '../format';
import { mailboxOf, type CredentialDefinition } from '../model';
import { grantLabel, type HandoverDocument, type HandoverField, type Unsupported } from './fields';
import { usesClientSecret } from './oauthSettings';

export type UiPathAuthenticationType = 'Client Certificate Authentication' | 'OAuth 2.0 Client credentials' | 'Bring your own OAuth 2.0 app';

/** The connection form's Environment choices for the built-in clouds (the seed's list). */
const ENVIRONMENTS: Record<string, string> = {
  global: 'Office 365 (default)',
  usGovHigh: 'US Government L4 - Public Sector domain',
  usGovDoD: 'US Government L5 - Public Sector domain',
  china: 'China'
};

/** The seed's minimum scopes to create a connection, per authentication type. */
const MINIMUM_SCOPES: Record<UiPathAuthenticationType, string> = {
  'Client Certificate Authentication': 'Mail.Read User.Read',
  'OAuth 2.0 Client credentials': 'Mail.Read User.Read.All',
  'Bring your own OAuth 2.0 app': 'openid offline_access Mail.Read'
};

export function uipathAuthenticationType(def: CredentialDefinition): UiPathAuthenticationType | undefined {
  if (def.provider !== 'microsoft') return undefined;
  if (def.clientAuth === 'certificate') return 'Client Certificate Authentication';
  if (!usesClientSecret(def)) return undefined;
  if (def.grant === 'clientCredentials') return 'OAuth 2.0 Client credentials';
  if (def.grant === 'authorizationCode') return 'Bring your own OAuth 2.0 app';
  return undefined;
}

export function uipathConnection(def: CredentialDefinition, t: Translate): HandoverDocument | Unsupported {
  if (def.provider !== 'microsoft') {
    return { kind: 'unsupported', reason: t('UiPath\'s Outlook 365 connection signs in to Microsoft Entra ID; "{0}" uses a generic provider.', def.name) };
  }
  const type = uipathAuthenticationType(def);
  if (!type) {
    return {
      kind: 'unsupported',
      reason: t('UiPath\'s Outlook 365 connection needs a client secret or a certificate; "{0}" is a public client ({1}).', def.name, grantLabel(def.grant, t))
    };
  }
  const environment = ENVIRONMENTS[def.cloud ?? 'global'];
  const notes: string[] = [];
  const clientId: HandoverField = { label: t('Client ID'), value: def.clientId, note: t('Application (client) ID of the app registration') };
  const tenant: HandoverField = {
    label: t('Tenant ID'),
    value: def.tenant ?? '',
    note: t('keep "common" for a multi-tenant app')
  };
  const environmentField: HandoverField = {
    label: t('Environment'),
    value: environment ?? '',
    note: environment ? '' : t('no UiPath environment for this cloud')
  };
  const account: HandoverField = {
    label: t('Account'),
    value: mailboxOf(def),
    note: def.sharedMailbox ? t('the shared mailbox') : t('user principal name (UPN)')
  };
  let fields: HandoverField[];
  if (type === 'Client Certificate Authentication') {
    fields = [
      clientId,
      { label: t('Password for the certificate'), note: t('the password of the .pfx you make from the certificate and key; M365 Mail never shows it') },
      {
        label: t('OAuth base64 client certificate'),
        note: t('the .pfx file in Base64 (it holds the private key): export it from your certificate store, M365 Mail never shows the key')
      },
      tenant,
      environmentField,
      account
    ];
  } else if (type === 'OAuth 2.0 Client credentials') {
    fields = [clientId, { label: t('Client secret'), note: t("the secret's value, from the app registration; M365 Mail never shows it") }, tenant];
    fields.push({ label: t('Scopes'), value: MINIMUM_SCOPES[type], note: t('the minimum UiPath names; add what its activities need') });
  } else {
    fields = [
      clientId,
      { label: t('Client secret'), note: t("the secret's value, from the app registration; M365 Mail never shows it") },
      tenant,
      environmentField,
      account
    ];
    notes.push(
      t("Register UiPath's redirect URI {0} (shown on its connection screen) as a Web redirect URI of the app.", 'https://{yourDomain}/provisioning_/callback'),
      t('Grant the app the delegated Microsoft Graph permissions {0}{1}.', MINIMUM_SCOPES[type], def.sharedMailbox ? ' Mail.Read.Shared' : '')
    );
  }
  if (!environment) notes.push(t("UiPath offers Office 365, US Government L4 / L5 and China only; this credential's cloud is {0}.", def.cloud ?? ''));
  notes.push(t('The connector works over Microsoft Graph: the app needs Graph permissions, not the Exchange ones IMAP and SMTP use.'));
  return {
    title: t('UiPath Integration Service: Microsoft Outlook 365 connection for "{0}"', def.name),
    intro: [t('Integration Service → Connectors → Microsoft Outlook 365 → Connect. Authentication type: {0}.', type)],
    fields: [{ label: t('Authentication type'), value: type }, ...fields],
    notes
  };
}
