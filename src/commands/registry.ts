import * as vscode from 'vscode';
import { isCancelled, M365MailError } from '../core/errors';
import type { Logger } from '../core/logger';
import { telemetryErrorCode } from '../core/telemetryCodes';
import type { Telemetry } from '../telemetry/telemetry';
import type { CommandId } from './commandIds';

export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * The one place commands are registered. Each handler runs inside the error boundary: cancellation
 * is silent, a typed {@link M365MailError} is logged and shown with its next step, anything else is
 * logged in full and shown as an unexpected error. Handlers may take a tree node or nothing.
 */
export class CommandRegistry implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly telemetry: Telemetry
  ) {}

  register(id: CommandId, handler: CommandHandler): void {
    this.disposables.push(vscode.commands.registerCommand(id, (...args: unknown[]) => this.run(id, handler, args)));
  }

  private async run(id: CommandId, handler: CommandHandler, args: unknown[]): Promise<unknown> {
    const started = performance.now();
    let outcome: 'ok' | 'cancelled' | 'error' = 'ok';
    let errorCode = '';
    try {
      return await handler(...args);
    } catch (error) {
      if (isCancelled(error)) {
        outcome = 'cancelled';
        this.logger.info(`${id}: cancelled`);
        return undefined;
      }
      outcome = 'error';
      // Codes can come from the server or a library: only known ones are sent.
      errorCode = telemetryErrorCode(error instanceof M365MailError ? error.code : 'unexpected');
      await this.report(id, error);
      return undefined;
    } finally {
      this.telemetry.send('command', {
        properties: { command: id, outcome, errorCode },
        measurements: { durationMs: Math.round(performance.now() - started) }
      });
    }
  }

  private async report(id: CommandId, error: unknown): Promise<void> {
    const showLog = vscode.l10n.t('Show Log');
    let message: string;
    if (error instanceof M365MailError) {
      this.logger.error(`${id} failed [${error.code}]: ${error.message}`);
      message = error.options.nextStep ? `${error.message} ${error.options.nextStep}` : error.message;
    } else {
      this.logger.error(`${id} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      message = vscode.l10n.t('M365 Mail: something unexpected went wrong. The log has the details.');
    }
    const choice = await vscode.window.showErrorMessage(message, showLog);
    if (choice === showLog) {
      await vscode.commands.executeCommand('m365mail.showLog');
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
    this.disposables.length = 0;
  }
}
