/**
 * Microsoft clouds: where to sign in, which scopes mean "mail", and which hosts serve IMAP and SMTP.
 * Hosts are defaults; every credential can edit them. Extra clouds (a sovereign cloud not listed
 * here, or the local sandbox) come from the `m365mail.customClouds` setting. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { M365MailError } from './errors';
import type { CredentialDefinition, MailEndpoint, MailPurpose, MicrosoftCloudId, ReadTransport, SendTransport, TokenResource } from './model';

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
  /**
   * Origin where Microsoft Graph requests go, e.g. `https://graph.microsoft.com` (`/v1.0` is added
   * per request). Every built-in cloud has one; a custom cloud without one cannot use Graph.
   */
  graphEndpoint?: string;
  /** Resource prefix of Graph scopes, e.g. `https://graph.microsoft.com/`; `graphEndpoint + '/'` when a custom cloud leaves it out. */
  graphScopePrefix?: string;
  /**
   * Hosts besides the Graph host where Graph's upload sessions for large attachments may point
   * (Outlook's, which take the file's bytes at a pre-authenticated `uploadUrl`); an `uploadUrl`
   * anywhere else is refused before a byte is sent.
   */
  graphUploadHosts?: readonly string[];
  /**
   * Built-in clouds only: the cloud's other mail servers, those of its presets (src/core/presets.ts):
   * Outlook.com's SMTP and High Volume Email's in the global cloud. A token may go there without a
   * question, as to `imap` and `smtp`.
   */
  presetServers?: readonly MailEndpoint[];
}

/**
 * Exchange Online in a cloud: IMAP over implicit TLS on 993 and SMTP with STARTTLS on 587, as in
 * every built-in cloud. The app-only scope is `.default` of the delegated scopes' resource, except
 * in the global cloud, whose app-only resource is outlook.office365.com (not outlook.office.com).
 */
function exchangeOnline(
  id: MicrosoftCloudId,
  label: string,
  authorityHost: string,
  scopePrefix: string,
  imapHost: string,
  smtpHost: string,
  graphEndpoint: string,
  graphUploadHosts: readonly string[],
  presetServers: readonly MailEndpoint[] = []
): MicrosoftCloud {
  const appOnlyResource = id === 'global' ? 'https://outlook.office365.com/' : scopePrefix;
  return {
    id,
    label,
    authorityHost,
    scopePrefix,
    appOnlyScope: `${appOnlyResource}.default`,
    imap: { host: imapHost, port: 993, security: 'tls' },
    smtp: { host: smtpHost, port: 587, security: 'starttls' },
    graphEndpoint,
    graphScopePrefix: `${graphEndpoint}/`,
    graphUploadHosts,
    ...(presetServers.length ? { presetServers } : {})
  };
}

export const BUILT_IN_CLOUDS: readonly MicrosoftCloud[] = [
  exchangeOnline(
    'global',
    'Global (Microsoft 365, Outlook.com)',
    'https://login.microsoftonline.com',
    'https://outlook.office.com/',
    'outlook.office365.com',
    'smtp.office365.com',
    'https://graph.microsoft.com',
    // Graph's docs show outlook.office.com; upload URLs on outlook.office365.com are seen too.
    ['outlook.office.com', 'outlook.office365.com'],
    // Personal Microsoft accounts send through Outlook.com's SMTP; High Volume Email has its own.
    [
      { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' },
      // HVE: the recommended endpoint and the one Microsoft will deprecate (core/presets.ts).
      { host: 'smtp.hve.mx.microsoft', port: 587, security: 'starttls' },
      { host: 'smtp-hve.office365.com', port: 587, security: 'starttls' }
    ]
  ),
  exchangeOnline(
    'usGovHigh',
    'US Government GCC High',
    'https://login.microsoftonline.us',
    'https://outlook.office365.us/',
    'outlook.office365.us',
    'smtp.office365.us',
    'https://graph.microsoft.us',
    ['outlook.office365.us']
  ),
  // Less documented than the others: check with the tenant's admin, the hosts are editable.
  exchangeOnline(
    'usGovDoD',
    'US Government DoD',
    'https://login.microsoftonline.us',
    'https://outlook.office365.us/',
    'outlook-dod.office365.us',
    'outlook-dod.office365.us',
    'https://dod-graph.microsoft.us',
    ['outlook-dod.office365.us']
  ),
  // SMTP is reported both as smtp.partner.outlook.cn and partner.outlook.cn; the former is the default.
  exchangeOnline(
    'china',
    'China (operated by 21Vianet)',
    'https://login.chinacloudapi.cn',
    'https://partner.outlook.cn/',
    'partner.outlook.cn',
    'smtp.partner.outlook.cn',
    'https://microsoftgraph.chinacloudapi.cn',
    ['partner.outlook.cn']
  )
];

/** Delegated Exchange Online permissions, as scope suffixes after the cloud's prefix. */
const DELEGATED_MAIL_SCOPES = {
  imap: 'IMAP.AccessAsUser.All',
  pop: 'POP.AccessAsUser.All',
  smtp: 'SMTP.Send'
} as const;

/** Delegated Microsoft Graph permissions, as scope suffixes after the cloud's Graph prefix. */
const DELEGATED_GRAPH_SCOPES = {
  send: 'Mail.Send',
  read: 'Mail.Read',
  sendShared: 'Mail.Send.Shared',
  readShared: 'Mail.Read.Shared',
  // Only where a large message needs a draft and an upload session: never prefilled, asked for by
  // the large-send error (mail/graph/graphLargeSend.ts).
  readWrite: 'Mail.ReadWrite',
  readWriteShared: 'Mail.ReadWrite.Shared',
  user: 'User.Read'
} as const;

/** An `https://` origin (no path, query or fragment), as `graphEndpoint` must be: a token is sent there. */
export function isHttpsOrigin(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.origin === value.replace(/\/+$/, '') && !value.includes('@');
  } catch {
    return false;
  }
}

/** A bare DNS host name (no scheme, port, path or user), as `graphUploadHosts` entries must be. */
function isHostName(value: unknown): value is string {
  return typeof value === 'string' && /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(value);
}

/**
 * A `m365mail.customClouds` entry as used: its Graph endpoint only when it is an https origin
 * (without trailing slash), the Graph scope prefix defaulted from it, and only the upload hosts that
 * are host names. An invalid endpoint leaves the cloud without Graph rather than sending a token
 * somewhere unexpected.
 */
export function normalizeCustomCloud(cloud: MicrosoftCloud): MicrosoftCloud {
  // presetServers is left out: only a built-in cloud names servers beyond its own IMAP and SMTP.
  const { graphEndpoint, graphScopePrefix, graphUploadHosts, presetServers: _presetServers, ...rest } = cloud;
  if (!isHttpsOrigin(graphEndpoint)) return rest;
  const endpoint = graphEndpoint.replace(/\/+$/, '');
  const prefix = typeof graphScopePrefix === 'string' && /^https:\/\/[^\s]+\/$/.test(graphScopePrefix) ? graphScopePrefix : `${endpoint}/`;
  const uploadHosts = Array.isArray(graphUploadHosts) ? graphUploadHosts.filter(isHostName).map((h) => h.toLowerCase()) : [];
  return { ...rest, graphEndpoint: endpoint, graphScopePrefix: prefix, graphUploadHosts: uploadHosts };
}

/** What a credential's default scopes depend on besides cloud, grant and purpose. */
export interface ScopeOptions {
  send?: SendTransport;
  read?: ReadTransport;
  /** A shared mailbox is opened: Graph needs the `.Shared` permissions. */
  sharedMailbox?: boolean;
}

/** OpenID Connect and refresh scopes that any Microsoft request may carry. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export class CloudCatalog {
  private readonly custom: readonly MicrosoftCloud[];

  constructor(custom: readonly MicrosoftCloud[] = []) {
    this.custom = custom.map(normalizeCustomCloud);
  }

  all(): MicrosoftCloud[] {
    return [...BUILT_IN_CLOUDS, ...this.custom.filter((c) => !BUILT_IN_CLOUDS.some((b) => b.id === c.id))];
  }

  get(id: MicrosoftCloudId | undefined): MicrosoftCloud | undefined {
    return this.all().find((c) => c.id === (id ?? 'global'));
  }

  /**
   * Scopes a credential starts with, for a cloud, a grant, a purpose and its transports. Reading
   * comes first, then sending, as the first resource named is the one the sign-in asks for. App-only:
   * one `.default` per resource used.
   */
  defaultScopes(cloudId: MicrosoftCloudId, grant: CredentialDefinition['grant'], purpose: MailPurpose, options: ScopeOptions = {}): string[] {
    const cloud = this.get(cloudId);
    if (!cloud) return [];
    const reads = purpose !== 'smtp';
    const sends = purpose !== 'imap';
    const graph = cloud.graphScopePrefix ?? '';
    const readOverGraph = reads && options.read === 'graph';
    const sendOverGraph = sends && options.send === 'graph';
    if (grant === 'clientCredentials') {
      const appOnly = [
        ...(reads ? [readOverGraph ? `${graph}.default` : cloud.appOnlyScope] : []),
        ...(sends ? [sendOverGraph ? `${graph}.default` : cloud.appOnlyScope] : [])
      ];
      return [...new Set(appOnly)];
    }
    const shared = options.sharedMailbox === true;
    const scopes: string[] = [];
    if (reads) {
      scopes.push(
        readOverGraph ? graph + (shared ? DELEGATED_GRAPH_SCOPES.readShared : DELEGATED_GRAPH_SCOPES.read) : cloud.scopePrefix + DELEGATED_MAIL_SCOPES.imap
      );
    }
    if (sends) {
      scopes.push(
        sendOverGraph ? graph + (shared ? DELEGATED_GRAPH_SCOPES.sendShared : DELEGATED_GRAPH_SCOPES.send) : cloud.scopePrefix + DELEGATED_MAIL_SCOPES.smtp
      );
    }
    if (readOverGraph || sendOverGraph) scopes.push(graph + DELEGATED_GRAPH_SCOPES.user);
    return [...scopes, 'offline_access'];
  }

  /** Every scope the extension knows to be valid in a cloud; anything else is refused as a typo. */
  knownScopes(cloudId: MicrosoftCloudId): Set<string> {
    const cloud = this.get(cloudId);
    if (!cloud) return new Set(OIDC_SCOPES);
    const graph = cloud.graphScopePrefix ? [...Object.values(DELEGATED_GRAPH_SCOPES), '.default'].map((s) => cloud.graphScopePrefix + s) : [];
    return new Set([
      ...OIDC_SCOPES,
      ...Object.values(DELEGATED_MAIL_SCOPES).map((s) => cloud.scopePrefix + s),
      cloud.scopePrefix + '.default',
      cloud.appOnlyScope,
      ...graph
    ]);
  }

  /** Which resource a scope is for; undefined for the OpenID Connect and refresh scopes, which go with any. */
  resourceOfScope(cloudId: MicrosoftCloudId | undefined, scope: string): TokenResource | undefined {
    if ((OIDC_SCOPES as readonly string[]).includes(scope)) return undefined;
    const cloud = this.get(cloudId);
    if (cloud?.graphScopePrefix && scope.startsWith(cloud.graphScopePrefix)) return 'graph';
    return 'exchange';
  }

  /**
   * The scopes to ask for a token of one resource: the definition's scopes for that resource and
   * the OpenID Connect ones. Entra refuses a request that names two resources (AADSTS28000), so a
   * credential using Exchange and Graph asks for each on its own. Empty when the definition has no
   * scope for the resource. A generic provider has one resource, `exchange`, with all its scopes.
   */
  scopesFor(def: Pick<CredentialDefinition, 'provider' | 'cloud' | 'scopes'>, resource: TokenResource): string[] {
    if (def.provider !== 'microsoft') return resource === 'exchange' ? [...def.scopes] : [];
    const own = def.scopes.filter((s) => this.resourceOfScope(def.cloud, s) === resource);
    return own.length ? [...own, ...def.scopes.filter((s) => this.resourceOfScope(def.cloud, s) === undefined)] : [];
  }

  /** The resource a sign-in asks for: that of the definition's first scope with one. The other is then fetched silently. */
  signInResource(def: Pick<CredentialDefinition, 'provider' | 'cloud' | 'scopes'>): TokenResource {
    if (def.provider !== 'microsoft') return 'exchange';
    for (const scope of def.scopes) {
      const resource = this.resourceOfScope(def.cloud, scope);
      if (resource) return resource;
    }
    return 'exchange';
  }

  /**
   * The cloud a credential names, or an error naming the missing one. Never the global cloud in its
   * place: a credential whose custom cloud was removed from the setting would otherwise sign in, and
   * send its tokens, somewhere its definition does not say.
   */
  require(cloudId: MicrosoftCloudId | undefined): MicrosoftCloud {
    const cloud = this.get(cloudId);
    if (!cloud) {
      throw new M365MailError(
        'unknown_cloud',
        l10n.t('The Microsoft cloud "{0}" is not built in and not in the m365mail.customClouds setting.', cloudId ?? ''),
        {
          nextStep: l10n.t('Add the cloud back to m365mail.customClouds, or edit the credential and choose another cloud.')
        }
      );
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
