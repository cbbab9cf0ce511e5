/**
 * Microsoft presets beyond the clouds: a personal Microsoft account (Outlook.com, Hotmail, Live) and
 * Microsoft 365 High Volume Email (HVE). A preset is not stored: it is read from the definition
 * itself (tenant `consumers`; an HVE SMTP host), so a definition from a file, an
 * edit or an earlier version gets the same rules as one made with the guided flow. No `vscode` import.
 *
 * What the rules rest on (Microsoft Learn and Microsoft Support):
 * - "Authenticate an IMAP, POP or SMTP connection using OAuth": the delegated scopes
 *   `https://outlook.office.com/IMAP.AccessAsUser.All`, `SMTP.Send` and `offline_access` serve
 *   Microsoft 365 and Outlook.com users alike.
 * - "POP, IMAP, and SMTP settings for Outlook.com": IMAP outlook.office365.com:993 (TLS), SMTP
 *   smtp-mail.outlook.com:587 (STARTTLS), OAuth2; IMAP access is off until the user turns it on.
 * - "OAuth authentication for high volume emails for Microsoft 365" and Add-HVEAppAccess: HVE takes
 *   OAuth on its SMTP endpoint; an app-only token works for the HVE accounts whose Allowed Apps
 *   list names the app.
 * Personal accounts live outside any organization, so nothing that needs one exists for them:
 * client credentials (app-only, over IMAP/SMTP or Graph), a shared mailbox opened as a delegate, an
 * admin who consents for everyone.
 */
import * as l10n from '@vscode/l10n';
import type { CredentialDefinition, MailEndpoint } from './model';

export type MicrosoftPresetId = 'personal' | 'hve';

export interface MicrosoftPreset {
  id: MicrosoftPresetId;
  /** Fixed by the preset (`consumers`), or asked (undefined). */
  tenant?: string;
  /** Fixed by the preset: HVE only sends. */
  purpose?: CredentialDefinition['purpose'];
  imap: MailEndpoint;
  smtp: MailEndpoint;
}

export const PERSONAL_TENANT = 'consumers';
/**
 * HVE's SMTP endpoints ("What is High Volume Email?", Microsoft Learn): smtp.hve.mx.microsoft is the
 * recommended one, smtp-hve.office365.com "will be deprecated in the future". New credentials get the
 * first; a definition naming either is HVE.
 */
export const HVE_SMTP_HOSTS = ['smtp.hve.mx.microsoft', 'smtp-hve.office365.com'] as const;
export const HVE_SMTP_HOST = HVE_SMTP_HOSTS[0];

export const MICROSOFT_PRESETS: Readonly<Record<MicrosoftPresetId, MicrosoftPreset>> = {
  personal: {
    id: 'personal',
    tenant: PERSONAL_TENANT,
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: 'smtp-mail.outlook.com', port: 587, security: 'starttls' }
  },
  hve: {
    id: 'hve',
    purpose: 'smtp',
    // Never used (HVE has no IMAP), but every definition names an IMAP server: the cloud's.
    imap: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    smtp: { host: HVE_SMTP_HOST, port: 587, security: 'starttls' }
  }
};

type PresetFields = Pick<CredentialDefinition, 'provider' | 'tenant' | 'smtp'>;

export function isPersonalAccount(def: Pick<CredentialDefinition, 'provider' | 'tenant'>): boolean {
  return def.provider === 'microsoft' && (def.tenant ?? '').trim().toLowerCase() === PERSONAL_TENANT;
}

export function isHighVolumeEmail(def: Pick<CredentialDefinition, 'provider' | 'smtp'>): boolean {
  // Compared as a connection would reach it: case and one trailing dot do not matter. (Not
  // tokenDestinations' normalizeHost: validation, and so the webview bundle, imports this module.)
  const host = (def.smtp?.host ?? '').trim().toLowerCase().replace(/\.$/, '');
  return def.provider === 'microsoft' && (HVE_SMTP_HOSTS as readonly string[]).includes(host);
}

/** The preset a definition follows, read from its fields; undefined for an ordinary Microsoft 365 or generic one. */
export function microsoftPresetOf(def: PresetFields): MicrosoftPreset | undefined {
  if (isPersonalAccount(def)) return MICROSOFT_PRESETS.personal;
  if (isHighVolumeEmail(def)) return MICROSOFT_PRESETS.hve;
  return undefined;
}

/** The preset's name, translated. */
export function presetLabel(id: MicrosoftPresetId): string {
  return id === 'personal' ? l10n.t('Personal Microsoft account (Outlook.com, Hotmail, Live)') : l10n.t('Microsoft 365 High Volume Email');
}

/** What the preset allows and refuses, one short sentence each: the add flow's notice, the tooltip, the details row. */
export function presetRules(id: MicrosoftPresetId): string[] {
  if (id === 'personal') {
    return [
      l10n.t('Signs in with the tenant consumers, in the global cloud only.'),
      l10n.t(
        'Microsoft does not allow personal accounts client credentials (app-only, also Microsoft Graph app-only), shared mailboxes opened as a delegate, or admin consent.'
      ),
      l10n.t(
        'The app registration must allow personal accounts: "Accounts in any organizational directory and personal Microsoft accounts" or "Personal Microsoft accounts only".'
      ),
      l10n.t('IMAP is off until the user turns it on in Outlook.com: Settings → Mail → Forwarding and IMAP.')
    ];
  }
  return [
    l10n.t('Send-only over SMTP ({0}:587, STARTTLS): no IMAP, so no inbox preview and no IMAP test.', HVE_SMTP_HOST),
    l10n.t('Internal recipients only: the service refuses recipients outside your organization.'),
    l10n.t(
      'Recipient rate limits apply per day for the tenant and per message; Microsoft\'s "High volume email for Microsoft 365" page has the current figures.'
    ),
    l10n.t(
      "An Exchange admin creates the HVE account in the Exchange admin center (Mail flow → High volume email); for app-only OAuth the app must be on the account's Allowed Apps list (Add-HVEAppAccess)."
    )
  ];
}

/**
 * What a definition asks for that its preset's service does not allow; empty when it may be saved.
 * Run by `validateDefinition`, so a file, an edit and the guided flow are refused alike.
 */
export function presetProblems(
  def: Pick<CredentialDefinition, 'provider' | 'cloud' | 'tenant' | 'grant' | 'sharedMailbox' | 'purpose' | 'sendTransport' | 'readTransport' | 'smtp'>
): string[] {
  const problems: string[] = [];
  const personal = isPersonalAccount(def);
  const hve = isHighVolumeEmail(def);
  const global = (def.cloud ?? 'global') === 'global';
  if (personal) {
    if (!global) problems.push(l10n.t('Personal Microsoft accounts (tenant consumers) exist only in the global cloud.'));
    if (def.grant === 'clientCredentials') {
      problems.push(
        l10n.t(
          'Microsoft does not allow client credentials (app-only access, over IMAP/SMTP or Microsoft Graph) for personal Microsoft accounts: use the authorization code or device code grant.'
        )
      );
    }
    if (def.sharedMailbox) {
      problems.push(l10n.t('Personal Microsoft accounts cannot open a shared mailbox as a delegate: leave the shared mailbox empty.'));
    }
    if (hve) problems.push(l10n.t('High Volume Email is a Microsoft 365 organization service: a personal Microsoft account (tenant consumers) cannot use it.'));
  }
  if (hve) {
    if (!global) problems.push(l10n.t('High Volume Email ({0}) is in the global cloud only.', HVE_SMTP_HOST));
    if (def.purpose !== 'smtp') problems.push(l10n.t('High Volume Email is send-only: it has no IMAP. Choose "SMTP only".'));
    if (def.sendTransport === 'graph' || def.readTransport === 'graph') {
      problems.push(l10n.t('High Volume Email is reached over SMTP only, not Microsoft Graph.'));
    }
  }
  return problems;
}

/** Why a step of a preset's credential is not offered (the inbox preview, admin consent); undefined when it is. */
export function presetRefusal(def: PresetFields, action: 'inboxPreview' | 'adminConsent'): string | undefined {
  const preset = microsoftPresetOf(def);
  if (action === 'adminConsent' && preset?.id === 'personal') {
    return l10n.t('Personal Microsoft accounts have no admin consent: each user consents to the app when signing in.');
  }
  if (action === 'inboxPreview' && preset?.id === 'hve') {
    return l10n.t('High Volume Email is send-only: it has no IMAP and no mailbox to preview.');
  }
  return undefined;
}
