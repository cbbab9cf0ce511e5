import * as vscode from 'vscode';
import { CancelledError, M365MailError } from '../core/errors';
import { presetRefusal } from '../core/presets';
import type { Logger } from '../core/logger';
import type { Settings } from '../common/settings';
import type { CredentialStore } from '../credentials/credentialStore';
import type { CredentialDefinition } from '../core/model';
import { exportDefinitions, ImportFormatError, parseExport } from '../core/portable';
import { decodeJwtClaims } from '../core/tokenClaims';
import { THIS_MACHINE } from '../core/tokenDestinations';
import type { TokenBroker } from '../credentials/tokenBroker';
import type { TokenDestinationGuard } from '../credentials/tokenDestinationGuard';
import { buildImportReview } from '../core/importReview';
import { AddCredentialFlow } from '../credentials/ui/addCredentialFlow';
import { EditCredentialFlow } from '../credentials/ui/editCredentialFlow';
import { validateDefinition } from '../core/validation';
import type { CredentialSignIn } from '../signIn/credentialSignIn';
import { registeredRedirectUri } from './appRegistrationCommands';
import { CommandIds } from './commandIds';
import type { CredentialPicker } from './pickCredential';
import type { CommandRegistry } from './registry';
import type { ReadOnlyDocuments } from '../views/readOnlyDocuments';
import type { WorkspaceCredentialFiles } from '../views/workspaceCredentialFiles';

export interface CredentialCommandDeps {
  store: CredentialStore;
  tokens: TokenBroker;
  settings: Settings;
  /** Runs the credential's grant (signIn/credentialSignIn.ts). */
  signIn: CredentialSignIn;
  /** `m365mail-claims:` documents. */
  claimsDocuments: ReadOnlyDocuments;
  logger: Logger;
  pickCredential: CredentialPicker;
  workspaceFiles: WorkspaceCredentialFiles;
  /** Where tokens may go; its approvals are dropped when a credential is edited, deleted or imported. */
  destinations: TokenDestinationGuard;
}

/** The credential commands. Each takes a tree node (context menu) or nothing (palette: asks which credential). */
export function registerCredentialCommands(registry: CommandRegistry, deps: CredentialCommandDeps): void {
  const { store, tokens, settings, logger, pickCredential, destinations } = deps;
  const discoverIssuer = (issuer: string) => tokens.discoverIssuer(issuer);

  async function authorize(def: CredentialDefinition): Promise<void> {
    const status = await deps.signIn(def);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" is authorized{1}.', def.name, status.account ? vscode.l10n.t(' as {0}', status.account) : '')
    );
  }

  async function afterSave(def: CredentialDefinition, verb: string): Promise<void> {
    const authorizeNow = vscode.l10n.t('Authorize now');
    const copy = vscode.l10n.t('Copy redirect URI');
    const buttons = def.grant === 'authorizationCode' ? [authorizeNow, copy] : [authorizeNow];
    const text =
      def.grant === 'authorizationCode'
        ? vscode.l10n.t('Credential "{0}" {1}. Register the redirect URI {2} in the app registration, then authorize.', def.name, verb, def.redirectUri)
        : vscode.l10n.t('Credential "{0}" {1}.', def.name, verb);
    const choice = await vscode.window.showInformationMessage(text, ...buttons);
    if (choice === authorizeNow) await vscode.commands.executeCommand(CommandIds.authorize, def.id);
    if (choice === copy) await vscode.commands.executeCommand(CommandIds.copyRedirectUri, def.id);
  }

  registry.register(CommandIds.addCredential, async () => {
    const def = await new AddCredentialFlow(store, settings.clouds(), discoverIssuer).run();
    void afterSave(def, vscode.l10n.t('added'));
  });

  registry.register(CommandIds.authorize, async (arg) => authorize(await pickCredential(arg, vscode.l10n.t('Credential to authorize'))));

  registry.register(CommandIds.refreshNow, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential to refresh'));
    const token = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Refreshing "{0}"…', def.name) },
      () => tokens.getAccessToken(def.id, { destination: THIS_MACHINE, forceRefresh: true })
    );
    void vscode.window.showInformationMessage(
      vscode.l10n.t('"{0}" refreshed; the access token is valid until {1}.', def.name, new Date(token.expiresAt).toLocaleString())
    );
  });

  registry.register(CommandIds.editCredential, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential to edit'));
    const result = await new EditCredentialFlow(store, settings.clouds(), discoverIssuer).run(def);
    // An edit may change where tokens go: servers approved for the old definition are asked again.
    await destinations.forget(def.id);
    if (result.tokensInvalidated && store.status(def.id)?.authorizedAt) {
      await tokens.signOut(result.definition);
      void vscode.window.showInformationMessage(vscode.l10n.t('"{0}" changed in a way its tokens cannot follow; authorize it again.', def.name));
      return;
    }
    // Said once everything is stored (secrets included), so the next step can rely on it.
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved the change to "{0}".', result.definition.name));
  });

  registry.register(CommandIds.duplicateCredential, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential to duplicate'));
    const names = store.names();
    let name = vscode.l10n.t('{0} (copy)', def.name);
    for (let i = 2; names.includes(name); i++) name = vscode.l10n.t('{0} (copy {1})', def.name, i);
    const copy: CredentialDefinition = { ...structuredClone(def), id: store.newId(), name };
    // Secrets are copied too: a duplicate is for trying a variation of the same app registration.
    await store.save(copy, await store.secretsOf(def.id));
    void afterSave(copy, vscode.l10n.t('duplicated'));
  });

  registry.register(CommandIds.deleteCredential, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential to delete'));
    const del = vscode.l10n.t('Delete');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Delete "{0}"? Its client secret, key and tokens are removed from secret storage.', def.name),
      { modal: true },
      del
    );
    if (choice !== del) throw new CancelledError();
    await tokens.delete(def);
  });

  registry.register(CommandIds.signOut, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential to sign out'));
    await tokens.signOut(def);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('Signed out "{0}": its tokens are forgotten; the definition and client secret are kept.', def.name)
    );
  });

  registry.register(CommandIds.copyRedirectUri, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential whose redirect URI to copy'));
    const uri = await registeredRedirectUri(def);
    await vscode.env.clipboard.writeText(uri);
    const where = def.clientAuth === 'none' ? vscode.l10n.t('"Mobile and desktop applications"') : vscode.l10n.t('"Web"');
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0}. Add it in the app registration under Authentication → {1} platform.', uri, where));
  });

  registry.register(CommandIds.showTokenDetails, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential whose token to show'));
    const token = await tokens.getAccessToken(def.id, { destination: THIS_MACHINE });
    const summary = decodeJwtClaims(token.accessToken);
    const details = {
      credential: def.name,
      account: token.account,
      expiresAt: new Date(token.expiresAt).toISOString(),
      grantedScopes: token.scopes,
      ...(summary
        ? {
            audience: summary.audience,
            scopes: summary.scopes,
            roles: summary.roles,
            user: summary.user,
            tenant: summary.tenant,
            appId: summary.appId,
            issuer: summary.issuer,
            issuedAt: summary.issuedAt,
            claims: summary.claims
          }
        : { note: vscode.l10n.t('The access token is opaque (not a JWT); only the server can read it.') })
    };
    const claims = await vscode.workspace.openTextDocument(deps.claimsDocuments.set(`/${def.id}/token-claims.json`, JSON.stringify(details, null, 2)));
    await vscode.languages.setTextDocumentLanguage(claims, 'json');
    await vscode.window.showTextDocument(claims, { preview: true });
    const copyToken = vscode.l10n.t('Copy access token');
    if (
      (await vscode.window.showInformationMessage(
        vscode.l10n.t('Claims of the access token for "{0}". The token itself is not shown.', def.name),
        copyToken
      )) === copyToken
    ) {
      await vscode.env.clipboard.writeText(token.accessToken);
      logger.info(`access token of ${def.id} copied to the clipboard at the user's request`);
    }
  });

  registry.register(CommandIds.openAdminConsent, async (arg) => {
    const def = await pickCredential(arg, vscode.l10n.t('Credential whose app needs admin consent'));
    if (def.provider !== 'microsoft') {
      throw new M365MailError('not_supported', vscode.l10n.t('Admin consent is a Microsoft Entra ID step; "{0}" uses a generic provider.', def.name));
    }
    const refusal = presetRefusal(def, 'adminConsent');
    if (refusal) throw new M365MailError('not_supported', refusal);
    const url = settings.clouds().adminConsentUrl(def.cloud, def.tenant, def.clientId, def.redirectUri.replace(/^http:\/\/localhost$/, 'http://localhost'));
    await vscode.env.openExternal(vscode.Uri.parse(url, true));
  });

  registry.register(CommandIds.exportCredentials, async () => {
    const all = store.list();
    if (all.length === 0) throw new M365MailError('nothing_to_export', vscode.l10n.t('There are no credentials to export.'));
    const picked = await vscode.window.showQuickPick(
      all.map((d) => ({ label: d.name, description: d.userName, picked: true, id: d.id })),
      { canPickMany: true, placeHolder: vscode.l10n.t('Credentials to export (no secret is ever exported)') }
    );
    if (!picked || picked.length === 0) throw new CancelledError();
    const target = await vscode.window.showSaveDialog({
      filters: { JSON: ['json'] },
      saveLabel: vscode.l10n.t('Export'),
      defaultUri: vscode.workspace.workspaceFolders?.[0]
        ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'credentials.m365mail.json')
        : undefined
    });
    if (!target) throw new CancelledError();
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(exportDefinitions(picked.map((p) => store.get(p.id) as CredentialDefinition))));
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Exported {0} credential(s) to {1}. Secrets are not included: each user adds the client secret or certificate after import.',
        picked.length,
        target.fsPath
      )
    );
  });

  /**
   * A review, then all or nothing: every definition is checked, and every endpoint and server of
   * every one is shown, before the first is saved; a failure part-way removes what was saved.
   */
  const importFrom = async (source: vscode.Uri, fromWorkspace: boolean): Promise<void> => {
    let definitions: CredentialDefinition[];
    try {
      definitions = parseExport(new TextDecoder().decode(await vscode.workspace.fs.readFile(source)));
    } catch (error) {
      if (error instanceof ImportFormatError) throw new M365MailError('invalid_import', vscode.l10n.t('Nothing was imported: {0}', error.message));
      throw error;
    }
    const names = store.names();
    const problems: string[] = [];
    for (const def of definitions) {
      const found = validateDefinition(def, settings.clouds(), names);
      if (found.length) problems.push(`${def.name || '(no name)'}: ${found.join(' ')}`);
      names.push(def.name);
    }
    if (problems.length) throw new M365MailError('invalid_import', vscode.l10n.t('Nothing was imported. {0}', problems.join(' | ')));
    const review = buildImportReview(definitions, settings.clouds(), {
      source: vscode.workspace.asRelativePath(source),
      fromUntrustedWorkspace: !vscode.workspace.isTrusted && (fromWorkspace || vscode.workspace.getWorkspaceFolder(source) !== undefined)
    });
    const importButton = vscode.l10n.t('Import');
    const ask = { modal: true, detail: review.detail };
    const choice = review.foreignServers
      ? await vscode.window.showWarningMessage(review.message, ask, importButton)
      : await vscode.window.showInformationMessage(review.message, ask, importButton);
    if (choice !== importButton) throw new CancelledError();
    const saved: string[] = [];
    try {
      for (const def of definitions) {
        // Ids are new on import, so nothing was approved for them; said here so that it stays true.
        await destinations.forget(def.id);
        await store.save(def);
        saved.push(def.id);
      }
    } catch (error) {
      await Promise.allSettled(saved.map((id) => store.delete(id, async () => undefined)));
      throw error;
    }
    const needSecret = definitions.filter((d) => d.clientAuth !== 'none').length;
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'Imported {0} credential(s).{1}',
        definitions.length,
        needSecret ? vscode.l10n.t(' {0} need a client secret or certificate: use Edit.', needSecret) : ''
      )
    );
  };

  registry.register(CommandIds.importCredentials, async (arg) => {
    const source =
      arg instanceof vscode.Uri
        ? arg
        : (await vscode.window.showOpenDialog({ filters: { JSON: ['json'] }, canSelectMany: false, openLabel: vscode.l10n.t('Import') }))?.[0];
    if (!source) throw new CancelledError();
    await importFrom(source, false);
  });

  registry.register(CommandIds.importWorkspaceCredentials, async () => {
    const files = await deps.workspaceFiles.find();
    if (files.length === 0) {
      throw new M365MailError('no_workspace_file', vscode.l10n.t('This folder has no shared credential definitions (*.m365mail.json).'), {
        nextStep: vscode.l10n.t('Use "Import credentials" to pick a file elsewhere, or "Export credentials" to create one.')
      });
    }
    const source =
      files.length === 1
        ? files[0]
        : (
            await vscode.window.showQuickPick(
              files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
              { placeHolder: vscode.l10n.t('Credential definitions to import') }
            )
          )?.uri;
    if (!source) throw new CancelledError();
    await importFrom(source, true);
  });
}
