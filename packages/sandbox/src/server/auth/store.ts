/**
 * In-memory storage for oidc-provider (its `adapter`), one per server instance, which the control
 * API can also query: find a user's refresh tokens to revoke or expire them.
 *
 * Entries are never dropped when they expire: the provider checks `exp` itself, so an expired refresh
 * token is still found and answered as expired (AADSTS700082) rather than unknown (AADSTS70008).
 * A sandbox lives minutes; memory is not a concern.
 */

export interface StoredPayload {
  accountId?: string;
  clientId?: string;
  grantId?: string;
  userCode?: string;
  uid?: string;
  exp?: number;
  consumed?: number;
  [key: string]: unknown;
}

export class SandboxStore {
  private readonly models = new Map<string, Map<string, StoredPayload>>();

  model(name: string): Map<string, StoredPayload> {
    let m = this.models.get(name);
    if (!m) {
      m = new Map();
      this.models.set(name, m);
    }
    return m;
  }

  /** Entries of one model (e.g. `RefreshToken`) whose payload matches `filter`. */
  entries(name: string, filter: (p: StoredPayload) => boolean = () => true): Array<[string, StoredPayload]> {
    return [...this.model(name).entries()].filter(([, p]) => filter(p));
  }

  clear(): void {
    this.models.clear();
  }

  /** The adapter class oidc-provider instantiates once per model name. */
  adapterClass(): new (name: string) => object {
    const model = (name: string) => this.model(name);
    return class SandboxAdapter {
      private readonly name: string;
      constructor(name: string) {
        this.name = name;
      }

      /** Looked up on each use: reset() replaces the maps. */
      private get items(): Map<string, StoredPayload> {
        return model(this.name);
      }

      async upsert(id: string, payload: StoredPayload): Promise<void> {
        // Friction 4: MSAL reuses one certificate client assertion (same jti) for about ten minutes,
        // as Entra allows; oidc-provider refuses a reused assertion through ReplayDetection. Storing
        // nothing for that model makes every assertion "unique", so reuse is accepted.
        if (this.name === 'ReplayDetection') return;
        this.items.set(id, structuredClone(payload));
      }

      async find(id: string): Promise<StoredPayload | undefined> {
        if (this.name === 'ReplayDetection') return undefined;
        const p = this.items.get(id);
        return p ? structuredClone(p) : undefined;
      }

      async findByUserCode(userCode: string): Promise<StoredPayload | undefined> {
        for (const p of this.items.values()) if (p.userCode === userCode) return structuredClone(p);
        return undefined;
      }

      async findByUid(uid: string): Promise<StoredPayload | undefined> {
        for (const p of this.items.values()) if (p.uid === uid) return structuredClone(p);
        return undefined;
      }

      async consume(id: string): Promise<void> {
        const p = this.items.get(id);
        if (p) p.consumed = Math.floor(Date.now() / 1000);
      }

      async destroy(id: string): Promise<void> {
        this.items.delete(id);
      }

      async revokeByGrantId(grantId: string): Promise<void> {
        for (const [id, p] of this.items) if (p.grantId === grantId) this.items.delete(id);
      }
    };
  }
}
