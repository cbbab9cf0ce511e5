import * as vscode from 'vscode';
import type { AuthService } from '../auth/index';
import { loadChunk } from '../common/lazyChunk';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { Settings } from '../common/settings';
import { M365MailError } from '../core/errors';
import type { TokenDestination } from '../core/tokenDestinations';
import type { CredentialStore } from './credentialStore';
import type { TokenDestinationGuard } from './tokenDestinationGuard';

/**
 * The extension's one way to tokens. It creates the auth engine (MSAL, oauth4webapi: the `auth`
 * chunk) on first use, persists every status change it reports into the store, and gives mail
 * features `getAccessToken(credentialId, { destination })`, which the engine serves from cache,
 * refreshes when needed, and never requests twice at once. Every caller names where the token
 * goes; the destination guard says yes (or asks the user) before the engine is even asked.
 */
export class TokenBroker implements vscode.Disposable {
  private service: AuthService | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly store: CredentialStore,
    private readonly settings: Settings,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
    private readonly destinations: TokenDestinationGuard
  ) {}

  auth(): AuthService {
    if (!this.service) {
      const started = performance.now();
      const service = loadChunk('auth').createAuthService({
        vault: this.store.vault,
        clouds: this.settings.clouds(),
        trustedCaCertificates: () => this.settings.trustedCaCertificates(),
        logger: this.logger,
        redactor: this.redactor
      });
      for (const def of this.store.list()) {
        const status = this.store.status(def.id);
        if (status) service.restoreStatus(def.id, status);
      }
      this.disposables.push(service.onDidChangeStatus((id, status) => void this.store.setStatus(id, status)));
      this.service = service;
      this.logger.debug(`auth engine loaded in ${(performance.now() - started).toFixed(0)} ms`);
    }
    return this.service;
  }

  async getAccessToken(
    credentialId: string,
    options: { destination: TokenDestination; forceRefresh?: boolean }
  ): Promise<{ accessToken: string; expiresAt: number; account?: string; scopes: string[] }> {
    const def = this.store.get(credentialId);
    if (!def) throw new M365MailError('unknown_credential', vscode.l10n.t('The credential no longer exists.'));
    await this.destinations.check(def, options.destination, this.store.status(def.id)?.account);
    return this.auth().getAccessToken(def, { forceRefresh: options.forceRefresh });
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
    this.service?.dispose();
  }
}
