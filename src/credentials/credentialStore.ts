import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { SecretVault } from '../core/secretVault';
import { secretKeys } from '../core/secretVault';
import { M365MailError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { CloudCatalog } from '../core/clouds';
import { credentialState, type CredentialDefinition, type CredentialState, type CredentialStatus } from '../core/model';
import { validateDefinition } from '../core/validation';
import { REVISION_SECRET, type WindowCoherence } from './windowCoherence';

/** Secrets typed by the user for one credential; tokens are the auth engine's. */
export interface CredentialSecrets {
  clientSecret?: string;
  privateKey?: string;
  certificate?: string;
}

const DEFINITIONS_KEY = 'm365mail.credentials.v1';
const STATUS_KEY = 'm365mail.credentialStatus.v1';
/** Per credential, what its hand-overs remember (never a secret), e.g. the SAP tenant's host. */
const HANDOVER_KEY = 'm365mail.handover.v1';

/** What a credential's hand-overs remember between uses. */
export interface HandoverMemory {
  /** The SAP Cloud Integration tenant's host, asked once (its redirect URI depends on it). */
  sapHost?: string;
}

/**
 * The one store of credentials. Definitions and statuses (no secrets) live in extension global
 * storage; every secret lives in SecretStorage under the credential's id. Fires `onDidChange`
 * with the ids that changed (undefined: reload everything), which the tree projects.
 */
export class CredentialStore implements vscode.Disposable {
  private definitions = new Map<string, CredentialDefinition>();
  private statuses = new Map<string, CredentialStatus>();
  private handovers = new Map<string, HandoverMemory>();
  private readonly changeEmitter = new vscode.EventEmitter<string[] | undefined>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [this.changeEmitter];

  constructor(
    private readonly globalState: vscode.Memento,
    private readonly secrets: vscode.SecretStorage,
    private readonly clouds: () => CloudCatalog,
    private readonly redactor: SecretRedactor,
    private readonly logger: Logger,
    /** Every write asks it first and tells it after: a stale window writes nothing (windowCoherence.ts). */
    private readonly coherence: WindowCoherence
  ) {
    this.load();
    this.disposables.push(
      secrets.onDidChange((e) => {
        // Another window's change, delivered here (desktop VS Code does): reload what it changed.
        if (e.key === REVISION_SECRET) void this.onRevision();
      })
    );
  }

  /** The value last registered with the redactor for each secret key, so a replaced one is forgotten. */
  private readonly registered = new Map<string, string>();

  private register(key: string, value: string | undefined): void {
    if (value === undefined) return;
    this.redactor.replace(this.registered.get(key), value);
    this.registered.set(key, value);
  }

  /** The SecretStorage the auth engine reads and writes through; every value read or written is registered with the redactor. */
  readonly vault: SecretVault = {
    get: async (key) => {
      const value = await this.secrets.get(key);
      this.register(key, value);
      return value;
    },
    store: async (key, value) => {
      this.register(key, value);
      await this.coherence.ensureCurrent();
      await this.secrets.store(key, value);
      await this.coherence.noteChange();
    },
    delete: async (key) => {
      await this.coherence.ensureCurrent();
      await this.secrets.delete(key);
      await this.coherence.noteChange();
    },
    // Every window's writes, this one's included: the engine drops what another window changed.
    onDidChange: (listener) => this.secrets.onDidChange((e) => listener(e.key))
  };

  list(): CredentialDefinition[] {
    return [...this.definitions.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(id: string): CredentialDefinition | undefined {
    return this.definitions.get(id);
  }

  status(id: string): CredentialStatus | undefined {
    return this.statuses.get(id);
  }

  state(id: string): CredentialState {
    const def = this.definitions.get(id);
    return def ? credentialState(def, this.statuses.get(id)) : 'unauthorized';
  }

  names(exceptId?: string): string[] {
    return this.list()
      .filter((d) => d.id !== exceptId)
      .map((d) => d.name);
  }

  newId(): string {
    return randomUUID();
  }

  /** Validates, stores the secrets, then the definition; a failure part-way removes what was written. */
  async save(definition: CredentialDefinition, secrets: CredentialSecrets = {}): Promise<void> {
    await this.coherence.ensureCurrent();
    const problems = validateDefinition(definition, this.clouds(), this.names(definition.id));
    if (problems.length) {
      throw new M365MailError('invalid_definition', `The credential cannot be saved: ${problems.join(' ')}`);
    }
    const keys = secretKeys(definition.id);
    const written: string[] = [];
    try {
      for (const [field, value] of Object.entries(secrets) as Array<[keyof CredentialSecrets, string | undefined]>) {
        if (value === undefined) continue;
        await this.vault.store(keys[field], value);
        written.push(keys[field]);
      }
      const next = new Map(this.definitions).set(definition.id, definition);
      await this.globalState.update(DEFINITIONS_KEY, [...next.values()]);
      this.definitions = next;
    } catch (error) {
      if (!this.definitions.has(definition.id)) {
        await Promise.allSettled(written.map((k) => this.secrets.delete(k)));
      }
      throw error;
    }
    this.logger.info(`saved credential ${definition.id} (${definition.provider}, ${definition.grant})`);
    await this.changed([definition.id]);
  }

  async delete(id: string, forgetSecrets: (id: string) => Promise<void>): Promise<void> {
    await this.coherence.ensureCurrent();
    // Secrets first: if that fails the credential is still listed and the user can try again.
    await forgetSecrets(id);
    await Promise.all(Object.values(secretKeys(id)).map((k) => this.secrets.delete(k)));
    const next = new Map(this.definitions);
    next.delete(id);
    const statuses = new Map(this.statuses);
    statuses.delete(id);
    await this.globalState.update(DEFINITIONS_KEY, [...next.values()]);
    await this.globalState.update(STATUS_KEY, Object.fromEntries(statuses));
    const handovers = new Map(this.handovers);
    if (handovers.delete(id)) await this.globalState.update(HANDOVER_KEY, Object.fromEntries(handovers));
    this.definitions = next;
    this.statuses = statuses;
    this.handovers = handovers;
    this.logger.info(`deleted credential ${id} and its secrets`);
    await this.changed([id]);
  }

  async setStatus(id: string, status: CredentialStatus): Promise<void> {
    if (!this.definitions.has(id)) return;
    // A stale window keeps what it learnt in memory and does not write it over newer statuses.
    this.statuses.set(id, status);
    if (await this.coherence.isStale()) {
      this.changeEmitter.fire([id]);
      return;
    }
    await this.globalState.update(STATUS_KEY, Object.fromEntries(this.statuses));
    await this.changed([id]);
  }

  handoverMemory(id: string): HandoverMemory {
    return { ...this.handovers.get(id) };
  }

  async rememberHandover(id: string, memory: HandoverMemory): Promise<void> {
    if (!this.definitions.has(id)) return;
    await this.coherence.ensureCurrent();
    const next = new Map(this.handovers).set(id, { ...this.handovers.get(id), ...memory });
    await this.globalState.update(HANDOVER_KEY, Object.fromEntries(next));
    this.handovers = next;
    await this.coherence.noteChange();
  }

  /** The secrets the user typed for a credential (a duplicate gets copies). */
  async secretsOf(id: string): Promise<CredentialSecrets> {
    const keys = secretKeys(id);
    return {
      clientSecret: await this.vault.get(keys.clientSecret),
      privateKey: await this.vault.get(keys.privateKey),
      certificate: await this.vault.get(keys.certificate)
    };
  }

  async hasSecret(id: string, field: keyof CredentialSecrets): Promise<boolean> {
    return (await this.secrets.get(secretKeys(id)[field])) !== undefined;
  }

  private load(): void {
    const stored = this.globalState.get<CredentialDefinition[]>(DEFINITIONS_KEY, []);
    this.definitions = new Map(stored.filter((d) => d && typeof d.id === 'string').map((d) => [d.id, d]));
    this.statuses = new Map(Object.entries(this.globalState.get<Record<string, CredentialStatus>>(STATUS_KEY, {})));
    this.handovers = new Map(Object.entries(this.globalState.get<Record<string, HandoverMemory>>(HANDOVER_KEY, {})));
  }

  private async changed(ids: string[]): Promise<void> {
    this.changeEmitter.fire(ids);
    await this.coherence.noteChange();
  }

  private async onRevision(): Promise<void> {
    const revision = await this.secrets.get(REVISION_SECRET);
    if (revision !== undefined && this.coherence.isOwn(revision)) return;
    this.logger.debug('credentials changed in another window; reloading');
    this.load();
    this.changeEmitter.fire(undefined);
  }

  dispose(): void {
    vscode.Disposable.from(...this.disposables).dispose();
  }
}
