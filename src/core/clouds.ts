/**
 * Microsoft clouds: where to sign in, which scopes mean "mail", and which hosts serve IMAP and SMTP.
 * Hosts are defaults; every credential can edit them. Extra clouds (a sovereign cloud not listed
 * here, or the local sandbox) come from the `m365mail.customClouds` setting. No `vscode` import.
 */
import { M365MailError } from './errors';
import type { CredentialDefinition, MailEndpoint, MailPurpose, MicrosoftCloudId } from './model';

export interface MicrosoftCloud {
  id: MicrosoftCloudId;
  label: string;
  /** Origin of the Entra ID authority, e.g. `https://login.microsoftonline.com`. */
  authorityHost: string;
  /** Resource prefix of delegated Exchange Online scopes, e.g. `https://outlook.office.com/`. */
  scopePrefix: string;
  /** The app-only (client credentials) scope, e.g. `https://outlook.office365.com/.default`. */
  appOnlyScope: string;
  imap: MailEndpoint;
  smtp: MailEndpoint;
}

/**
 * Exchange Online in a cloud: IMAP over implicit TLS on 993 and SMTP with STARTTLS on 587, as in
 * every built-in cloud. The app-only scope is `.default` of the delegated scopes' resource, except
 * in the global cloud, whose app-only resource is outlook.office365.com (not outlook.office.com).
 */
function exchangeOnline(id: MicrosoftCloudId, label: string, authorityHost: string, scopePrefix: string, imapHost: string, smtpHost: string): MicrosoftCloud {
  const appOnlyResource = id === 'global' ? 'https://outlook.office365.com/' : scopePrefix;
  return {
    id,
    label,
    authorityHost,
    scopePrefix,
    appOnlyScope: `${appOnlyResource}.default`,
    imap: { host: imapHost, port: 993, security: 'tls' },
    smtp: { host: smtpHost, port: 587, security: 'starttls' }
  };
}

export const BUILT_IN_CLOUDS: readonly MicrosoftCloud[] = [
  exchangeOnline(
    'global',
    'Global (Microsoft 365, Outlook.com)',
    'https://login.microsoftonline.com',
    'https://outlook.office.com/',
    'outlook.office365.com',
    'smtp.office365.com'
  ),
  exchangeOnline(
    'usGovHigh',
    'US Government GCC High',
    'https://login.microsoftonline.us',
    'https://outlook.office365.us/',
    'outlook.office365.us',
    'smtp.office365.us'
  ),
  // Less documented than the others: check with the tenant's admin, the hosts are editable.
  exchangeOnline(
    'usGovDoD',
    'US Government DoD',
    'https://login.microsoftonline.us',
    'https://outlook.office365.us/',
    'outlook-dod.office365.us',
    'outlook-dod.office365.us'
  ),
  // SMTP is reported both as smtp.partner.outlook.cn and partner.outlook.cn; the former is the default.
  exchangeOnline(
    'china',
    'China (operated by 21Vianet)',
    'https://login.chinacloudapi.cn',
    'https://partner.outlook.cn/',
    'partner.outlook.cn',
    'smtp.partner.outlook.cn'
  )
];

/** Delegated Exchange Online permissions, as scope suffixes after the cloud's prefix. */
const DELEGATED_MAIL_SCOPES = {
  imap: 'IMAP.AccessAsUser.All',
  pop: 'POP.AccessAsUser.All',
  smtp: 'SMTP.Send'
} as const;

/** OpenID Connect and refresh scopes that any Microsoft request may carry. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export class CloudCatalog {
  constructor(private readonly custom: readonly MicrosoftCloud[] = []) {}

  all(): MicrosoftCloud[] {
    return [...BUILT_IN_CLOUDS, ...this.custom.filter((c) => !BUILT_IN_CLOUDS.some((b) => b.id === c.id))];
  }

  get(id: MicrosoftCloudId | undefined): MicrosoftCloud | undefined {
    return this.all().find((c) => c.id === (id ?? 'global'));
  }

  /** Scopes a credential starts with, for a cloud, a grant and a purpose. */
  defaultScopes(cloudId: MicrosoftCloudId, grant: CredentialDefinition['grant'], purpose: MailPurpose): string[] {
    const cloud = this.get(cloudId);
    if (!cloud) return [];
    if (grant === 'clientCredentials') return [cloud.appOnlyScope];
    const mail = purpose === 'both' ? [DELEGATED_MAIL_SCOPES.imap, DELEGATED_MAIL_SCOPES.smtp] : [DELEGATED_MAIL_SCOPES[purpose]];
    return [...mail.map((s) => cloud.scopePrefix + s), 'offline_access'];
  }

  /** Every scope the extension knows to be valid in a cloud; anything else is refused as a typo. */
  knownScopes(cloudId: MicrosoftCloudId): Set<string> {
    const cloud = this.get(cloudId);
    if (!cloud) return new Set(OIDC_SCOPES);
    return new Set([
      ...OIDC_SCOPES,
      ...Object.values(DELEGATED_MAIL_SCOPES).map((s) => cloud.scopePrefix + s),
      cloud.scopePrefix + '.default',
      cloud.appOnlyScope
    ]);
  }

  /**
   * The cloud a credential names, or an error naming the missing one. Never the global cloud in its
   * place: a credential whose custom cloud was removed from the setting would otherwise sign in, and
   * send its tokens, somewhere its definition does not say.
   */
  require(cloudId: MicrosoftCloudId | undefined): MicrosoftCloud {
    const cloud = this.get(cloudId);
    if (!cloud) {
      throw new M365MailError('unknown_cloud', `The Microsoft cloud "${cloudId ?? ''}" is not built in and not in the m365mail.customClouds setting.`, {
        nextStep: 'Add the cloud back to m365mail.customClouds, or edit the credential and choose another cloud.'
      });
    }
    return cloud;
  }

  /** The authority URL MSAL takes: `<authorityHost>/<tenant>`. */
  authority(cloudId: MicrosoftCloudId | undefined, tenant: string | undefined): string {
    const cloud = this.require(cloudId);
    return `${cloud.authorityHost.replace(/\/+$/, '')}/${tenant || 'organizations'}`;
  }

  /** The admin-consent URL for an app in a tenant (Entra v2 `adminconsent` endpoint). */
  adminConsentUrl(cloudId: MicrosoftCloudId | undefined, tenant: string | undefined, clientId: string, redirectUri: string): string {
    const url = new URL(`${this.authority(cloudId, tenant)}/v2.0/adminconsent`);
    const cloud = this.require(cloudId);
    url.searchParams.set('client_id', clientId);
    url.searchParams.set('scope', cloud.appOnlyScope);
    url.searchParams.set('redirect_uri', redirectUri);
    return url.toString();
  }
}

/** Default scopes and hosts for the well-known generic providers. */
export const GENERIC_PRESETS = {
  gmail: {
    label: 'Gmail (Google Workspace)',
    issuer: 'https://accounts.google.com',
    authorizationUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: 'https://oauth2.googleapis.com/token',
    deviceAuthorizationUrl: 'https://oauth2.googleapis.com/device/code',
    // Google rejects `offline_access`; it issues refresh tokens for access_type=offline instead.
    scopes: ['https://mail.google.com/'],
    extraAuthorizationParameters: { access_type: 'offline', prompt: 'consent' },
    imap: { host: 'imap.gmail.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp.gmail.com', port: 587, security: 'starttls' }
  }
} as const satisfies Record<string, Partial<CredentialDefinition> & { label: string }>;
