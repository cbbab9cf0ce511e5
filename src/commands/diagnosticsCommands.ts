import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Settings } from '../common/settings';
import { mailboxOf, transportsOf, type CredentialDefinition, type MailEndpoint } from '../core/model';
import { directMailNote } from '../common/directMailNote';
import { graphTargetOf } from '../common/graphTarget';
import { loadChunk } from '../common/lazyChunk';
import { microsoftPresetOf } from '../core/presets';
import { toMailServer } from '../core/tokenDestinations';
import { decodeXoauth2 } from '../core/xoauth2Decode';
import { formatXoauth2Report } from '../core/xoauth2Report';
import type { TokenBroker } from '../credentials/tokenBroker';
import { testConnection } from '../mail/diagnostics/connectionTest';
import type { ConnectionProtocol, ConnectionReport, ConnectionStep, ConnectionTestOptions } from '../mail/diagnostics/report';
import { formatConnectionReport, stepTitle } from '../mail/diagnostics/formatReport';
import { CommandIds } from './commandIds';
import type { GraphSwitch } from './graphSwitch';
import type { CredentialPicker } from './pickCredential';
import type { CommandRegistry } from './registry';
import type { ReadOnlyDocuments } from '../views/readOnlyDocuments';
import { setWalkthroughKey, WalkthroughKeys } from '../views/walkthrough';

export interface DiagnosticsCommandDeps {
  tokens: TokenBroker;
  settings: Settings;
  logger: Logger;
  pickCredential: CredentialPicker;
  /**
   * `m365mail-report:` documents, shown in the Markdown preview: a report is evidence of what the
   * server said; "Open Source" on the preview gives the Markdown to copy into a ticket.
   */
  reportDocuments: ReadOnlyDocuments;
  /** "Send through Microsoft Graph instead" when the SMTP test finds SMTP AUTH off. */
  graphSwitch: GraphSwitch;
}

/**
 * "Test connection": the credential's IMAP and SMTP servers, step by step, as a Markdown report.
 * "Decode XOAUTH2 string": another system's SASL string judged as Exchange Online would, as a report.
 */
export function registerDiagnosticsCommands(registry: CommandRegistry, deps: DiagnosticsCommandDeps): void {
  const { tokens, settings, logger } = deps;

  registry.register(CommandIds.testConnection, async (arg) => {
    const def = await deps.pickCredential(arg, vscode.l10n.t('Credential whose servers to test'));
    // A token for each server, asked for only when its probe reaches the SASL step (the broker
    // serves both from one cached token, and asks the user first about a server that is not the
    // cloud's own); a failure or a refusal shows as the red token step, after DNS, TCP and TLS.
    const tokenFor = (server: MailEndpoint) => () => tokens.getAccessToken(def.id, { destination: toMailServer(server) }).then((result) => result.accessToken);
    const extraCaCertificates = settings.trustedCaCertificates();
    // The proxy chunk (https-proxy-agent) is loaded only when a proxy is configured.
    const proxy = settings.proxy();
    const route = proxy ? (target: URL) => loadChunk('proxy').httpsRouteFor(target, extraCaCertificates, proxy) : undefined;

    const reports = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Testing the servers of "{0}"', def.name), cancellable: true },
      async (progress, cancellation) => {
        const controller = new AbortController();
        const subscription = cancellation.onCancellationRequested(() => controller.abort());
        const onStep = (step: ConnectionStep, report: { protocol: ConnectionProtocol }) => {
          const mark = step.status === 'passed' ? '✓' : '✗';
          progress.report({ message: `${report.protocol.toUpperCase()}: ${stepTitle(report, step.id, step)} ${mark}` });
        };
        const common: Omit<ConnectionTestOptions, 'host' | 'port' | 'security' | 'getAccessToken'> = {
          user: mailboxOf(def),
          extraCaCertificates,
          route,
          signal: controller.signal,
          logger,
          onStep
        };
        const runs: Array<Promise<ConnectionReport>> = [];
        const tokenEndpoint = tokenEndpointOf(def, settings);
        if (proxy && tokenEndpoint) {
          const noToken = () => Promise.reject(new Error('the proxy step asks for no token'));
          runs.push(
            testConnection('proxy', { ...common, host: '', port: 0, security: 'tls', getAccessToken: noToken, proxyTest: { config: proxy, tokenEndpoint } })
          );
        }
        const transports = transportsOf(def);
        const reads = def.purpose !== 'smtp';
        const sends = def.purpose !== 'imap';
        const imap = { ...common, ...def.imap, getAccessToken: tokenFor(def.imap), directNote: directMailNote(def, 'IMAP', def.imap.port, settings) };
        const smtp = { ...common, ...def.smtp, getAccessToken: tokenFor(def.smtp), directNote: directMailNote(def, 'SMTP', def.smtp.port, settings) };
        if (reads && transports.read === 'imap') runs.push(testConnection('imap', imap));
        if (sends && transports.send === 'smtp') runs.push(testConnection('smtp', smtp));
        const overGraph = { reads: reads && transports.read === 'graph', sends: sends && transports.send === 'graph' };
        if (overGraph.reads || overGraph.sends) {
          const target = graphTargetOf(def, settings, logger, (destination) => tokens.getAccessToken(def.id, { destination, resource: 'graph' }));
          const audience = (settings.clouds().require(def.cloud).graphScopePrefix ?? `${target.graphEndpoint}/`).replace(/\/+$/, '');
          runs.push(
            testConnection('graph', {
              ...common,
              host: '',
              port: 0,
              security: 'tls',
              getAccessToken: target.getAccessToken,
              graph: { endpoint: target.graphEndpoint, audience, appOnly: target.appOnly, shared: Boolean(def.sharedMailbox), ...overGraph }
            })
          );
        }
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
    // No server with a failed step: the walkthrough's "Test the connection" step is done.
    if (reports.length > 0 && !reports.some((r) => r.steps.some((s) => s.status === 'failed'))) setWalkthroughKey(WalkthroughKeys.testedConnection);
    // SMTP AUTH off (5.7.139): a delegated credential is offered Graph once the report is open; for
    // an app-only one the report says what the admin must do.
    const toGraph = deps.graphSwitch.afterConnectionTest(def, reports);
    const notes = [
      vscode.l10n.t('Extra trusted CAs (m365mail.trustedCaCertificates): {0}', extraCaCertificates.length),
      ...(microsoftPresetOf(def)?.id === 'hve'
        ? [vscode.l10n.t('High Volume Email is send-only: it has no IMAP, so there is no IMAP test and no inbox preview.')]
        : def.purpose === 'both'
          ? []
          : [vscode.l10n.t('Only {0} is tested: that is the purpose of this credential.', def.purpose.toUpperCase())]),
      ...(toGraph.kind === 'adminConsent' ? [vscode.l10n.t('SMTP AUTH is off for this mailbox (5.7.139). {0}', toGraph.nextStep)] : [])
    ];
    // One document per credential, replaced by the next run (an open preview follows).
    const name = def.name.replace(/[\\/:*?"<>|#%]+/g, ' ').trim() || 'credential';
    const markdown = formatConnectionReport({ credentialName: def.name, reports, notes });
    await showReport(deps.reportDocuments.set(`/${def.id}/${vscode.l10n.t('Connection test')} - ${name}.md`, markdown));
    if (toGraph.kind === 'offer') await deps.graphSwitch.offerAfterConnectionTest(def);
  });

  registry.register(CommandIds.decodeXoauth2, async () => {
    // A password box: the string holds a live token, so it is never echoed, logged or kept; only
    // the decoded claims reach the document.
    const input = await vscode.window.showInputBox({
      title: vscode.l10n.t('Decode XOAUTH2 string'),
      prompt: vscode.l10n.t('The base64 string another system sent after AUTH XOAUTH2 (from its log). It is decoded here and never stored or sent.'),
      password: true,
      ignoreFocusOut: true
    });
    if (input === undefined) throw new CancelledError();
    const result = decodeXoauth2(input, { clouds: settings.clouds().all() });
    logger.info(`decode xoauth2: ${result.verdict}${result.appOnly ? ' (app-only)' : ''}`);
    await showReport(deps.reportDocuments.set(`/xoauth2/${vscode.l10n.t('XOAUTH2 string')}.md`, formatXoauth2Report(result)));
  });
}

/** Where the credential's token requests go: the cloud's authority (Microsoft), the token URL or the issuer (generic). */
function tokenEndpointOf(def: CredentialDefinition, settings: Settings): string | undefined {
  if (def.provider === 'generic') return def.tokenUrl ?? def.issuer;
  return `${settings.clouds().authority(def.cloud, def.tenant)}/oauth2/v2.0/token`;
}

/** Opens a report document in the Markdown preview, or as text when the Markdown extension is off. */
async function showReport(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in Markdown extension is disabled: the source is readable too.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}
