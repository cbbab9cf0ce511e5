import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AccessToken, AuthService } from '../auth/index';
import { loadChunk } from '../common/lazyChunk';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { Settings } from '../common/settings';
import { M365MailError } from '../core/errors';
import type { CredentialDefinition, CredentialStatus, TokenResource } from '../core/model';
import type { TokenDestination } from '../core/tokenDestinations';
import type { CredentialStore } from './credentialStore';
import type { TokenDestinationGuard } from './tokenDestinationGuard';
import { DiskLeaseStore } from './diskLeaseStore';
import { confirmDestination } from './ui/confirmDestination';
import type { WindowCoherence } from './windowCoherence';

/**
 * The extension's one way to a credential's session: sign-in, tokens, sign-out and delete. It
 * creates the auth engine (MSAL, oauth4webapi: the `auth` chunk) on first use; the engine owns
 * tokens, requests in flight and their generation, and reports each status change, which this
 * persists into the store (the one owner of statuses). Commands and mail features come here and
 * never to the engine or to secret keys. Every caller of `getAccessToken` names where the token
 * goes; the destination guard says yes (or asks the user) before the engine is even asked.
 */
export class TokenBroker implements vscode.Disposable {
  private service: AuthService | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  /** Credentials whose tokens could not be stored, already told to the user (said once until stored). */
  private readonly unsavedToldFor = new Set<string>();

  constructor(
    private readonly store: CredentialStore,
    private readonly settings: Settings,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
    private readonly destinations: TokenDestinationGuard,
    private readonly coherence: WindowCoherence
  ) {}

  private engine(): AuthService {
    if (!this.service) {
      const started = performance.now();
      const service = loadChunk('auth').createAuthService({
        vault: this.store.vault,
        clouds: () => this.settings.clouds(),
        trustedCaCertificates: () => this.settings.trustedCaCertificates(),
        proxy: () => this.settings.proxy(),
        statusOf: (id) => this.store.status(id),
        leases: this.coherence.directory ? new DiskLeaseStore(path.join(this.coherence.directory, 'leases')) : undefined,
        ensureCurrent: () => this.coherence.ensureCurrent(),
        logger: this.logger,
        redactor: this.redactor,
        confirmDestination
      });
      this.disposables.push(
        service.onDidChangeStatus((id, status) => void this.store.setStatus(id, status)),
        service.onDidChangeStorage((id, failed) => this.storageChanged(id, failed))
      );
      this.service = service;
      this.logger.debug(`auth engine loaded in ${(performance.now() - started).toFixed(0)} ms`);
    }
    return this.service;
  }

  private storageChanged(id: string, failed: boolean): void {
    if (!failed) {
      this.unsavedToldFor.delete(id);
      return;
    }
    if (this.unsavedToldFor.has(id)) return;
    this.unsavedToldFor.add(id);
    const name = this.store.get(id)?.name ?? id;
    void vscode.window.showWarningMessage(
      vscode.l10n.t(
        'The new tokens of "{0}" could not be saved to secret storage. They are kept for this session and saved again automatically; if VS Code closes first, authorize "{0}" again.',
        name
      )
    );
  }

  private definition(credentialId: string): CredentialDefinition {
    const def = this.store.get(credentialId);
    if (!def) throw new M365MailError('unknown_credential', vscode.l10n.t('The credential no longer exists.'));
    return def;
  }

  /** `resource` is whom the token is for: `exchange` (IMAP, SMTP; the default) or `graph`. */
  async getAccessToken(
    credentialId: string,
    options: { destination: TokenDestination; resource?: TokenResource; forceRefresh?: boolean }
  ): Promise<AccessToken> {
    const def = this.definition(credentialId);
    // A window that cannot see another window's sign-out or refresh serves nothing from memory.
    await this.coherence.ensureCurrent();
    await this.destinations.check(def, options.destination, this.store.status(def.id)?.account);
    return this.engine().getAccessToken(def, { resource: options.resource, forceRefresh: options.forceRefresh });
  }

  /** Reads an issuer's metadata (RFC 8414 / OpenID discovery), for the add and edit flows. */
  discoverIssuer(issuer: string): ReturnType<AuthService['discoverIssuer']> {
    return this.engine().discoverIssuer(issuer);
  }

  beginAuthorizationCode(def: CredentialDefinition, redirectUri: string): ReturnType<AuthService['beginAuthorizationCode']> {
    return this.engine().beginAuthorizationCode(def, redirectUri);
  }

  beginDeviceCode(def: CredentialDefinition): ReturnType<AuthService['beginDeviceCode']> {
    return this.engine().beginDeviceCode(def);
  }

  authorizeClientCredentials(def: CredentialDefinition): Promise<CredentialStatus> {
    return this.engine().authorizeClientCredentials(def);
  }

  /**
   * The refresh token of an authorized credential, for the hand-over to AEM only (the caller asks
   * the user first and puts it on the clipboard, nowhere else). Throws when there is none.
   */
  async readRefreshToken(credentialId: string): Promise<{ refreshToken: string; expiresAt?: number }> {
    const def = this.definition(credentialId);
    await this.coherence.ensureCurrent();
    const found = await this.engine().readRefreshToken(def);
    if (!found) {
      throw new M365MailError('not_authorized', vscode.l10n.t('"{0}" holds no refresh token.', def.name), {
        nextStep: vscode.l10n.t('Run "Authorize credential" (a browser sign-in), then try again.')
      });
    }
    return found;
  }

  /** Forgets the credential's tokens; nothing a request in flight returns is kept. */
  signOut(def: CredentialDefinition): Promise<void> {
    return this.engine().signOut(def);
  }

  /** Deletes the credential: its session first (tokens, requests in flight), then every secret and the definition. */
  delete(def: CredentialDefinition): Promise<void> {
    return this.store.delete(def.id, async (id) => {
      await this.engine().forget(id);
      await this.destinations.forget(id);
    });
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
    this.service?.dispose();
  }
}
