import * as vscode from 'vscode';
import type { CloudCatalog } from '../core/clouds';
import { CancelledError, M365MailError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { CredentialDefinition } from '../core/model';
import { classifyDestination, definitionFingerprint, describeVerdict, serverLabel, type TokenDestination } from '../core/tokenDestinations';

/** Approvals per credential: for which version of its definition, and which servers (`host:port`). Host names are not secrets. */
const APPROVALS_KEY = 'm365mail.tokenDestinations.v1';
type Approvals = Record<string, { fingerprint: string; servers: string[] }>;

/** Asks the user; true means "send". A seam so that tests can answer (the default is a modal dialog). */
export type ConfirmDestination = (question: { message: string; detail: string; button: string }) => Promise<boolean>;

const modalConfirm: ConfirmDestination = async ({ message, detail, button }) =>
  (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;

/**
 * Says yes or no before a token leaves for a mail server (the rules are in core/tokenDestinations.ts).
 * The token broker calls {@link check} before it asks the engine for a token, so no token is even
 * fetched for a server the user refused. An approval is kept for the credential and the server,
 * and only for the definition it was given for: an edit or a new import asks again.
 */
export class TokenDestinationGuard {
  /** One question at a time, and one per credential and server however many callers wait for it. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly asking = new Map<string, Promise<void>>();

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly clouds: () => CloudCatalog,
    private readonly logger: Logger,
    private readonly confirm: ConfirmDestination = modalConfirm
  ) {}

  /** Resolves when a token for `def` may go to `destination`; throws {@link CancelledError} when the user says no. */
  async check(def: CredentialDefinition, destination: TokenDestination, account: string | undefined): Promise<void> {
    const clouds = this.clouds();
    if (def.provider === 'microsoft' && !clouds.get(def.cloud)) {
      throw new M365MailError(
        'unknown_cloud',
        vscode.l10n.t(
          '"{0}" uses the Microsoft cloud "{1}", which is no longer in the m365mail.customClouds setting. No token was requested.',
          def.name,
          def.cloud ?? ''
        ),
        { nextStep: vscode.l10n.t('Add the cloud back to the setting, or edit the credential and choose another cloud.') }
      );
    }
    if (destination.kind === 'thisMachine') return;
    const verdict = classifyDestination(def, clouds, destination);
    const server = serverLabel(destination);
    if (verdict.kind === 'own') return;
    if (verdict.kind === 'refuse') {
      throw new M365MailError('invalid_destination', vscode.l10n.t('No token was sent for "{0}": {1} is {2}.', def.name, server, describeVerdict(verdict)));
    }
    if (this.approved(def, server)) return;
    const key = `${def.id}\n${server}`;
    let pending = this.asking.get(key);
    if (!pending) {
      pending = this.ask(def, server, describeVerdict(verdict), account).finally(() => this.asking.delete(key));
      this.asking.set(key, pending);
    }
    await pending;
  }

  /** Forgets every approval of a credential (it was deleted, or imported again). */
  async forget(credentialId: string): Promise<void> {
    const approvals = this.read();
    if (!(credentialId in approvals)) return;
    delete approvals[credentialId];
    await this.globalState.update(APPROVALS_KEY, approvals);
  }

  private read(): Approvals {
    const stored = this.globalState.get<Approvals>(APPROVALS_KEY);
    return stored && typeof stored === 'object' ? { ...stored } : {};
  }

  private approved(def: CredentialDefinition, server: string): boolean {
    const entry = this.read()[def.id];
    return !!entry && entry.fingerprint === definitionFingerprint(def) && Array.isArray(entry.servers) && entry.servers.includes(server);
  }

  private ask(def: CredentialDefinition, server: string, why: string, account: string | undefined): Promise<void> {
    const run = async () => {
      // Another caller may have approved it while this one waited its turn.
      if (this.approved(def, server)) return;
      const who = account || def.userName || `"${def.name}"`;
      const button = vscode.l10n.t('Send token');
      const yes = await this.confirm({
        message: vscode.l10n.t('A token for {0} will be sent to {1}. Send it?', who, server),
        detail: vscode.l10n.t(
          '{0} is {1}. Whoever runs that server can use the token as {2} until it expires. Your answer is remembered for "{3}" until the credential is edited or imported again.',
          server,
          why,
          who,
          def.name
        ),
        button
      });
      if (!yes) {
        this.logger.info(`token for ${def.id} not sent to ${server}: the user did not confirm it`);
        const message = vscode.l10n.t('No token was sent to {0}: you did not confirm it.', server);
        void vscode.window.showInformationMessage(message);
        throw new CancelledError(message);
      }
      const approvals = this.read();
      const fingerprint = definitionFingerprint(def);
      const entry = approvals[def.id]?.fingerprint === fingerprint ? approvals[def.id] : { fingerprint, servers: [] };
      approvals[def.id] = { fingerprint, servers: [...new Set([...entry.servers, server])] };
      await this.globalState.update(APPROVALS_KEY, approvals);
      this.logger.info(`token for ${def.id} may go to ${server}: confirmed by the user`);
    };
    const next = this.queue.then(run);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
