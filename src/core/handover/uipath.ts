/**
 * UiPath Integration Service: the fields of its Microsoft Outlook 365 connection (the UiPath seed)
 * for the authentication type that matches the credential: a certificate → Client Certificate
 * Authentication; client credentials with a secret → OAuth 2.0 Client credentials; a browser
 * sign-in with a secret → Bring your own OAuth 2.0 app. Pure; no `vscode` import.
 */
import * as l10n from '@vscode/l10n';
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

export function uipathConnection(def: CredentialDefinition): HandoverDocument | Unsupported {
  if (def.provider !== 'microsoft') {
    return { kind: 'unsupported', reason: l10n.t('UiPath\'s Outlook 365 connection signs in to Microsoft Entra ID; "{0}" uses a generic provider.', def.name) };
  }
  const type = uipathAuthenticationType(def);
  if (!type) {
    return {
      kind: 'unsupported',
      reason: l10n.t(
        'UiPath\'s Outlook 365 connection needs a client secret or a certificate; "{0}" is a public client ({1}).',
        def.name,
        grantLabel(def.grant)
      )
    };
  }
  const environment = ENVIRONMENTS[def.cloud ?? 'global'];
  const notes: string[] = [];
  const clientId: HandoverField = { label: l10n.t('Client ID'), value: def.clientId, note: l10n.t('Application (client) ID of the app registration') };
  const tenant: HandoverField = {
    label: l10n.t('Tenant ID'),
    value: def.tenant ?? '',
    note: l10n.t('keep "common" for a multi-tenant app')
  };
  const environmentField: HandoverField = {
    label: l10n.t('Environment'),
    value: environment ?? '',
    note: environment ? '' : l10n.t('no UiPath environment for this cloud')
  };
  const account: HandoverField = {
    label: l10n.t('Account'),
    value: mailboxOf(def),
    note: def.sharedMailbox ? l10n.t('the shared mailbox') : l10n.t('user principal name (UPN)')
  };
  let fields: HandoverField[];
  if (type === 'Client Certificate Authentication') {
    fields = [
      clientId,
      {
        label: l10n.t('Password for the certificate'),
        note: l10n.t('the password of the .pfx you make from the certificate and key; M365 Mail never shows it')
      },
      {
        label: l10n.t('OAuth base64 client certificate'),
        note: l10n.t('the .pfx file in Base64 (it holds the private key): export it from your certificate store, M365 Mail never shows the key')
      },
      tenant,
      environmentField,
      account
    ];
  } else if (type === 'OAuth 2.0 Client credentials') {
    fields = [clientId, { label: l10n.t('Client secret'), note: l10n.t("the secret's value, from the app registration; M365 Mail never shows it") }, tenant];
    fields.push({ label: l10n.t('Scopes'), value: MINIMUM_SCOPES[type], note: l10n.t('the minimum UiPath names; add what its activities need') });
  } else {
    fields = [
      clientId,
      { label: l10n.t('Client secret'), note: l10n.t("the secret's value, from the app registration; M365 Mail never shows it") },
      tenant,
      environmentField,
      account
    ];
    notes.push(
      l10n.t(
        "Register UiPath's redirect URI {0} (shown on its connection screen) as a Web redirect URI of the app.",
        'https://{yourDomain}/provisioning_/callback'
      ),
      l10n.t('Grant the app the delegated Microsoft Graph permissions {0}{1}.', MINIMUM_SCOPES[type], def.sharedMailbox ? ' Mail.Read.Shared' : '')
    );
  }
  if (!environment) notes.push(l10n.t("UiPath offers Office 365, US Government L4 / L5 and China only; this credential's cloud is {0}.", def.cloud ?? ''));
  notes.push(l10n.t('The connector works over Microsoft Graph: the app needs Graph permissions, not the Exchange ones IMAP and SMTP use.'));
  return {
    title: l10n.t('UiPath Integration Service: Microsoft Outlook 365 connection for "{0}"', def.name),
    intro: [l10n.t('Integration Service → Connectors → Microsoft Outlook 365 → Connect. Authentication type: {0}.', type)],
    fields: [{ label: l10n.t('Authentication type'), value: type }, ...fields],
    notes
  };
}
