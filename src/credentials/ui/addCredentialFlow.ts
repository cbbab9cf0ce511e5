import * as vscode from 'vscode';
import { askCertificate } from './askCertificate';
import { GENERIC_PRESETS, type CloudCatalog } from '../../core/clouds';
import type { IssuerMetadata } from '../../core/endpointTrust';
import type { CredentialSecrets, CredentialStore } from '../credentialStore';
import {
  mailboxOf,
  REFRESH_TOKEN_EXPIRY_DAYS,
  type ClientAuthKind,
  type CredentialDefinition,
  type GrantKind,
  type MailEndpoint,
  type MailPurpose
} from '../../core/model';
import { isPersonalAccount, MICROSOFT_PRESETS, PERSONAL_TENANT, presetLabel, presetRules, type MicrosoftPreset } from '../../core/presets';
import * as v from '../../core/validation';
import { askChoice, askText, type Choice, type Step } from './prompts';
import { applyTransports, askTransports } from './transportChoices';

type ProviderChoice = 'microsoft' | 'personal' | 'hve' | 'gmail' | 'generic';

/** Reads an issuer's authorization server metadata (the auth engine's discovery). */
export type DiscoverIssuer = (issuer: string) => Promise<IssuerMetadata>;

/**
 * Asks for the issuer and reads its metadata. The issuer is stored as the metadata names it (the
 * `iss` checks compare strings exactly); without metadata, as typed, and the endpoints are typed.
 */
export async function askIssuer(
  step: Step,
  discover: DiscoverIssuer,
  value?: string
): Promise<{ issuer: string; metadata?: IssuerMetadata; problem?: string }> {
  const typed = await askText(step, {
    prompt: vscode.l10n.t("Issuer: the authorization server's identifier (its metadata is read from it)"),
    placeHolder: 'https://login.example.com',
    value,
    validate: v.validateIssuer
  });
  try {
    const metadata = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading the metadata of {0}…', typed) },
      () => discover(typed)
    );
    return { issuer: metadata.issuer, metadata };
  } catch (error) {
    return { issuer: typed, problem: error instanceof Error ? error.message : String(error) };
  }
}

const GRANTS: Array<Choice<GrantKind>> = [
  {
    label: vscode.l10n.t('Authorization code'),
    description: vscode.l10n.t('sign in as the mailbox user in a browser (recommended)'),
    value: 'authorizationCode'
  },
  { label: vscode.l10n.t('Device code'), description: vscode.l10n.t('sign in on another device with a code; public client'), value: 'deviceCode' },
  {
    label: vscode.l10n.t('Client credentials'),
    description: vscode.l10n.t('app-only access with a secret or certificate; needs admin consent'),
    value: 'clientCredentials'
  }
];

function clientAuthChoices(grant: GrantKind): Array<Choice<ClientAuthKind>> {
  const confidential: Array<Choice<ClientAuthKind>> = [
    { label: vscode.l10n.t('Client secret, sent in the request body'), description: 'client_secret_post', value: 'secretPost' },
    { label: vscode.l10n.t('Client secret, sent as HTTP Basic'), description: 'client_secret_basic', value: 'secretBasic' },
    { label: vscode.l10n.t('Certificate and private key'), description: 'private_key_jwt', value: 'certificate' }
  ];
  if (grant === 'clientCredentials') return confidential;
  return [
    ...confidential,
    {
      label: vscode.l10n.t('None: public client with PKCE'),
      description: vscode.l10n.t('no secret; "Allow public client flows" in the app registration'),
      value: 'none'
    }
  ];
}

const PURPOSES: Array<Choice<MailPurpose>> = [
  { label: vscode.l10n.t('IMAP and SMTP'), description: vscode.l10n.t('read and send'), value: 'both' },
  { label: vscode.l10n.t('IMAP only'), description: vscode.l10n.t('read (for example an IMAP sender adapter)'), value: 'imap' },
  { label: vscode.l10n.t('SMTP only'), description: vscode.l10n.t('send (for example an SMTP receiver adapter)'), value: 'smtp' }
];

/**
 * The guided "Add credential" flow: quick picks and input boxes that validate as the user types,
 * with defaults per cloud and purpose. Nothing is stored until every field is valid; Escape at
 * any step stores nothing. `initial` pre-fills the flow (used by "Duplicate").
 */
export class AddCredentialFlow {
  private stepNo = 0;

  constructor(
    private readonly store: CredentialStore,
    private readonly clouds: CloudCatalog,
    private readonly discover: DiscoverIssuer,
    private readonly title = vscode.l10n.t('Add credential')
  ) {}

  private step(): Step {
    return { title: this.title, step: ++this.stepNo, totalSteps: 13 };
  }

  async run(): Promise<CredentialDefinition> {
    const providerChoice = await askChoice<ProviderChoice>(this.step(), vscode.l10n.t('Which mail provider?'), [
      { label: 'Microsoft 365', description: vscode.l10n.t('Exchange Online; all Microsoft clouds'), value: 'microsoft' },
      {
        label: vscode.l10n.t('Personal Microsoft account'),
        description: vscode.l10n.t('Outlook.com, Hotmail, Live (tenant consumers)'),
        value: 'personal'
      },
      { label: vscode.l10n.t('Microsoft 365 High Volume Email'), description: vscode.l10n.t('send-only, internal recipients (HVE)'), value: 'hve' },
      { label: GENERIC_PRESETS.gmail.label, description: vscode.l10n.t('Google OAuth2'), value: 'gmail' },
      { label: vscode.l10n.t('Other OAuth2 provider'), description: vscode.l10n.t('any standard authorization and token endpoint'), value: 'generic' }
    ]);
    const microsoft = providerChoice === 'microsoft' || providerChoice === 'personal' || providerChoice === 'hve';
    const def: Partial<CredentialDefinition> = { id: this.store.newId(), provider: microsoft ? 'microsoft' : 'generic' };
    let defaults: { imap: MailEndpoint; smtp: MailEndpoint } | undefined;
    let preset: MicrosoftPreset | undefined = providerChoice === 'personal' || providerChoice === 'hve' ? MICROSOFT_PRESETS[providerChoice] : undefined;
    // What a preset does not allow is said when it is chosen, not after a refusal at the end.
    const showRules = (chosen: MicrosoftPreset) => void vscode.window.showInformationMessage(`${presetLabel(chosen.id)}: ${presetRules(chosen.id).join(' ')}`);

    if (preset) {
      // Both presets are of the global cloud.
      showRules(preset);
      def.cloud = 'global';
      defaults = { imap: preset.imap, smtp: preset.smtp };
      def.tenant =
        preset.tenant ??
        (await askText(this.step(), {
          prompt: vscode.l10n.t('Tenant of the HVE account: the Directory (tenant) ID or a verified domain'),
          placeHolder: 'contoso.onmicrosoft.com',
          validate: (x) =>
            x.trim().toLowerCase() === 'consumers'
              ? vscode.l10n.t('High Volume Email is for Microsoft 365 organizations, not personal accounts.')
              : v.validateTenant(x)
        }));
      def.redirectUri = 'http://localhost';
    } else if (providerChoice === 'microsoft') {
      const cloud = await askChoice(
        this.step(),
        vscode.l10n.t('Which Microsoft cloud?'),
        this.clouds.all().map((c) => ({ label: c.label, description: new URL(c.authorityHost).host, value: c }))
      );
      def.cloud = cloud.id;
      defaults = { imap: cloud.imap, smtp: cloud.smtp };
      def.tenant = await askText(this.step(), {
        prompt: vscode.l10n.t('Tenant: the Directory (tenant) ID, a verified domain, or organizations / common / consumers'),
        placeHolder: 'contoso.onmicrosoft.com',
        validate: (x) =>
          x.trim().toLowerCase() === PERSONAL_TENANT && cloud.id !== 'global'
            ? vscode.l10n.t('Personal Microsoft accounts (tenant consumers) exist only in the global cloud.')
            : v.validateTenant(x)
      });
      // Typing consumers is choosing the personal-account preset: its servers and its rules.
      if (isPersonalAccount({ provider: 'microsoft', tenant: def.tenant })) {
        preset = MICROSOFT_PRESETS.personal;
        defaults = { imap: preset.imap, smtp: preset.smtp };
        showRules(preset);
      }
      def.redirectUri = 'http://localhost';
    } else if (providerChoice === 'gmail') {
      const { label: _label, ...preset } = GENERIC_PRESETS.gmail;
      Object.assign(def, structuredClone(preset));
      defaults = { imap: preset.imap, smtp: preset.smtp };
      def.redirectUri = 'http://127.0.0.1';
    } else {
      await this.askGenericEndpoints(def);
      def.redirectUri = 'http://127.0.0.1';
    }

    // Personal accounts have no app-only access (presets.ts): the grant is not offered.
    def.grant = await askChoice(
      this.step(),
      vscode.l10n.t('How will the credential get its tokens?'),
      preset?.id === 'personal' ? GRANTS.filter((g) => g.value !== 'clientCredentials') : GRANTS
    );
    if (def.provider === 'generic' && def.grant === 'deviceCode' && !def.deviceAuthorizationUrl) {
      def.deviceAuthorizationUrl = await askText(this.step(), {
        prompt: vscode.l10n.t('Device authorization endpoint URL (RFC 8628)'),
        validate: (x) => v.validateEndpointUrl(x, vscode.l10n.t('The device authorization URL'))
      });
    }
    def.clientAuth =
      def.grant === 'deviceCode'
        ? 'none'
        : await askChoice(this.step(), vscode.l10n.t('How does the app authenticate at the token endpoint?'), clientAuthChoices(def.grant));
    def.clientId = await askText(this.step(), {
      prompt: def.provider === 'microsoft' ? vscode.l10n.t('Application (client) ID of the app registration') : vscode.l10n.t('Client ID'),
      placeHolder: def.provider === 'microsoft' ? '00000000-0000-0000-0000-000000000000' : undefined,
      validate: (x) => v.validateClientId(x, def.provider ?? 'generic')
    });

    const secrets = await this.askSecrets(def.clientAuth);

    def.userName = await askText(this.step(), {
      prompt:
        preset?.id === 'hve'
          ? vscode.l10n.t('Address of the HVE account that sends')
          : def.grant === 'clientCredentials'
            ? vscode.l10n.t('Mailbox the app will open (its address)')
            : vscode.l10n.t('User name (UPN) that signs in, e.g. adele@contoso.com'),
      validate: (x) => v.validateMailbox(x, vscode.l10n.t('the user name'), true)
    });
    // Not for presets: personal accounts cannot open one as a delegate, and HVE sends as its own account.
    if (def.grant !== 'clientCredentials' && !preset) {
      const shared = await askText(this.step(), {
        prompt: vscode.l10n.t("Shared mailbox to open as a delegate (optional: leave empty for the user's own mailbox)"),
        validate: (x) => v.validateMailbox(x, vscode.l10n.t('the shared mailbox'), false)
      });
      if (shared) def.sharedMailbox = shared;
    }

    def.purpose = preset?.purpose ?? (await askChoice(this.step(), vscode.l10n.t('What will the credential be used for?'), PURPOSES));
    // Asked only where Graph can be used: a Microsoft cloud that has a Graph endpoint (HVE is SMTP only).
    if (def.provider === 'microsoft' && this.clouds.get(def.cloud)?.graphEndpoint && preset?.id !== 'hve') {
      applyTransports(def, await askTransports(this.step(), def.purpose));
    }
    const prefilled =
      def.provider === 'microsoft'
        ? this.clouds.defaultScopes(def.cloud ?? 'global', def.grant, def.purpose, {
            send: def.sendTransport,
            read: def.readTransport,
            sharedMailbox: !!def.sharedMailbox
          })
        : (def.scopes ?? []);
    const scopes = await askText(this.step(), {
      prompt: vscode.l10n.t('Scopes, separated by spaces (prefilled for the cloud and purpose)'),
      value: prefilled.join(' '),
      validate: (x) => v.validateScopes(x.split(/\s+/).filter(Boolean), def as CredentialDefinition, this.clouds)
    });
    def.scopes = scopes.split(/\s+/).filter(Boolean);

    def.refreshTokenExpiryDays = REFRESH_TOKEN_EXPIRY_DAYS.default;
    if (def.grant !== 'clientCredentials') {
      def.refreshTokenExpiryDays = Number(
        await askText(this.step(), {
          prompt: vscode.l10n.t('Renew the refresh token within this many days ({0} to {1})', REFRESH_TOKEN_EXPIRY_DAYS.min, REFRESH_TOKEN_EXPIRY_DAYS.max),
          value: String(REFRESH_TOKEN_EXPIRY_DAYS.default),
          validate: v.validateRefreshTokenExpiryDays
        })
      );
    }

    const sendOnly = preset?.id === 'hve';
    const hostDefaults = defaults ?? { imap: { host: '', port: 993, security: 'tls' as const }, smtp: { host: '', port: 587, security: 'starttls' as const } };
    const useDefaults = hostDefaults.imap.host
      ? await askChoice(this.step(), vscode.l10n.t('Mail servers'), [
          {
            label: vscode.l10n.t('Use the default servers'),
            // HVE has no IMAP: its (unused) IMAP server is neither shown nor asked.
            description: `${sendOnly ? '' : `IMAP ${hostDefaults.imap.host}:${hostDefaults.imap.port} · `}SMTP ${hostDefaults.smtp.host}:${hostDefaults.smtp.port}`,
            value: true
          },
          { label: vscode.l10n.t('Enter the servers'), value: false }
        ])
      : false;
    def.imap = useDefaults || sendOnly ? { ...hostDefaults.imap } : await this.askEndpoint('IMAP', hostDefaults.imap);
    def.smtp = useDefaults ? { ...hostDefaults.smtp } : await this.askEndpoint('SMTP', hostDefaults.smtp);

    const suggested = `${mailboxOf(def)}${def.provider === 'microsoft' && def.cloud !== 'global' ? ` (${def.cloud})` : ''}`;
    const names = this.store.names();
    def.name = await askText(this.step(), {
      prompt: vscode.l10n.t('Name of the credential'),
      value: names.includes(suggested) ? '' : suggested,
      validate: (x) => v.validateName(x, names)
    });
    const description = await askText(this.step(), { prompt: vscode.l10n.t('Description (optional)') });
    if (description) def.description = description;

    const definition = def as CredentialDefinition;
    await this.store.save(definition, secrets);
    return definition;
  }

  /** The issuer, then the endpoints its metadata publishes (or typed, prefilled from it). */
  private async askGenericEndpoints(def: Partial<CredentialDefinition>): Promise<void> {
    const { issuer, metadata, problem } = await askIssuer(this.step(), this.discover);
    def.issuer = issuer;
    const published = metadata?.authorizationEndpoint && metadata.tokenEndpoint ? metadata : undefined;
    if (published) {
      const usePublished = await askChoice(this.step(), vscode.l10n.t('Endpoints'), [
        {
          label: vscode.l10n.t('Use the endpoints the issuer publishes'),
          description: `${hostOf(published.authorizationEndpoint)} · ${hostOf(published.tokenEndpoint)}`,
          value: true
        },
        { label: vscode.l10n.t('Enter the endpoints'), value: false }
      ]);
      if (usePublished) {
        def.authorizationUrl = published.authorizationEndpoint;
        def.tokenUrl = published.tokenEndpoint;
        if (published.deviceAuthorizationEndpoint) def.deviceAuthorizationUrl = published.deviceAuthorizationEndpoint;
        return;
      }
    }
    const missing = problem ? vscode.l10n.t(' (no metadata: {0})', problem) : '';
    def.authorizationUrl = await askText(this.step(), {
      prompt: vscode.l10n.t('Authorization endpoint URL{0}', missing),
      placeHolder: 'https://login.example.com/oauth2/authorize',
      value: metadata?.authorizationEndpoint,
      validate: (x) => v.validateEndpointUrl(x, vscode.l10n.t('The authorization URL'))
    });
    def.tokenUrl = await askText(this.step(), {
      prompt: vscode.l10n.t('Token endpoint URL'),
      placeHolder: 'https://login.example.com/oauth2/token',
      value: metadata?.tokenEndpoint,
      validate: (x) => v.validateEndpointUrl(x, vscode.l10n.t('The token URL'))
    });
    if (metadata?.deviceAuthorizationEndpoint) def.deviceAuthorizationUrl = metadata.deviceAuthorizationEndpoint;
  }

  private async askSecrets(clientAuth: ClientAuthKind): Promise<CredentialSecrets> {
    if (clientAuth === 'secretPost' || clientAuth === 'secretBasic') {
      const clientSecret = await askText(this.step(), {
        prompt: vscode.l10n.t('Client secret VALUE (not its Secret ID). Stored only in VS Code secret storage.'),
        password: true,
        validate: (x) =>
          x.trim()
            ? /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(x.trim())
              ? vscode.l10n.t("This looks like the secret's ID (a GUID). Paste the secret's Value instead (AADSTS7000215 otherwise).")
              : undefined
            : vscode.l10n.t('Enter the client secret.')
      });
      return { clientSecret };
    }
    if (clientAuth === 'certificate') {
      this.step();
      return askCertificate();
    }
    return {};
  }

  private async askEndpoint(kind: 'IMAP' | 'SMTP', defaults: MailEndpoint): Promise<MailEndpoint> {
    const value = await askText(this.step(), {
      prompt: vscode.l10n.t('{0} server as host:port', kind),
      value: defaults.host ? `${defaults.host}:${defaults.port}` : '',
      validate: (x) => {
        const [host, port] = splitHostPort(x);
        return v.validateHost(host, vscode.l10n.t('the {0} host', kind)) ?? v.validatePort(port ?? '', vscode.l10n.t('The {0} port', kind));
      }
    });
    const [host, port] = splitHostPort(value);
    const portNumber = Number(port);
    return { host, port: portNumber, security: kind === 'IMAP' ? 'tls' : portNumber === 465 ? 'tls' : 'starttls' };
  }
}

function hostOf(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return url ?? '';
  }
}

export function splitHostPort(value: string): [string, string | undefined] {
  const i = value.lastIndexOf(':');
  return i > 0 ? [value.slice(0, i).trim(), value.slice(i + 1).trim()] : [value.trim(), undefined];
}
