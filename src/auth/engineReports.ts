/**
 * What the auth engine tells its owner: each credential's status as it changes, tokens that could
 * not be stored (and stored again), and how many token requests it made (tests and benchmarks
 * count them). No `vscode` import.
 */
import type { CredentialStatus, TokenResource } from '../core/model';

type Subscription = { dispose(): void };

export class EngineReports {
  /** Statuses reported, for an engine without a store (tests, benchmarks). */
  readonly reported = new Map<string, CredentialStatus>();
  readonly tokenRequests = new Map<string, number>();
  readonly tokenRequestsPerResource = new Map<string, Partial<Record<TokenResource, number>>>();
  private readonly statusListeners = new Set<(id: string, status: CredentialStatus) => void>();
  private readonly storageListeners = new Set<(credentialId: string, failed: boolean) => void>();

  onDidChangeStatus(listener: (credentialId: string, status: CredentialStatus) => void): Subscription {
    this.statusListeners.add(listener);
    return { dispose: () => this.statusListeners.delete(listener) };
  }

  onDidChangeStorage(listener: (credentialId: string, failed: boolean) => void): Subscription {
    this.storageListeners.add(listener);
    return { dispose: () => this.storageListeners.delete(listener) };
  }

  status(id: string, status: CredentialStatus): void {
    this.reported.set(id, status);
    for (const listener of this.statusListeners) listener(id, status);
  }

  storage(id: string, failed: boolean): void {
    for (const listener of this.storageListeners) listener(id, failed);
  }

  tokenRequest(id: string, resource: TokenResource): void {
    this.tokenRequests.set(id, (this.tokenRequests.get(id) ?? 0) + 1);
    const perResource = this.tokenRequestsPerResource.get(id) ?? {};
    perResource[resource] = (perResource[resource] ?? 0) + 1;
    this.tokenRequestsPerResource.set(id, perResource);
  }

  clear(): void {
    this.statusListeners.clear();
    this.storageListeners.clear();
  }
}
