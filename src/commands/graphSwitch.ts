import * as vscode from 'vscode';
import type { Settings } from '../common/settings';
import { M365MailError, withActions } from '../core/errors';
import { graphSwitchFor, graphSwitchForReports, sendingOverGraph, type GraphSwitchVerdict } from '../core/graphSwitch';
import type { Logger } from '../core/logger';
import { transportsOf, type CredentialDefinition } from '../core/model';
import type { CredentialStore } from '../credentials/credentialStore';
import type { CredentialSignIn } from '../signIn/credentialSignIn';
import { CommandIds } from './commandIds';

export interface GraphSwitchDeps {
  /** The one owner of credential definitions: the switch is written there. */
  store: CredentialStore;
  settings: Settings;
  signIn: CredentialSignIn;
  logger: Logger;
}

/** What happens once the credential sends over Graph, on the user's word: "Send again?". */
export interface AfterSwitch {
  question: (switched: CredentialDefinition) => string;
  button: string;
  run: (switched: CredentialDefinition) => Promise<void>;
}

/**
 * "Send through Microsoft Graph instead" for SMTP AUTH off (535 5.7.139), offered on the failed
 * send's error and after a connection test that found it. The decision and the new definition are
 * core/graphSwitch.ts; this shows the button, writes the switch through the store, signs in again
 * for the Graph scopes (the browser asks for the new consent), then asks before it does anything more.
 */
export class GraphSwitch {
  constructor(private readonly deps: GraphSwitchDeps) {}

  get title(): string {
    return vscode.l10n.t('Send through Microsoft Graph instead');
  }

  /**
   * A failed send as the command boundary should show it: with the switch as a button when it
   * qualifies; for an app-only credential, with what the admin must do instead; else unchanged.
   */
  offer(error: unknown, def: CredentialDefinition, after: AfterSwitch): unknown {
    if (!(error instanceof M365MailError)) return error;
    const verdict = this.verdict(def, error.code);
    if (verdict.kind === 'adminConsent') return withActions(error, [], [error.options.nextStep, verdict.nextStep].filter(Boolean).join(' '));
    if (verdict.kind !== 'offer') return error;
    return withActions(error, [{ title: this.title, run: () => this.switchAndContinue(def, after) }]);
  }

  /** What a connection test's reports call for: the switch, the admin's part (for the report's notes), or nothing. */
  afterConnectionTest(def: CredentialDefinition, reports: Parameters<typeof graphSwitchForReports>[1]): GraphSwitchVerdict {
    return graphSwitchForReports(def, reports, this.deps.settings.clouds());
  }

  /** Offers the switch beside a connection test report that found SMTP AUTH off; resolves when the user is done with it. */
  async offerAfterConnectionTest(def: CredentialDefinition): Promise<void> {
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t(
        'SMTP AUTH is switched off for {0} (535 5.7.139). "{1}" can send through Microsoft Graph instead, with your consent in the browser.',
        def.sharedMailbox ?? def.userName ?? def.name,
        def.name
      ),
      this.title
    );
    if (choice !== this.title) return;
    await this.switchAndContinue(def, {
      question: (switched) => vscode.l10n.t('"{0}" now sends through Microsoft Graph. Test the connection again?', switched.name),
      button: vscode.l10n.t('Test again'),
      run: async (switched) => {
        await vscode.commands.executeCommand(CommandIds.testConnection, switched.id);
      }
    });
  }

  private verdict(def: CredentialDefinition, code: string): GraphSwitchVerdict {
    return graphSwitchFor(def, code, this.deps.settings.clouds());
  }

  private async switchAndContinue(def: CredentialDefinition, after: AfterSwitch): Promise<void> {
    const switched = await this.switchToGraph(def);
    const status = await this.signInForGraph(switched);
    this.deps.logger.info(`${switched.id}: signed in for Microsoft Graph (scopes ${status.grantedScopes?.join(' ') ?? '—'})`);
    if ((await vscode.window.showInformationMessage(after.question(switched), after.button)) === after.button) await after.run(switched);
  }

  /** Writes the switch through the store, from the definition stored now (another window may have changed it). */
  private async switchToGraph(def: CredentialDefinition): Promise<CredentialDefinition> {
    const current = this.deps.store.get(def.id);
    if (!current) throw new M365MailError('unknown_credential', vscode.l10n.t('The credential no longer exists.'));
    if (transportsOf(current).send === 'graph') return current;
    const switched = sendingOverGraph(current, this.deps.settings.clouds());
    await this.deps.store.save(switched);
    this.deps.logger.info(`${def.id}: sending switched from SMTP to Microsoft Graph (SMTP AUTH is off); scopes now ${switched.scopes.join(' ')}`);
    return switched;
  }

  /** The browser sign-in for the new scopes. Cancelled or failed, the switch stays: saying so is the next step. */
  private async signInForGraph(switched: CredentialDefinition) {
    try {
      return await this.deps.signIn(switched);
    } catch (error) {
      const authorize = vscode.l10n.t('Authorize now');
      void vscode.window
        .showWarningMessage(
          vscode.l10n.t(
            '"{0}" now sends through Microsoft Graph, which needs your consent: authorize it to give it (Edit credential → Transport switches back).',
            switched.name
          ),
          authorize
        )
        .then((choice) => (choice === authorize ? vscode.commands.executeCommand(CommandIds.authorize, switched.id) : undefined));
      throw error;
    }
  }
}
