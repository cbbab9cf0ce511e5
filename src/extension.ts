import * as vscode from 'vscode';
import { CommandIds } from './commands/commandIds';
import { CommandRegistry } from './commands/registry';
import { OutputChannelLogger } from './common/logger';
import { SecretRedactor } from './common/redact';
import { Telemetry } from './telemetry/telemetry';
import { CredentialsTreeProvider } from './views/credentialsTreeProvider';

/**
 * The composition root. Activation only wires objects together: it connects to nothing and loads
 * no heavy module (MSAL, nodemailer, imapflow, mail parsing, telemetry live in dist/chunks and load
 * on first use). It logs how long it took.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();

  const redactor = new SecretRedactor();
  const logger = OutputChannelLogger.create(redactor);
  const telemetry = new Telemetry(logger.child('telemetry'), redactor);
  const commands = new CommandRegistry(logger.child('commands'), telemetry);
  const tree = new CredentialsTreeProvider();

  context.subscriptions.push(
    logger,
    telemetry,
    commands,
    tree,
    vscode.window.createTreeView('m365mail.credentials', { treeDataProvider: tree, showCollapseAll: false })
  );

  commands.register(CommandIds.showLog, () => logger.show());

  const activationMs = performance.now() - started;
  logger.info(`activate() took ${activationMs.toFixed(1)} ms (extension ${context.extension.packageJSON.version}, VS Code ${vscode.version}, ${vscode.env.appHost})`);
  telemetry.send('activated', {
    properties: { hostKind: vscode.env.remoteName ? 'remote' : vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop' },
    measurements: { activationMs: Math.round(activationMs) }
  });
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
