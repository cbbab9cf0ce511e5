/**
 * The switches tests and the demo turn at run time: token lifetimes, refresh-token rotation,
 * injected faults, consents the tenant remembers, and counters of token requests.
 */

export type FaultStage = 'authorize' | 'token';

export interface FaultSpec {
  /** Where the fault strikes: the authorization endpoint (after sign-in) or the token endpoint. */
  stage: FaultStage;
  /** AADSTS code to answer with, e.g. 65001, 50076, 7000215, 70008, 50173. */
  code: number;
  /** Only for this client (default: any). */
  clientId?: string;
  /** Only for this user (UPN; default: any, including app-only requests). */
  user?: string;
  /** Only for this grant type at the token endpoint, e.g. `refresh_token`. */
  grantType?: string;
  /** Keep answering with it until cleared (default: one shot). */
  persistent?: boolean;
}

export interface Fault extends FaultSpec {
  id: string;
}

export interface SandboxSettings {
  accessTokenTtlSeconds: number;
  rotateRefreshTokens: boolean;
  /** `interval` of the device authorization response (MSAL waits that long between polls). */
  deviceCodeIntervalSeconds: number;
  /**
   * When set, answers that carry a refresh token also say how long it lives
   * (`refresh_token_expires_in`, as Entra does for some clients), so a client can show it expiring.
   */
  refreshTokenLifetimeSeconds?: number;
  /** Holds every token endpoint answer this long (a slow network or a busy tenant: sign-out and delete while a request is in flight). */
  tokenDelayMs?: number;
}

export type GraphRefusal = 'invalid-token' | 'invalid-base64';

/** Failures the sandbox's Graph service answers with, on demand (the 4 MB request limit is always on). */
export interface GraphFaults {
  /** The next `requests` Graph requests (of `user`'s mailbox if set) answer `status` with `Retry-After: retryAfterSeconds`. */
  throttle?: { requests: number; retryAfterSeconds: number; status: 429 | 503; user?: string };
  /**
   * The next `requests` Graph requests answer this refusal: `invalid-token` (401
   * InvalidAuthenticationToken, as for a token Graph no longer accepts), `invalid-base64` (400
   * ErrorMimeContentInvalidBase64String, on MIME sendMail requests only).
   */
  refusal?: { requests: number; error: GraphRefusal };
  /** Mailboxes an application access policy shuts: 403 ErrorAccessDenied. */
  accessDenied: string[];
  /** Mailboxes Graph's mail API does not serve: 404 MailboxNotEnabledForRESTAPI. */
  mailboxNotEnabled: string[];
  /** Mailboxes nobody may send as (Send As taken away): 403 ErrorSendAsDenied. */
  sendAsDenied: string[];
  /**
   * The origin createUploadSession puts its `uploadUrl` on instead of the service's own (a host the
   * client must not trust, such as `https://localhost:PORT`, which reaches this same service).
   */
  uploadOrigin?: string;
}

/** What reached the upload URLs (PUT and DELETE), whatever host they were addressed to. */
export interface GraphUploadStats {
  requests: number;
  bytes: number;
}

export interface TokenStats {
  /** Token endpoint requests: client ID → grant type → count. */
  tokenRequests: Record<string, Record<string, number>>;
  /** Token endpoint requests per resource the scope asked for (e.g. `https://graph.microsoft.com`; `(none)` without one). */
  byResource: Record<string, number>;
  total: number;
}

export class SandboxState {
  settings: SandboxSettings;
  private readonly initial: SandboxSettings;
  private faults: Fault[] = [];
  private nextFaultId = 1;
  private counts = new Map<string, Map<string, number>>();
  private resourceCounts = new Map<string, number>();
  /** `accountId|clientId` → grant ID: Entra remembers a user's consent to an app across sessions. */
  readonly consents = new Map<string, string>();
  graph: GraphFaults = { accessDenied: [], mailboxNotEnabled: [], sendAsDenied: [] };
  graphUploads: GraphUploadStats = { requests: 0, bytes: 0 };

  constructor(settings: SandboxSettings) {
    this.initial = { ...settings };
    this.settings = { ...settings };
  }

  addFault(spec: FaultSpec): Fault {
    if (spec.stage !== 'authorize' && spec.stage !== 'token') throw new Error("fault stage must be 'authorize' or 'token'");
    if (!Number.isInteger(spec.code)) throw new Error('fault code must be an AADSTS number');
    const fault = { ...spec, id: String(this.nextFaultId++) };
    this.faults.push(fault);
    return fault;
  }

  listFaults(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The first fault matching this request, removed unless persistent. */
  takeFault(stage: FaultStage, request: { clientId?: string; user?: string; grantType?: string }): Fault | undefined {
    const same = (a?: string, b?: string) => !a || (!!b && a.toLowerCase() === b.toLowerCase());
    const index = this.faults.findIndex(
      (f) => f.stage === stage && same(f.clientId, request.clientId) && same(f.user, request.user) && same(f.grantType, request.grantType)
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    if (!fault.persistent) this.faults.splice(index, 1);
    return fault;
  }

  countTokenRequest(clientId: string | undefined, grantType: string | undefined, resource: string | undefined): void {
    const r = resource ?? '(none)';
    this.resourceCounts.set(r, (this.resourceCounts.get(r) ?? 0) + 1);
    const c = clientId ?? '(none)';
    const g = grantType ?? '(none)';
    let perClient = this.counts.get(c);
    if (!perClient) {
      perClient = new Map();
      this.counts.set(c, perClient);
    }
    perClient.set(g, (perClient.get(g) ?? 0) + 1);
  }

  stats(): TokenStats {
    const tokenRequests: Record<string, Record<string, number>> = {};
    let total = 0;
    for (const [client, grants] of this.counts) {
      tokenRequests[client] = Object.fromEntries(grants);
      for (const n of grants.values()) total += n;
    }
    return { tokenRequests, byResource: Object.fromEntries(this.resourceCounts), total };
  }

  resetStats(): void {
    this.counts = new Map();
    this.graphUploads = { requests: 0, bytes: 0 };
    this.resourceCounts = new Map();
  }

  /** Whether this Graph request is throttled: counts it down, `undefined` once the throttle is used up. */
  takeGraphThrottle(mailbox: string | undefined): GraphFaults['throttle'] {
    const t = this.graph.throttle;
    if (!t || (t.user && t.user.toLowerCase() !== mailbox?.toLowerCase())) return undefined;
    if (--t.requests <= 0) this.graph.throttle = undefined;
    return t;
  }

  /** The refusal this Graph request gets, if one is set and applies (counts it down). */
  takeGraphRefusal(request: { method: string; path: string; contentType: string }): GraphRefusal | undefined {
    const r = this.graph.refusal;
    if (!r) return undefined;
    if (r.error === 'invalid-base64' && !(request.method === 'POST' && request.path.endsWith('/sendMail') && request.contentType.startsWith('text/plain'))) {
      return undefined;
    }
    if (--r.requests <= 0) this.graph.refusal = undefined;
    return r.error;
  }

  clearGraphFaults(): void {
    this.graph = { accessDenied: [], mailboxNotEnabled: [], sendAsDenied: [] };
  }

  /** Back to the options the server started with; forgets faults, counters and consents. */
  reset(): void {
    this.clearGraphFaults();
    this.settings = { ...this.initial };
    this.clearFaults();
    this.resetStats();
    this.consents.clear();
  }
}
