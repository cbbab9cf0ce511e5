/**
 * What a credential needs in Microsoft Entra ID and Exchange Online, as a checklist and as text to
 * paste: the `requiredResourceAccess` of the app manifest, an Azure CLI script and a PowerShell
 * script (Microsoft Graph PowerShell and Exchange Online PowerShell). Pure: the host shows the
 * Markdown and copies the pieces (commands/appRegistrationCommands.ts). Never holds a secret: the
 * scripts create one and print it where the admin runs them. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { PERMISSIONS, resourceAppIdOf, type PermissionRef } from './appRegistrationIds';
import { mailboxOf, transportsOf, type CredentialDefinition } from './model';
import { microsoftPresetOf } from './presets';

/** Headings of the checklist, also the anchors an error's "Show app registration" opens at. */
export type ChecklistAnchor =
  | 'supported-accounts'
  | 'platform'
  | 'redirect-uris'
  | 'public-client-flows'
  | 'api-permissions'
  | 'admin-consent'
  | 'smtp-auth'
  | 'imap-access'
  | 'hve-account'
  | 'service-principal';

export interface ChecklistItem {
  anchor: ChecklistAnchor;
  title: string;
  /** Sentences saying what to do, in Markdown. */
  text: string;
  /** What "Copy" puts on the clipboard for this item (a URI, a command, a list of permissions). */
  copy: string;
}

export interface AppRegistration {
  items: ChecklistItem[];
  permissions: PermissionRef[];
  /** The manifest's `requiredResourceAccess`, permissions with a confirmed ID only. */
  requiredResourceAccess: Array<{ resourceAppId: string; resourceAccess: Array<{ id: string; type: 'Scope' | 'Role' }> }>;
  /** Permissions to add by name in the portal: no confirmed ID (see appRegistrationIds.ts). */
  withoutId: PermissionRef[];
  azureCli: string;
  powerShell: string;
}

export interface AppRegistrationInput {
  /** The redirect URIs to register, as "Copy redirect URI" gives them (the host resolves vscode:// ones). */
  redirectUris: string[];
  /** The tenant's admin-consent URL for the app (CloudCatalog.adminConsentUrl). */
  adminConsentUrl: string;
}

/** The checklist item an error code calls for, if any: a "Show app registration" button opens it there. */
export function anchorForFailure(code: string | undefined, grant?: CredentialDefinition['grant']): ChecklistAnchor | undefined {
  if (code === 'AADSTS65001' || code === 'AADSTS90094') return 'admin-consent';
  if (code === 'AADSTS7000218') return 'public-client-flows';
  if (/^smtp\.\d{3} 5\.7\.139$/.test(code ?? '')) return 'smtp-auth';
  const appOnly = grant === 'clientCredentials';
  // "Authenticated but not connected": app-only, the Exchange service principal or its mailbox
  // permission is missing; as a user, a scope (or Full Access to a shared mailbox) is.
  if (code === 'imap.not_connected') return appOnly ? 'service-principal' : 'api-permissions';
  // An app-only token refused over SMTP (535 5.7.3) is most often a missing service principal.
  if (appOnly && /^smtp\.535 5\.7\.3$/.test(code ?? '')) return 'service-principal';
  return undefined;
}

/** The permissions a credential uses, from its grant, purpose, transports, shared mailbox and scopes. */
export function permissionsFor(def: CredentialDefinition): PermissionRef[] {
  const { send, read } = transportsOf(def);
  const reads = def.purpose !== 'smtp';
  const sends = def.purpose !== 'imap';
  const shared = Boolean(def.sharedMailbox);
  // Mail.ReadWrite is asked for only by credentials that send large .eml files as drafts.
  const readWrite = def.scopes.some((s) => /\/Mail\.ReadWrite(\.Shared)?$/.test(s));
  const list: PermissionRef[] = [];
  if (def.grant === 'clientCredentials') {
    if (reads) list.push(read === 'graph' ? PERMISSIONS.mailReadApp : PERMISSIONS.imapApp);
    const hve = microsoftPresetOf(def)?.id === 'hve';
    if (sends) list.push(send === 'graph' ? PERMISSIONS.mailSendApp : hve ? PERMISSIONS.hveSendApp : PERMISSIONS.smtpApp);
    if (sends && send === 'graph' && readWrite) list.push(PERMISSIONS.mailReadWriteApp);
    return list;
  }
  if (reads) list.push(read === 'graph' ? (shared ? PERMISSIONS.mailReadShared : PERMISSIONS.mailReadDelegated) : PERMISSIONS.imapDelegated);
  if (sends) list.push(send === 'graph' ? (shared ? PERMISSIONS.mailSendShared : PERMISSIONS.mailSendDelegated) : PERMISSIONS.smtpDelegated);
  if (readWrite) list.push(shared ? PERMISSIONS.mailReadWriteShared : PERMISSIONS.mailReadWriteDelegated);
  if ((reads && read === 'graph') || (sends && send === 'graph')) list.push(PERMISSIONS.userRead);
  list.push(PERMISSIONS.offlineAccess);
  return list;
}

export function requiredResourceAccessOf(permissions: readonly PermissionRef[]): AppRegistration['requiredResourceAccess'] {
  const byResource = new Map<string, Array<{ id: string; type: 'Scope' | 'Role' }>>();
  for (const p of permissions) {
    if (!p.id) continue;
    const appId = resourceAppIdOf(p.resource);
    const access = byResource.get(appId) ?? [];
    access.push({ id: p.id, type: p.type === 'delegated' ? 'Scope' : 'Role' });
    byResource.set(appId, access);
  }
  return [...byResource].map(([resourceAppId, resourceAccess]) => ({ resourceAppId, resourceAccess }));
}

/** A value placed inside a double-quoted shell or PowerShell string: quotes and expansions removed. */
function quoted(value: string): string {
  return `"${value.replace(/["`$\\]/g, '')}"`;
}

export function buildAppRegistration(def: CredentialDefinition, input: AppRegistrationInput): AppRegistration {
  const permissions = permissionsFor(def);
  const requiredResourceAccess = requiredResourceAccessOf(permissions);
  const withoutId = permissions.filter((p) => !p.id);
  const appOnly = def.grant === 'clientCredentials';
  const publicClient = def.clientAuth === 'none';
  const { send, read } = transportsOf(def);
  const preset = microsoftPresetOf(def)?.id;
  const sendsOverSmtp = def.purpose !== 'imap' && send === 'smtp';
  const usesExchangeAppOnly = appOnly && ((def.purpose !== 'smtp' && read === 'imap') || sendsOverSmtp);
  const usesGraphAppOnly = appOnly && permissions.some((p) => p.resource === 'graph');
  const mailbox = mailboxOf(def) || '<mailbox>';
  const platform = publicClient ? l10n.t('Mobile and desktop applications') : l10n.t('Web');
  const describe = (p: PermissionRef) =>
    `${p.resource === 'graph' ? 'Microsoft Graph' : 'Office 365 Exchange Online'} · ${p.name} (${p.type === 'delegated' ? l10n.t('delegated') : l10n.t('application')})`;

  const items: ChecklistItem[] = [];
  if (preset === 'personal') {
    items.push({
      anchor: 'supported-accounts',
      title: l10n.t('Supported account types'),
      text: l10n.t(
        'Personal Microsoft accounts sign in only to an app that allows them: under Supported account types choose "Accounts in any organizational directory and personal Microsoft accounts" or "Personal Microsoft accounts only" (Manifest: signInAudience {0}).',
        '`AzureADandPersonalMicrosoftAccount`'
      ),
      copy: 'AzureADandPersonalMicrosoftAccount'
    });
  }
  if (!appOnly) {
    items.push({
      anchor: 'platform',
      title: l10n.t('Platform'),
      text: publicClient
        ? l10n.t('Authentication → Add a platform → "{0}": a public client (no secret; PKCE).', platform)
        : l10n.t(
            'Authentication → Add a platform → "{0}": a confidential client with a client secret or certificate (Certificates & secrets; paste the secret\'s Value, not its ID).',
            platform
          ),
      copy: platform
    });
  }
  if (def.grant === 'authorizationCode') {
    items.push({
      anchor: 'redirect-uris',
      title: l10n.t('Redirect URIs'),
      text: l10n.t('Under the "{0}" platform add exactly: {1}', platform, input.redirectUris.map((u) => `\`${u}\``).join(', ')),
      copy: input.redirectUris.join('\n')
    });
  }
  if (def.grant === 'deviceCode' || publicClient) {
    items.push({
      anchor: 'public-client-flows',
      title: l10n.t('Allow public client flows'),
      text: l10n.t('Authentication → Advanced settings → "Allow public client flows" = Yes (device code needs it; without it Entra answers AADSTS7000218).'),
      copy: 'Allow public client flows'
    });
  }
  const permissionLines = permissions.map(
    (p) => `- ${describe(p)}${p.id ? ` \`${p.id}\`` : ` — ${l10n.t('add it by name: no ID from a Microsoft reference')}`}`
  );
  items.push({
    anchor: 'api-permissions',
    title: l10n.t('API permissions'),
    text: [
      l10n.t(
        "API permissions → Add a permission. Delegated permissions are the user's; application permissions act without a user and always need admin consent."
      ),
      ...permissionLines,
      ...(withoutId.length
        ? [
            l10n.t(
              'Office 365 Exchange Online is under "APIs my organization uses"; its application permissions are not in the manifest or scripts below because Microsoft publishes no ID for them: add them in the portal.'
            )
          ]
        : [])
    ].join('\n'),
    copy: permissions.map(describe).join('\n')
  });
  if (preset !== 'personal') {
    items.push({
      anchor: 'admin-consent',
      title: l10n.t('Admin consent'),
      text: appOnly
        ? l10n.t(
            'An admin grants consent for the organization (API permissions → "Grant admin consent", or the link). Needed before the first token (AADSTS65001, 90094).'
          )
        : l10n.t(
            'Users consent when they sign in unless the tenant requires an admin (AADSTS65001, 90094): then an admin opens the link or uses "Grant admin consent".'
          ),
      copy: input.adminConsentUrl
    });
  }
  if (preset === 'personal' && def.purpose !== 'smtp' && read === 'imap') {
    items.push({
      anchor: 'imap-access',
      title: l10n.t('IMAP access in Outlook.com'),
      text: l10n.t(
        'IMAP is off for an Outlook.com mailbox until its user turns it on: Outlook.com → Settings → Mail → Forwarding and IMAP → "Let devices and apps use IMAP".'
      ),
      copy: 'Settings → Mail → Forwarding and IMAP'
    });
  }
  if (preset === 'hve') {
    items.push({
      anchor: 'hve-account',
      title: l10n.t('High Volume Email account'),
      text: l10n.t(
        'An Exchange admin creates the HVE account in the Exchange admin center (Mail flow → High volume email); the user name is its address. HVE delivers to recipients inside the organization only, within its recipient rate limits.'
      ),
      copy: 'https://admin.exchange.microsoft.com'
    });
  } else if (sendsOverSmtp && preset !== 'personal') {
    const command = `Set-CASMailbox -Identity ${quoted(mailbox)} -SmtpClientAuthenticationDisabled $false`;
    items.push({
      anchor: 'smtp-auth',
      title: l10n.t('SMTP AUTH for the mailbox'),
      text: l10n.t(
        'SMTP AUTH is off by default since 2020 (535 5.7.139). An Exchange admin enables it for the mailbox in Exchange Online PowerShell: `{0}`. Or send through Microsoft Graph instead.',
        command
      ),
      copy: command
    });
  }
  if (preset === 'hve' && appOnly) {
    const command = `Add-HVEAppAccess -Identity ${quoted(mailbox)} -AppIds ${quoted(def.clientId)}`;
    items.push({
      anchor: 'service-principal',
      title: l10n.t('Allowed Apps of the HVE account'),
      text: l10n.t(
        'App-only tokens work for the HVE accounts whose Allowed Apps list names the app (up to ten apps; a change takes up to 5 minutes). In Exchange Online PowerShell: `{0}`',
        command
      ),
      copy: command
    });
  } else if (usesExchangeAppOnly || usesGraphAppOnly) {
    const lines: string[] = [];
    if (usesExchangeAppOnly) {
      lines.push(
        l10n.t(
          "IMAP/SMTP app-only: register the app's service principal in Exchange Online with the Object ID from Enterprise applications (not the one under App registrations), then give it the mailbox:"
        ),
        `New-ServicePrincipal -AppId ${quoted(def.clientId)} -ObjectId "<enterprise-application-object-id>" -DisplayName ${quoted(def.name)}`,
        `Add-MailboxPermission -Identity ${quoted(mailbox)} -User "<enterprise-application-object-id>" -AccessRights FullAccess`
      );
    }
    if (usesGraphAppOnly) {
      lines.push(
        l10n.t('Graph app-only: the application permission reaches every mailbox; RBAC for Applications in Exchange Online limits it to this one:'),
        `New-ManagementScope -Name "M365 Mail ${def.name.replace(/["`$\\]/g, '')}" -RecipientRestrictionFilter "PrimarySmtpAddress -eq '${mailbox.replace(/['"`$\\]/g, '')}'"`,
        ...permissions
          .filter((p) => p.resource === 'graph')
          .map(
            (p) =>
              `New-ManagementRoleAssignment -App ${quoted(def.clientId)} -Role "Application ${p.name}" -CustomResourceScope "M365 Mail ${def.name.replace(/["`$\\]/g, '')}"`
          )
      );
    }
    // Each sentence ends with a colon and introduces the commands after it, shown as a block.
    const text = lines
      .reduce<string[][]>((groups, line) => (line.endsWith(':') ? [...groups, [line]] : (groups[groups.length - 1]!.push(line), groups)), [])
      .map(([sentence, ...commands]) => [sentence, '', '```powershell', ...commands, '```'].join('\n'))
      .join('\n\n');
    items.push({
      anchor: 'service-principal',
      title: l10n.t('Exchange service principal and mailbox permission'),
      text,
      copy: lines.filter((l) => !l.endsWith(':')).join('\n')
    });
  }

  const manifestJson = JSON.stringify(requiredResourceAccess, null, 2);
  return {
    items,
    permissions,
    requiredResourceAccess,
    withoutId,
    azureCli: azureCliScript(def, input, manifestJson, publicClient, withoutId),
    powerShell: powerShellScript(def, input, requiredResourceAccess, publicClient, items, withoutId)
  };
}

/** Who may sign in to the app: the organization's accounts, or also personal Microsoft accounts (tenant consumers). */
function signInAudience(def: CredentialDefinition): string {
  return microsoftPresetOf(def)?.id === 'personal' ? 'AzureADandPersonalMicrosoftAccount' : 'AzureADMyOrg';
}

function azureCliScript(
  def: CredentialDefinition,
  input: AppRegistrationInput,
  manifestJson: string,
  publicClient: boolean,
  withoutId: readonly PermissionRef[]
): string {
  const redirects = def.grant === 'authorizationCode' && input.redirectUris.length ? input.redirectUris.map(quoted).join(' ') : '';
  const create = [
    `APP_ID=$(az ad app create --display-name ${quoted(def.name)} --sign-in-audience ${signInAudience(def)}`,
    ...(redirects ? [publicClient ? `  --public-client-redirect-uris ${redirects}` : `  --web-redirect-uris ${redirects}`] : []),
    ...(def.grant === 'deviceCode' || publicClient ? ['  --is-fallback-public-client true'] : []),
    '  --required-resource-accesses @m365mail-required-resource-accesses.json --query appId -o tsv)'
  ].join(' \\\n');
  return [
    `# ${l10n.t('M365 Mail: app registration for "{0}" (Azure CLI, bash)', def.name)}`,
    `cat > m365mail-required-resource-accesses.json <<'EOF'`,
    manifestJson,
    'EOF',
    create,
    'az ad sp create --id "$APP_ID"',
    ...(publicClient
      ? []
      : [
          `# ${l10n.t('Prints the new client secret once: paste its value into the credential (Edit credential → Client secret).')}`,
          'az ad app credential reset --id "$APP_ID" --append --display-name "M365 Mail"'
        ]),
    // Consent for the organization: needed for application permissions, harmless for delegated ones.
    // A personal account has no organization: its user consents at sign-in.
    ...(microsoftPresetOf(def)?.id === 'personal' ? [] : ['az ad app permission admin-consent --id "$APP_ID"']),
    ...withoutId.map((p) => `# ${l10n.t('Add {0} ({1}) in the portal: no ID from a Microsoft reference.', p.name, 'Office 365 Exchange Online')}`),
    'echo "Application (client) ID: $APP_ID"'
  ].join('\n');
}

function powerShellScript(
  def: CredentialDefinition,
  input: AppRegistrationInput,
  access: AppRegistration['requiredResourceAccess'],
  publicClient: boolean,
  items: readonly ChecklistItem[],
  withoutId: readonly PermissionRef[]
): string {
  const resourceAccess = access
    .map(
      (r) =>
        `  @{ ResourceAppId = "${r.resourceAppId}"; ResourceAccess = @(${r.resourceAccess.map((a) => `@{ Id = "${a.id}"; Type = "${a.type}" }`).join(', ')}) }`
    )
    .join(',\n');
  const redirects = def.grant === 'authorizationCode' ? input.redirectUris.map(quoted).join(', ') : '';
  const platform = redirects ? (publicClient ? ` -PublicClient @{ RedirectUris = @(${redirects}) }` : ` -Web @{ RedirectUris = @(${redirects}) }`) : '';
  const fallback = def.grant === 'deviceCode' || publicClient ? ' -IsFallbackPublicClient' : '';
  const roles = access.flatMap((r) => r.resourceAccess.filter((a) => a.type === 'Role').map((a) => ({ resourceAppId: r.resourceAppId, id: a.id })));
  const exchange = items.filter((i) => i.anchor === 'smtp-auth' || i.anchor === 'service-principal').map((i) => i.copy);
  return [
    `# ${l10n.t('M365 Mail: app registration for "{0}" (Microsoft Graph PowerShell)', def.name)}`,
    'Connect-MgGraph -Scopes "Application.ReadWrite.All","AppRoleAssignment.ReadWrite.All"',
    '$requiredResourceAccess = @(',
    resourceAccess,
    ')',
    `$app = New-MgApplication -DisplayName ${quoted(def.name)} -SignInAudience ${signInAudience(def)}${platform}${fallback} -RequiredResourceAccess $requiredResourceAccess`,
    '$sp = New-MgServicePrincipal -AppId $app.AppId',
    ...(publicClient
      ? []
      : [
          `# ${l10n.t('Shows the new client secret once: paste its value into the credential.')}`,
          '(Add-MgApplicationPassword -ApplicationId $app.Id -PasswordCredential @{ DisplayName = "M365 Mail" }).SecretText'
        ]),
    ...(roles.length
      ? [
          `# ${l10n.t('Admin consent for the application permissions:')}`,
          ...roles.map(
            (r) =>
              `New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $sp.Id -PrincipalId $sp.Id -ResourceId (Get-MgServicePrincipal -Filter "appId eq '${r.resourceAppId}'").Id -AppRoleId "${r.id}"`
          )
        ]
      : microsoftPresetOf(def)?.id === 'personal'
        ? []
        : [`# ${l10n.t('Admin consent for the delegated permissions, if the tenant requires it:')} ${input.adminConsentUrl}`]),
    ...withoutId.map((p) => `# ${l10n.t('Add {0} ({1}) in the portal: no ID from a Microsoft reference.', p.name, 'Office 365 Exchange Online')}`),
    '$app.AppId',
    ...(exchange.length ? ['', `# ${l10n.t('Exchange Online PowerShell')}`, 'Connect-ExchangeOnline', ...exchange] : [])
  ].join('\n');
}

/** The checklist as Markdown, one heading per item (the anchors), then the three texts to paste. */
export function formatAppRegistration(def: CredentialDefinition, reg: AppRegistration): string {
  const out: string[] = [`# ${l10n.t('App registration for "{0}"', def.name)}`, ''];
  out.push(
    l10n.t('What this credential needs in Microsoft Entra ID (App registrations) and Exchange Online. "Copy…" on the notification copies any item.'),
    ''
  );
  out.push(`- ${l10n.t('Application (client) ID')}: \`${def.clientId}\``, `- ${l10n.t('Tenant')}: \`${def.tenant ?? 'organizations'}\``, '');
  for (const item of reg.items) {
    out.push(`## ${item.title}`, '', `<a id="${item.anchor}"></a>`, '', item.text, '');
  }
  out.push(`## ${l10n.t('Manifest: requiredResourceAccess')}`, '', '```json', JSON.stringify(reg.requiredResourceAccess, null, 2), '```', '');
  out.push(`## Azure CLI`, '', '```bash', reg.azureCli, '```', '');
  out.push(`## PowerShell`, '', '```powershell', reg.powerShell, '```', '');
  return out.join('\n');
}
