import * as vscode from 'vscode';
import type { Settings } from '../common/settings';
import { CancelledError, M365MailError } from '../core/errors';
import { AEM_CONFIG_FOLDER, AEM_MAIL_SERVICE_FILE, AEM_OAUTH_FILE, AEM_SECRET_VARIABLES, aemOsgiFiles, type OsgiFile } from '../core/handover/aem';
import { copyableFields, renderHandoverMarkdown, type HandoverDocument, type Unsupported } from '../core/handover/fields';
import { parseSapHost, sapSecurityMaterial } from '../core/handover/sap';
import { connectionTestScript } from '../core/handover/testScript';
import { uipathConnection } from '../core/handover/uipath';
import type { Logger } from '../core/logger';
import type { CredentialDefinition } from '../core/model';
import { THIS_MACHINE } from '../core/tokenDestinations';
import type { CredentialStore } from '../credentials/credentialStore';
import type { TokenBroker } from '../credentials/tokenBroker';
import type { ReadOnlyDocuments } from '../views/readOnlyDocuments';
import { CommandIds } from './commandIds';
import type { CredentialPicker } from './pickCredential';
import type { CommandRegistry } from './registry';

export interface HandoverCommandDeps {
  store: CredentialStore;
  tokens: TokenBroker;
  settings: Settings;
  logger: Logger;
  pickCredential: CredentialPicker;
  /** The SAP and UiPath values as Markdown (`m365mail-report:`): nothing in them is a secret. */
  documents: ReadOnlyDocuments;
}

type Target = 'aem' | 'aemFolder' | 'aemRefreshToken' | 'sap' | 'uipath' | 'script';

/**
 * "Use in…": an authorized credential carried into the platform that will use it. The values come
 * from src/core/handover/; this file asks, shows and copies. No secret is ever written into a file
 * or an editor: the refresh token reaches the clipboard only after its own modal, and an access
 * token for the script only when the user picks "Copy access token".
 */
export function registerHandoverCommands(registry: CommandRegistry, deps: HandoverCommandDeps): void {
  const { store, tokens, settings, logger } = deps;

  function unsupported(result: Unsupported): never {
    throw new M365MailError('not_supported', result.reason);
  }

  async function openUntitled(file: OsgiFile): Promise<void> {
    // An untitled editor named after the file: saving it proposes the OSGi file name.
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = folder ? vscode.Uri.joinPath(folder, file.fileName).with({ scheme: 'untitled' }) : vscode.Uri.from({ scheme: 'untitled', path: file.fileName });
    const document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(0, 0, document.lineCount, 0), file.text);
    await vscode.workspace.applyEdit(edit);
    await vscode.languages.setTextDocumentLanguage(document, 'json');
    await vscode.window.showTextDocument(document, { preview: false });
  }

  async function aem(def: CredentialDefinition): Promise<void> {
    const result = aemOsgiFiles(def, settings.clouds());
    if (result.kind === 'unsupported') unsupported(result);
    for (const file of result.files) await openUntitled(file);
    logger.info(`AEM OSGi files of ${def.id} opened as untitled editors`);
    const copy = vscode.l10n.t('Copy the refresh token…');
    const choice = await vscode.window.showInformationMessage(result.notes.join(' '), copy);
    if (choice === copy) await copyRefreshToken(def);
  }

  /**
   * The two OSGi files written into a folder the user picks (the project's `osgiconfig/config`).
   * Both are written beside their targets first and then renamed over them, so a failure part-way
   * leaves no file half-written; an existing file is replaced only after a modal that names it.
   */
  async function aemToFolder(def: CredentialDefinition): Promise<void> {
    const result = aemOsgiFiles(def, settings.clouds());
    if (result.kind === 'unsupported') unsupported(result);
    const [folder] =
      (await vscode.window.showOpenDialog({
        canSelectFiles: false,
        canSelectFolders: true,
        canSelectMany: false,
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
        title: vscode.l10n.t('Folder for the OSGi files of "{0}" ({1} in the AEM project)', def.name, AEM_CONFIG_FOLDER),
        openLabel: vscode.l10n.t('Save here')
      })) ?? [];
    if (!folder) throw new CancelledError();
    const targets = result.files.map((file) => ({ file, uri: vscode.Uri.joinPath(folder, file.fileName) }));
    const existing: string[] = [];
    const exists = (uri: vscode.Uri) =>
      vscode.workspace.fs.stat(uri).then(
        () => true,
        () => false
      );
    for (const { file, uri } of targets) {
      if (await exists(uri)) existing.push(file.fileName);
    }
    if (existing.length) {
      const replace = vscode.l10n.t('Replace');
      const answer = await vscode.window.showWarningMessage(
        vscode.l10n.t('{0} already exists in {1}. Replace it?', existing.join(', '), folder.fsPath || folder.path),
        { modal: true },
        replace
      );
      if (answer !== replace) throw new CancelledError();
    }
    const pending = targets.map(({ file, uri }) => ({ file, uri, partial: vscode.Uri.joinPath(folder, `.${file.fileName}.m365mail-partial`) }));
    try {
      for (const { file, partial } of pending) await vscode.workspace.fs.writeFile(partial, new TextEncoder().encode(file.text));
      for (const { uri, partial } of pending) await vscode.workspace.fs.rename(partial, uri, { overwrite: true });
    } finally {
      for (const { partial } of pending) await vscode.workspace.fs.delete(partial).then(undefined, () => undefined);
    }
    logger.info(`AEM OSGi files of ${def.id} saved to a folder`);
    const open = vscode.l10n.t('Open them');
    const copy = vscode.l10n.t('Copy the refresh token…');
    const choice = await vscode.window.showInformationMessage(
      [vscode.l10n.t('Saved {0} and {1}.', AEM_OAUTH_FILE, AEM_MAIL_SERVICE_FILE), ...result.notes].join(' '),
      open,
      copy
    );
    if (choice === open) {
      for (const { uri } of targets) await vscode.window.showTextDocument(uri, { preview: false });
    }
    if (choice === copy) await copyRefreshToken(def);
  }

  async function copyRefreshToken(def: CredentialDefinition): Promise<void> {
    // AEM redeems the token with a client secret: a device-code (public client) token would be refused.
    if (def.grant !== 'authorizationCode') {
      throw new M365MailError(
        'not_supported',
        vscode.l10n.t('AEM takes a refresh token from a browser sign-in (authorization code); "{0}" does not use one.', def.name)
      );
    }
    const status = store.status(def.id);
    const until = status?.refreshTokenExpiresAt ? new Date(status.refreshTokenExpiresAt).toLocaleDateString() : '';
    const copy = vscode.l10n.t('Copy refresh token');
    const detail = [
      vscode.l10n.t(
        'A refresh token signs in as {0} to this app without a password. Put it only into the Cloud Manager secret variable {1}; it is never written to a file.',
        status?.account ?? def.userName ?? '',
        AEM_SECRET_VARIABLES.refreshToken
      ),
      vscode.l10n.t(
        'It lives up to {0} days from its last use{1}, unless it is revoked (a password reset, an admin revoking sessions). AEM renews the copy it holds when it uses it.',
        def.refreshTokenExpiryDays,
        until ? vscode.l10n.t(' (M365 Mail renews its own by {0})', until) : ''
      ),
      vscode.l10n.t('M365 Mail keeps renewing its own copy; the one you copy now is separate from it and is not renewed by M365 Mail.')
    ].join('\n\n');
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('Copy the refresh token of "{0}"?', def.name), { modal: true, detail }, copy);
    if (choice !== copy) throw new CancelledError();
    const { refreshToken } = await tokens.readRefreshToken(def.id);
    await vscode.env.clipboard.writeText(refreshToken);
    logger.info(`refresh token of ${def.id} copied to the clipboard at the user's request`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('The refresh token is on the clipboard. Paste it into {0}, then copy something else over it.', AEM_SECRET_VARIABLES.refreshToken)
    );
  }

  async function askSapHost(def: CredentialDefinition, current: string | undefined): Promise<string> {
    const typed = await vscode.window.showInputBox({
      title: vscode.l10n.t('SAP Cloud Integration tenant of "{0}"', def.name),
      prompt: vscode.l10n.t('The host of your tenant, or the address of its web UI (https://<host>/itspaces). Its redirect URI depends on it.'),
      value: current,
      ignoreFocusOut: true,
      validateInput: (value) =>
        'problem' in parseSapHost(value)
          ? vscode.l10n.t('A host name such as mytenant.it-cpi018.cfapps.eu10.hana.ondemand.com, or an https:// address on it.')
          : undefined
    });
    if (typed === undefined) throw new CancelledError();
    const parsed = parseSapHost(typed);
    if ('problem' in parsed) throw new CancelledError();
    await store.rememberHandover(def.id, { sapHost: parsed.host });
    return parsed.host;
  }

  async function showDocument(def: CredentialDefinition, slug: string, doc: HandoverDocument, extra: vscode.QuickPickItem[] = []): Promise<string | undefined> {
    const name = def.name.replace(/[\\/:*?"<>|#%]+/g, ' ').trim() || 'credential';
    const uri = deps.documents.set(`/${def.id}/${slug} - ${name}.md`, renderHandoverMarkdown(doc));
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
    // The list stays open until Escape, so each value can be copied in turn.
    for (;;) {
      const items = [
        ...copyableFields(doc).map((field) => ({
          label: vscode.l10n.t('Copy {0}', field.label),
          description: field.value,
          value: field.value,
          field: field.label
        })),
        ...extra
      ];
      const picked = await vscode.window.showQuickPick(items, { title: doc.title, placeHolder: vscode.l10n.t('Copy a value (Escape when done)') });
      if (!picked) return undefined;
      if (!('value' in picked)) return picked.label;
      await vscode.env.clipboard.writeText(picked.value);
      void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', picked.field), 3000);
    }
  }

  async function sap(def: CredentialDefinition): Promise<void> {
    let host = store.handoverMemory(def.id).sapHost ?? (await askSapHost(def, undefined));
    const change = vscode.l10n.t('Change the SAP tenant host…');
    for (;;) {
      const doc = sapSecurityMaterial(def, settings.clouds(), host);
      if ('kind' in doc) unsupported(doc);
      const chosen = await showDocument(def, 'SAP Cloud Integration', doc, [{ label: change }]);
      if (chosen !== change) return;
      host = await askSapHost(def, host);
    }
  }

  async function uipath(def: CredentialDefinition): Promise<void> {
    const doc = uipathConnection(def);
    if ('kind' in doc) unsupported(doc);
    await showDocument(def, 'UiPath', doc);
  }

  async function script(def: CredentialDefinition): Promise<void> {
    const { text, variables } = connectionTestScript(def, settings.clouds());
    const document = await vscode.workspace.openTextDocument({ language: 'shellscript', content: text });
    await vscode.window.showTextDocument(document, { preview: false });
    // The token is never in the script; each variable's token is copied only when asked for.
    for (;;) {
      const buttons = variables.map((v) => vscode.l10n.t('Copy access token for {0}', v.name));
      const choice = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          'The script reads the token from {0}. Copy a fresh one, then in the shell: read -rs {1} && export {1}',
          variables.map((v) => `$${v.name}`).join(', '),
          variables[0].name
        ),
        ...buttons
      );
      const variable = variables[buttons.indexOf(choice ?? '')];
      if (!variable) return;
      const token = await tokens.getAccessToken(def.id, { destination: THIS_MACHINE, resource: variable.resource });
      await vscode.env.clipboard.writeText(token.accessToken);
      logger.info(`${variable.resource} access token of ${def.id} copied to the clipboard at the user's request`);
      if (variables.length === 1) return;
    }
  }

  registry.register(CommandIds.useIn, async (arg, targetArg) => {
    const def = await deps.pickCredential(arg, vscode.l10n.t('Credential to use in another platform'));
    const state = store.state(def.id);
    if (state !== 'authorized' && state !== 'expiring') {
      throw new M365MailError('not_authorized', vscode.l10n.t('"{0}" is not authorized.', def.name), {
        nextStep: vscode.l10n.t('Authorize it first: the hand-over carries a credential that works.'),
        actions: [{ title: vscode.l10n.t('Authorize'), run: async () => void (await vscode.commands.executeCommand(CommandIds.authorize, def.id)) }]
      });
    }
    const targets: Array<vscode.QuickPickItem & { target: Target }> = [
      { label: 'Adobe Experience Manager', detail: vscode.l10n.t('The two OSGi configurations of the mail service, as untitled editors'), target: 'aem' },
      {
        label: vscode.l10n.t('Adobe Experience Manager: save the OSGi files to a folder…'),
        detail: vscode.l10n.t('The same two files, written into the folder you pick (no secret in them)'),
        target: 'aemFolder'
      },
      {
        label: vscode.l10n.t('Adobe Experience Manager: copy the refresh token…'),
        detail: vscode.l10n.t('For the Cloud Manager secret variable {0}; asks first', AEM_SECRET_VARIABLES.refreshToken),
        target: 'aemRefreshToken'
      },
      {
        label: 'SAP Cloud Integration',
        detail: vscode.l10n.t('The values of its "OAuth2 Authorization Code" security material and its redirect URI'),
        target: 'sap'
      },
      { label: 'UiPath Integration Service', detail: vscode.l10n.t('The fields of its Microsoft Outlook 365 connection'), target: 'uipath' },
      {
        label: vscode.l10n.t('A script'),
        detail: vscode.l10n.t('curl commands that test the mail servers (or Graph) with a token from an environment variable'),
        target: 'script'
      }
    ];
    const target =
      typeof targetArg === 'string' && targets.some((x) => x.target === targetArg)
        ? (targetArg as Target)
        : (await vscode.window.showQuickPick(targets, { placeHolder: vscode.l10n.t('Use "{0}" in…', def.name) }))?.target;
    if (!target) throw new CancelledError();
    const run: Record<Target, (def: CredentialDefinition) => Promise<void>> = {
      aem,
      aemFolder: aemToFolder,
      aemRefreshToken: copyRefreshToken,
      sap,
      uipath,
      script
    };
    await run[target](def);
  });
}
