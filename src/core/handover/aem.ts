/**
 * Adobe Experience Manager as a Cloud Service: the two OSGi configurations of its mail service
 * with OAuth2 ("OAuth2 Support for the Mail Service", the AEM seed), with exactly the keys that
 * page names. The client secret and the refresh token are `$[secret:…]` placeholders that Cloud
 * Manager's secret environment variables fill in at run time: no secret is ever in these files.
 * Pure; no `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { CloudCatalog } from '../clouds';
import { mailboxOf, transportsOf, type CredentialDefinition } from '../model';
import { grantLabel, type Unsupported } from './fields';
import { mailServerScopesOf, oauthEndpointsOf, usesClientSecret } from './oauthSettings';

/** The Cloud Manager secret variables the seed names, which the placeholders refer to. */
export const AEM_SECRET_VARIABLES = {
  clientSecret: 'SECRET_SMTP_OAUTH_CLIENT_SECRET',
  refreshToken: 'SECRET_SMTP_OAUTH_REFRESH_TOKEN'
} as const;

export const AEM_OAUTH_FILE = 'com.day.cq.mailer.oauth.impl.OAuthConfigurationProviderImpl.cfg.json';
export const AEM_MAIL_SERVICE_FILE = 'com.day.cq.mailer.impl.DefaultMailService.cfg.json';
/** Where the seed puts both files in the project. */
export const AEM_CONFIG_FOLDER = '/apps/<my-project>/osgiconfig/config';

/** The seed always lists these two with the mail scopes. */
const OIDC_SCOPES = ['openid', 'offline_access'];

export interface OsgiFile {
  fileName: string;
  /** The JSON text, as it goes into the file. */
  text: string;
}

export interface AemConfiguration {
  kind: 'files';
  files: [OsgiFile, OsgiFile];
  /** What to check or do besides saving the files. */
  notes: string[];
}

function placeholder(variable: string): string {
  return `$[secret:${variable}]`;
}

export function aemOsgiFiles(def: CredentialDefinition, clouds: CloudCatalog): AemConfiguration | Unsupported {
  if (def.grant !== 'authorizationCode') {
    return {
      kind: 'unsupported',
      reason: l10n.t(
        'AEM\'s mail service signs in with a refresh token from a browser sign-in (authorization code); "{0}" uses {1}.',
        def.name,
        grantLabel(def.grant)
      )
    };
  }
  if (def.purpose === 'imap') {
    return { kind: 'unsupported', reason: l10n.t('AEM\'s mail service sends over SMTP; "{0}" is for IMAP only.', def.name) };
  }
  const { authorizationUrl, tokenUrl } = oauthEndpointsOf(def, clouds);
  const mailScopes = mailServerScopesOf(def, clouds);
  const scopes = [...OIDC_SCOPES.filter((s) => !mailScopes.includes(s)), ...mailScopes];
  // Key order as in the seed, so the file reads like the documentation.
  const oauth = {
    authUrl: authorizationUrl,
    tokenUrl,
    clientId: def.clientId,
    clientSecret: placeholder(AEM_SECRET_VARIABLES.clientSecret),
    scopes,
    refreshUrl: tokenUrl,
    refreshToken: placeholder(AEM_SECRET_VARIABLES.refreshToken)
  };
  const mailService = {
    'smtp.host': def.smtp.host,
    // The seed: "user account that logged into get the oauth tokens".
    'smtp.user': def.userName ?? mailboxOf(def),
    // The seed's own value: with oauth.flow the password is not used, and no secret belongs here.
    'smtp.password': 'value not used',
    'smtp.port': def.smtp.port,
    'from.address': mailboxOf(def),
    'smtp.ssl': def.smtp.security === 'tls',
    'smtp.starttls': def.smtp.security === 'starttls',
    'smtp.requiretls': true,
    'debug.email': false,
    'oauth.flow': true
  };
  const notes = [
    l10n.t('Save both files under {0} in your AEM project.', AEM_CONFIG_FOLDER),
    l10n.t(
      'Define the Cloud Manager secret variables {0} (the client secret\'s value, from the app registration) and {1} (the refresh token: "Use in… → Adobe Experience Manager: copy the refresh token").',
      AEM_SECRET_VARIABLES.clientSecret,
      AEM_SECRET_VARIABLES.refreshToken
    ),
    l10n.t('Register {0} and {1} as Web redirect URIs, as the AEM documentation asks.', 'http://localhost/', 'http://localhost')
  ];
  if (!usesClientSecret(def)) {
    notes.push(l10n.t('AEM authenticates with a client secret; "{0}" uses {1}. Give the app a client secret for AEM.', def.name, def.clientAuth));
  }
  if (transportsOf(def).send === 'graph') {
    notes.push(l10n.t('"{0}" sends over Microsoft Graph here, but AEM sends over SMTP: SMTP AUTH must be enabled for the mailbox.', def.name));
  }
  if (def.provider === 'microsoft' && !scopes.some((s) => s.endsWith('SMTP.Send'))) {
    notes.push(l10n.t('The scopes have no SMTP.Send: AEM cannot send with them.'));
  }
  if (def.sharedMailbox) {
    notes.push(l10n.t('From address is the shared mailbox {0}; the signed-in user {1} needs Send As on it.', def.sharedMailbox, def.userName ?? ''));
  }
  return {
    kind: 'files',
    files: [
      { fileName: AEM_OAUTH_FILE, text: `${JSON.stringify(oauth, null, 2)}\n` },
      { fileName: AEM_MAIL_SERVICE_FILE, text: `${JSON.stringify(mailService, null, 2)}\n` }
    ],
    notes
  };
}
