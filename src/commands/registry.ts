import { AsyncLocalStorage } from 'node:async_hooks';
import * as vscode from 'vscode';
import { isCancelled, M365MailError, userMessage, type ErrorAction } from '../core/errors';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import { telemetryErrorCode } from '../core/telemetryCodes';
import type { Telemetry } from '../telemetry/telemetry';
import type { CommandId } from './commandIds';

export type CommandHandler = (...args: unknown[]) => unknown;

/** What one command invocation has resolved so far, for the buttons of its failure. */
export interface Invocation {
  /** The credential the command acts on, once known (a tree node, an ID, or the user's pick). */
  credentialId?: string;
}

/**
 * Buttons any command's failure may get from elsewhere, e.g. "Show app registration" for AADSTS65001.
 * `invocation.credentialId` names the credential the user already chose, so a button never asks again.
 */
export type ErrorActionSource = (error: M365MailError, args: readonly unknown[], invocation: Readonly<Invocation>) => readonly ErrorAction[];

/** Follows each command invocation through its awaits (the extension host is Node). */
const invocations = new AsyncLocalStorage<Invocation>();

/** Records the credential the running command acts on; called where a command resolves it. */
export function noteInvocationCredential(credentialId: string): void {
  const invocation = invocations.getStore();
  if (invocation) invocation.credentialId = credentialId;
}

/**
 * The one place commands are registered. Each handler runs inside the error boundary: cancellation
 * is silent, a typed {@link M365MailError} is logged and shown with its next step, anything else is
 * logged in full and shown as an unexpected error. An error's actions are buttons beside its message,
 * run inside the same boundary when chosen. Handlers may take a tree node or nothing.
 */
export class CommandRegistry implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly errorActionSources: ErrorActionSource[] = [];

  constructor(
    private readonly logger: Logger,
    private readonly telemetry: Telemetry,
    /** What a failure shows passes it, as the log does. */
    private readonly redactor: SecretRedactor
  ) {}

  /** Adds buttons to the failures `source` recognises, after the error's own. */
  addErrorActions(source: ErrorActionSource): void {
    this.errorActionSources.push(source);
  }

  register(id: CommandId, handler: CommandHandler): void {
    this.disposables.push(vscode.commands.registerCommand(id, (...args: unknown[]) => this.run(id, handler, args)));
  }

  private async run(id: CommandId, handler: CommandHandler, args: unknown[]): Promise<unknown> {
    const started = performance.now();
    let result: unknown;
    let ended: Awaited<ReturnType<CommandRegistry['guarded']>> = { outcome: 'error', errorCode: telemetryErrorCode('unexpected') };
    const invocation: Invocation = {};
    try {
      ended = await invocations.run(invocation, () =>
        this.guarded(
          id,
          async () => {
            result = await handler(...args);
          },
          args,
          invocation
        )
      );
      return result;
    } finally {
      this.telemetry.send('command', {
        properties: { command: id, outcome: ended.outcome, errorCode: ended.errorCode },
        measurements: { durationMs: Math.round(performance.now() - started) }
      });
    }
  }

  /** Runs work inside the boundary: a failure is shown (with its actions), cancellation is silent. */
  private async guarded(
    id: CommandId,
    work: () => Promise<void>,
    args: readonly unknown[],
    invocation: Readonly<Invocation>
  ): Promise<{ outcome: 'ok' | 'cancelled' | 'error'; errorCode: string }> {
    try {
      await work();
      return { outcome: 'ok', errorCode: '' };
    } catch (error) {
      if (isCancelled(error)) {
        this.logger.info(`${id}: cancelled`);
        return { outcome: 'cancelled', errorCode: '' };
      }
      // Codes can come from the server or a library: only known ones are sent.
      const errorCode = telemetryErrorCode(error instanceof M365MailError ? error.code : 'unexpected');
      await this.report(id, error, args, invocation);
      return { outcome: 'error', errorCode };
    }
  }

  private async report(id: CommandId, error: unknown, args: readonly unknown[], invocation: Readonly<Invocation>): Promise<void> {
    const showLog = vscode.l10n.t('Show Log');
    let message: string;
    let actions: readonly ErrorAction[] = [];
    if (error instanceof M365MailError) {
      this.logger.error(`${id} failed [${error.code}]: ${error.message}`);
      message = userMessage(error, this.redactor);
      const own = error.options.actions ?? [];
      // A source's button is left out when the error already has one with the same title.
      const added = this.errorActionSources.flatMap((source) => source(error, args, invocation)).filter((a) => !own.some((o) => o.title === a.title));
      actions = [...own, ...added];
    } else {
      this.logger.error(`${id} failed unexpectedly: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      message = vscode.l10n.t('M365 Mail: something unexpected went wrong. The log has the details.');
    }
    const choice = await vscode.window.showErrorMessage(message, ...actions.map((a) => a.title), showLog);
    if (choice === showLog) {
      await vscode.commands.executeCommand('m365mail.showLog');
      return;
    }
    const action = actions.find((a) => a.title === choice);
    if (action) {
      this.logger.info(`${id}: "${action.title}" chosen`);
      // What the action throws is this command's failure too, shown the same way.
      await this.guarded(id, () => action.run(), args, invocation);
    }
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
    this.disposables.length = 0;
  }
}
