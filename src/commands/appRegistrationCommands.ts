import * as vscode from 'vscode';
import type { Settings } from '../common/settings';
import { anchorForFailure, buildAppRegistration, formatAppRegistration, type ChecklistAnchor } from '../core/appRegistration';
import { CancelledError, M365MailError, type ErrorAction } from '../core/errors';
import type { Logger } from '../core/logger';
import { sapRedirectUri } from '../core/handover/sap';
import { usesClientSecret } from '../core/handover/oauthSettings';
import type { CredentialDefinition } from '../core/model';
import type { CredentialStore } from '../credentials/credentialStore';
import { AuthUriHandler } from '../signIn/authUriHandler';
import type { ReadOnlyDocuments } from '../views/readOnlyDocuments';
import { setWalkthroughKey, WalkthroughKeys } from '../views/walkthrough';
import { CommandIds } from './commandIds';
import type { CredentialPicker } from './pickCredential';
import type { CommandRegistry } from './registry';

export interface AppRegistrationCommandDeps {
  settings: Settings;
  logger: Logger;
  pickCredential: CredentialPicker;
  /** Credentials (for the grant a failure came from) and what "Use in…" remembered (the SAP tenant whose redirect URI the app must also register). */
  store: Pick<CredentialStore, 'get' | 'handoverMemory'>;
  /** `m365mail-report:` documents, shown in the Markdown preview like the connection report. */
  reportDocuments: ReadOnlyDocuments;
}

/** The redirect URI as "Copy redirect URI" gives it: the extension's own callback resolved for this host. */
export async function registeredRedirectUri(def: CredentialDefinition): Promise<string> {
  if (!def.redirectUri.startsWith(`${vscode.env.uriScheme}:`)) return def.redirectUri;
  return (await vscode.env.asExternalUri(AuthUriHandler.callbackUri())).toString(true);
}

/**
 * "Show app registration": what the credential needs in Entra ID and Exchange Online (core/appRegistration.ts),
 * as a read-only Markdown preview, then "Copy…" for any item, the manifest, the Azure CLI or PowerShell script.
 * Also the "Show app registration" button of the failures that one of its items fixes.
 */
export function registerAppRegistrationCommands(registry: CommandRegistry, deps: AppRegistrationCommandDeps): void {
  registry.register(CommandIds.showAppRegistration, async (arg, at) => {
    const def = await deps.pickCredential(arg, vscode.l10n.t('Credential whose app registration to show'));
    if (def.provider !== 'microsoft') {
      throw new M365MailError(
        'not_supported',
        vscode.l10n.t('The app registration checklist is for Microsoft Entra ID; "{0}" uses a generic provider.', def.name)
      );
    }
    const clouds = deps.settings.clouds();
    const redirectUri = await registeredRedirectUri(def);
    // SAP Cloud Integration signs in with its own redirect URI, on the Web platform of the same app.
    const sapHost = usesClientSecret(def) ? deps.store.handoverMemory(def.id).sapHost : undefined;
    const redirectUris = sapHost ? [redirectUri, sapRedirectUri(sapHost)] : [redirectUri];
    const reg = buildAppRegistration(def, { redirectUris, adminConsentUrl: clouds.adminConsentUrl(def.cloud, def.tenant, def.clientId, redirectUri) });
    const name = def.name.replace(/[\\/:*?"<>|#%]+/g, ' ').trim() || 'credential';
    const uri = deps.reportDocuments.set(`/${def.id}/${vscode.l10n.t('App registration')} - ${name}.md`, formatAppRegistration(def, reg));
    const anchor = typeof at === 'string' ? (at as ChecklistAnchor) : undefined;
    try {
      // The preview scrolls to a fragment that names a heading's anchor.
      await vscode.commands.executeCommand('markdown.showPreview', anchor ? uri.with({ fragment: anchor }) : uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
    // The checklist is showing: the walkthrough's "Register the app" step is done.
    setWalkthroughKey(WalkthroughKeys.openedAppRegistration);
    const copy = vscode.l10n.t('Copy…');
    const focused = reg.items.find((i) => i.anchor === anchor);
    const message = focused
      ? vscode.l10n.t('App registration of "{0}": see "{1}".', def.name, focused.title)
      : vscode.l10n.t('App registration of "{0}": what to set in Entra ID and Exchange Online.', def.name);
    if ((await vscode.window.showInformationMessage(message, copy)) !== copy) return;
    const picks = [
      ...reg.items.map((i) => ({ label: i.title, detail: i.copy.split('\n')[0], text: i.copy })),
      { label: vscode.l10n.t('Manifest: requiredResourceAccess (JSON)'), detail: '', text: JSON.stringify(reg.requiredResourceAccess, null, 2) },
      { label: vscode.l10n.t('Copy as Azure CLI'), detail: 'az ad app create …', text: reg.azureCli },
      { label: vscode.l10n.t('Copy as PowerShell'), detail: 'Microsoft Graph PowerShell, Exchange Online PowerShell', text: reg.powerShell }
    ];
    const picked = await vscode.window.showQuickPick(picks, { placeHolder: vscode.l10n.t('What to copy') });
    if (!picked) throw new CancelledError();
    await vscode.env.clipboard.writeText(picked.text);
    deps.logger.info(`${def.id}: app registration item "${picked.label}" copied`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied "{0}".', picked.label));
  });

  // Failures an item of the checklist fixes get a button that opens it there.
  registry.addErrorActions((error, args, invocation): ErrorAction[] => {
    // The credential the failed command acted on: picked from the palette, it is not in `args`.
    const credential = invocation.credentialId ?? args[0];
    const id = typeof credential === 'string' ? credential : undefined;
    const def = id ? deps.store.get(id) : undefined;
    if (def && def.provider !== 'microsoft') return [];
    const anchor = anchorForFailure(error.code, def?.grant);
    if (!anchor) return [];
    return [
      {
        title: vscode.l10n.t('Show app registration'),
        run: async () => {
          await vscode.commands.executeCommand(CommandIds.showAppRegistration, credential, anchor);
        }
      }
    ];
  });
}
