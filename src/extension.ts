import * as vscode from 'vscode';
import { CommandIds } from './commands/commandIds';
import { registerAppRegistrationCommands } from './commands/appRegistrationCommands';
import { registerCredentialCommands } from './commands/credentialCommands';
import { registerDiagnosticsCommands } from './commands/diagnosticsCommands';
import { registerHandoverCommands } from './commands/handoverCommands';
import { GraphSwitch } from './commands/graphSwitch';
import { registerMailCommands } from './commands/mailCommands';
import { credentialPicker } from './commands/pickCredential';
import { CommandRegistry } from './commands/registry';
import { OutputChannelLogger } from './common/outputChannelLogger';
import { SecretRedactor } from './core/redact';
import { Settings } from './common/settings';
import { CredentialStore } from './credentials/credentialStore';
import { TokenBroker } from './credentials/tokenBroker';
import { showStaleWindowNotice } from './credentials/ui/staleWindowNotice';
import { WindowCoherence } from './credentials/windowCoherence';
import { TokenDestinationGuard } from './credentials/tokenDestinationGuard';
import { AuthUriHandler } from './signIn/authUriHandler';
import { credentialSignIn } from './signIn/credentialSignIn';
import { Telemetry } from './telemetry/telemetry';
import { CredentialsStatusBar } from './views/credentialsStatusBar';
import { CredentialsTreeProvider } from './views/credentialsTreeProvider';
import { ReadOnlyDocuments } from './views/readOnlyDocuments';
import { WorkspaceCredentialFiles } from './views/workspaceCredentialFiles';
import { CredentialContextKeys } from './views/credentialContextKeys';
import { openWalkthrough, openWalkthroughOnFirstRun } from './views/walkthrough';
import { useDisplayLanguage } from './core/localization';

/** Re-evaluate time-based states (expiring, expired) this often. */
const STATE_TICK_MS = 60_000;

/**
 * The composition root. Activation only wires objects together: it connects to nothing and loads
 * no heavy module (MSAL, oauth4webapi, nodemailer, imapflow, mail parsing, telemetry live in
 * dist/chunks and load on first use). It logs how long it took.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  useDisplayLanguage({ bundle: vscode.l10n.bundle, language: vscode.env.language });

  const redactor = new SecretRedactor();
  const logger = OutputChannelLogger.create(redactor);
  const telemetry = new Telemetry(logger.child('telemetry'), redactor);
  const settings = new Settings(logger.child('settings'), redactor);
  const commands = new CommandRegistry(logger.child('commands'), telemetry, redactor);
  const coherence = new WindowCoherence(context.globalStorageUri, context.secrets, logger.child('credentials'));
  const store = new CredentialStore(context.globalState, context.secrets, () => settings.clouds(), redactor, logger.child('credentials'), coherence);
  const destinations = new TokenDestinationGuard(context.globalState, () => settings.clouds(), logger.child('auth'));
  const tokens = new TokenBroker(store, settings, redactor, logger.child('auth'), destinations, coherence);
  const tree = new CredentialsTreeProvider(store);
  const statusBar = new CredentialsStatusBar(store);
  const contextKeys = new CredentialContextKeys(store);
  const uriHandler = new AuthUriHandler();
  const claimsDocuments = new ReadOnlyDocuments('m365mail-claims');
  const reportDocuments = new ReadOnlyDocuments('m365mail-report');
  const treeView = vscode.window.createTreeView('m365mail.credentials', { treeDataProvider: tree, showCollapseAll: true });
  // Only rows whose state, description or icon changed are redrawn (thousands of credentials).
  const workspaceFiles = new WorkspaceCredentialFiles();
  workspaceFiles.watchWhenVisible(treeView);
  const tick = setInterval(() => {
    statusBar.update();
    tree.refreshChanged();
  }, STATE_TICK_MS);

  context.subscriptions.push(
    logger,
    telemetry,
    settings,
    commands,
    coherence,
    coherence.onDidBecomeStale(() => void showStaleWindowNotice()),
    store,
    tokens,
    tree,
    statusBar,
    contextKeys,
    uriHandler,
    claimsDocuments,
    reportDocuments,
    workspaceFiles,
    treeView,
    tree.trackExpansion(treeView),
    {
      dispose: () => clearInterval(tick)
    }
  );

  commands.register(CommandIds.showLog, () => logger.show());
  commands.register(CommandIds.getStarted, () => openWalkthrough());
  const pickCredential = credentialPicker(store);
  const signIn = credentialSignIn({ auth: tokens, uriHandler, logger: logger.child('auth'), timeoutMs: () => settings.authorizationTimeoutMs() });
  const graphSwitch = new GraphSwitch({ store, settings, signIn, logger: logger.child('mail') });
  registerCredentialCommands(commands, {
    store,
    tokens,
    settings,
    signIn,
    claimsDocuments,
    logger: logger.child('commands'),
    pickCredential,
    workspaceFiles,
    destinations
  });
  registerMailCommands(commands, {
    extensionUri: context.extensionUri,
    store,
    tokens,
    settings,
    logger: logger.child('mail'),
    redactor,
    pickCredential,
    graphSwitch
  });
  registerAppRegistrationCommands(commands, {
    settings,
    logger: logger.child('commands'),
    pickCredential,
    store,
    reportDocuments
  });
  registerDiagnosticsCommands(commands, { tokens, settings, logger: logger.child('diagnostics'), pickCredential, reportDocuments, graphSwitch });
  registerHandoverCommands(commands, { store, tokens, settings, logger: logger.child('handover'), pickCredential, documents: reportDocuments });

  openWalkthroughOnFirstRun(context.globalState, store.list().length > 0);

  const activationMs = performance.now() - started;
  logger.info(
    `activate() took ${activationMs.toFixed(1)} ms (extension ${context.extension.packageJSON.version}, VS Code ${vscode.version}, ${vscode.env.appHost}, ${store.list().length} credentials)`
  );
  telemetry.send('activated', {
    properties: { hostKind: vscode.env.remoteName ? 'remote' : vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop' },
    measurements: { activationMs: Math.round(activationMs) }
  });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
