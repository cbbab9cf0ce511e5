import * as vscode from 'vscode';
import { CancelledError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { Settings } from '../common/settings';
import type { CredentialDefinition } from '../credentials/model';
import type { TokenBroker } from '../credentials/tokenBroker';
import { testConnection } from '../mail/diagnostics/connectionTest';
import type { ConnectionProtocol, ConnectionReport, ConnectionStep, ConnectionTestOptions } from '../mail/diagnostics/report';
import { formatConnectionReport, stepTitle, type Translate } from '../mail/diagnostics/formatReport';
import { CommandIds } from './commandIds';
import type { CredentialPicker } from './pickCredential';
import type { CommandRegistry } from './registry';

export interface DiagnosticsCommandDeps {
  tokens: TokenBroker;
  settings: Settings;
  logger: Logger;
  pickCredential: CredentialPicker;
}

/**
 * Connection reports as read-only Markdown documents (`m365mail-report:` scheme), shown in the
 * Markdown preview. Read-only and virtual on purpose: a report is evidence of what the server said,
 * nothing invites editing it, closing it never asks to save, and nothing lands on disk; "Open
 * Source" on the preview gives the Markdown to copy into a ticket. One document per credential,
 * replaced by the next run (the open preview follows).
 */
class ConnectionReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'm365mail-report';
  private readonly contents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(ConnectionReportDocuments.scheme, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  async show(def: CredentialDefinition, markdown: string): Promise<void> {
    const name = def.name.replace(/[\\/:*?"<>|#%]+/g, ' ').trim() || 'credential';
    const uri = vscode.Uri.from({ scheme: ConnectionReportDocuments.scheme, path: `/${def.id}/${vscode.l10n.t('Connection test')} - ${name}.md` });
    this.contents.set(uri.path, markdown);
    this.changeEmitter.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      // The built-in Markdown extension is disabled: the source is readable too.
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changeEmitter.dispose();
    this.contents.clear();
  }
}

/** "Test connection": the credential's IMAP and SMTP servers, step by step, as a Markdown report. */
export function registerDiagnosticsCommands(registry: CommandRegistry, deps: DiagnosticsCommandDeps): vscode.Disposable {
  const { tokens, settings, logger } = deps;
  const documents = new ConnectionReportDocuments();
  const t: Translate = (message, ...args) => vscode.l10n.t(message, ...args);

  registry.register(CommandIds.testConnection, async (arg) => {
    const def = await deps.pickCredential(arg, vscode.l10n.t('Credential whose servers to test'));
    // The XOAUTH2 user: the shared mailbox for a delegate, else the user (as sending and the preview do).
    const mailbox = def.sharedMailbox ?? def.userName ?? '';
    // One token for both servers, asked for only when the first probe reaches its SASL step; a
    // failure shows as the red token step of each report, after DNS, TCP and TLS have run.
    let token: Promise<string> | undefined;
    const getAccessToken = () => (token ??= tokens.getAccessToken(def.id).then((result) => result.accessToken));
    const extraCaCertificates = settings.trustedCaCertificates();

    const reports = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing the servers of "{0}"', def.name), cancellable: true },
      async (progress, cancellation) => {
        const controller = new AbortController();
        const subscription = cancellation.onCancellationRequested(() => controller.abort());
        const onStep = (step: ConnectionStep, report: { protocol: ConnectionProtocol }) => {
          const mark = step.status === 'passed' ? '✓' : '✗';
          progress.report({ message: `${report.protocol.toUpperCase()}: ${stepTitle(report, step.id, t, step)} ${mark}` });
        };
        const common: Omit<ConnectionTestOptions, 'host' | 'port' | 'security'> = {
          user: mailbox,
          getAccessToken,
          extraCaCertificates,
          signal: controller.signal,
          logger,
          onStep
        };
        const runs: Array<Promise<ConnectionReport>> = [];
        if (def.purpose !== 'smtp') runs.push(testConnection('imap', { ...common, ...def.imap }));
        if (def.purpose !== 'imap') runs.push(testConnection('smtp', { ...common, ...def.smtp }));
        try {
          return await Promise.all(runs);
        } catch (error) {
          if (controller.signal.aborted) throw new CancelledError();
          throw error;
        } finally {
          subscription.dispose();
        }
      }
    );

    for (const report of reports) {
      const failed = report.steps.find((s) => s.status === 'failed');
      logger.info(
        `test connection ${def.id} ${report.protocol} ${report.host}:${report.port}: ${failed ? `failed at ${failed.id} [${failed.error?.code ?? ''}]` : 'passed'} in ${report.durationMs} ms`
      );
    }
    const notes = [
      vscode.l10n.t('Extra trusted CAs (m365mail.trustedCaCertificates): {0}', extraCaCertificates.length),
      ...(def.purpose === 'both' ? [] : [vscode.l10n.t('Only {0} is tested: that is the purpose of this credential.', def.purpose.toUpperCase())])
    ];
    await documents.show(def, formatConnectionReport({ credentialName: def.name, reports, notes }, t));
  });

  return documents;
}
