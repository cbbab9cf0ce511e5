/**
 * The control API of the sandbox, in process (`AuthServer.control`) and over HTTP under
 * `/_sandbox/` (JSON in, JSON out):
 *
 *   GET    /_sandbox/settings                       → settings
 *   PUT    /_sandbox/settings                       {accessTokenTtlSeconds?, rotateRefreshTokens?, deviceCodeIntervalSeconds?, refreshTokenLifetimeSeconds?, tokenDelayMs?} → settings
 *   POST   /_sandbox/users/{upn}/revoke-refresh-tokens → {count}   (next refresh: AADSTS70008)
 *   POST   /_sandbox/users/{upn}/expire-refresh-tokens → {count}   (next refresh: AADSTS700082)
 *   DELETE /_sandbox/users/{upn}/consents           → {count}   (consent page shown again)
 *   GET    /_sandbox/faults                         → [fault]
 *   POST   /_sandbox/faults                         {stage, code, clientId?, user?, grantType?, persistent?} → fault
 *   DELETE /_sandbox/faults                         → {}
 *   GET    /_sandbox/stats                          → {tokenRequests: {clientId: {grantType: n}}, byResource: {resource: n}, total}
 *   DELETE /_sandbox/stats                          → {}
 *   POST   /_sandbox/reset                          → settings (options at start; no faults, stats, consents, tokens)
 *   GET    /_sandbox/graph/faults                   → GraphFaults
 *   POST   /_sandbox/graph/throttle                 {requests, retryAfterSeconds, status?, user?} → GraphFaults
 *   POST   /_sandbox/graph/refuse                   {requests, error: invalid-token|invalid-base64} → GraphFaults
 *   POST   /_sandbox/graph/users/{upn}/{access-denied|mailbox-not-enabled|send-as-denied} → GraphFaults
 *   POST   /_sandbox/graph/upload-origin            {origin} → GraphFaults (createUploadSession hands out uploadUrls there)
 *   GET    /_sandbox/graph/uploads                  → {requests, bytes} (what reached the upload URLs)
 *   DELETE /_sandbox/graph/faults                   → {}
 *   POST   /_sandbox/introspect/{imap|smtp}?user=   (the mail servers' validation endpoint, see introspect.ts)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { findUser } from './directory';
import { readBody, sendJson } from './http';
import type { IntrospectionResult } from './introspect';
import type { Fault, FaultSpec, GraphFaults, GraphRefusal, GraphUploadStats, SandboxSettings, SandboxState, TokenStats } from './state';
import type { SandboxStore } from './store';

export interface SandboxControl {
  settings(): SandboxSettings;
  updateSettings(patch: Partial<SandboxSettings>): SandboxSettings;
  setAccessTokenTtl(seconds: number): void;
  setRefreshTokenRotation(on: boolean): void;
  setDeviceCodeInterval(seconds: number): void;
  /** Deletes the user's refresh tokens: the next refresh answers AADSTS70008. Returns how many. */
  revokeRefreshTokens(upn: string): number;
  /** Makes the user's refresh tokens expired: the next refresh answers AADSTS700082. */
  expireRefreshTokens(upn: string): number;
  /** Forgets the user's consents (to all apps): the consent page shows again. */
  forgetConsents(upn: string): number;
  injectFault(spec: FaultSpec): Fault;
  faults(): Fault[];
  clearFaults(): void;
  stats(): TokenStats;
  resetStats(): void;
  /** The Graph service's failures on demand. */
  graphFaults(): GraphFaults;
  /** The next `requests` Graph requests answer 429 (or 503) with Retry-After. */
  throttleGraph(spec: { requests: number; retryAfterSeconds: number; status?: 429 | 503; user?: string }): GraphFaults;
  /** The next `requests` Graph requests answer this refusal (see GraphFaults.refusal). */
  refuseGraph(spec: { requests: number; error: GraphRefusal }): GraphFaults;
  /** Turns a Graph failure on for one mailbox (see GraphFaults). */
  setGraphMailboxFault(upn: string, fault: GraphMailboxFault): GraphFaults;
  /** createUploadSession answers with uploadUrls on this origin (https or not) until the Graph faults are cleared. */
  setGraphUploadOrigin(origin: string): GraphFaults;
  /** What reached the upload URLs since the last reset of the stats. */
  graphUploads(): GraphUploadStats;
  clearGraphFaults(): void;
  /** Settings back to the start options; no faults, stats, consents, sessions or tokens. */
  reset(): void;
  /** Same check as the HTTP validation endpoint. */
  introspect(service: string, token: string, user?: string): IntrospectionResult;
}

/** The per-mailbox Graph failures, as named in the control API's routes. */
export const GRAPH_MAILBOX_FAULTS = {
  'access-denied': 'accessDenied',
  'mailbox-not-enabled': 'mailboxNotEnabled',
  'send-as-denied': 'sendAsDenied'
} as const satisfies Record<string, keyof Omit<GraphFaults, 'throttle' | 'refusal' | 'uploadOrigin'>>;

export type GraphMailboxFault = keyof typeof GRAPH_MAILBOX_FAULTS;

export function createControl(
  state: SandboxState,
  store: SandboxStore,
  introspect: (service: string, token: string | undefined, user: string | undefined) => IntrospectionResult
): SandboxControl {
  const userOrThrow = (upn: string) => {
    const user = findUser(upn);
    if (!user) throw new Error(`unknown user ${upn}`);
    return user;
  };
  const positive = (n: unknown, what: string) => {
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new Error(`${what} must be a positive number`);
    return Math.round(n);
  };
  const control: SandboxControl = {
    settings: () => ({ ...state.settings }),
    updateSettings(patch) {
      if (patch.accessTokenTtlSeconds !== undefined) state.settings.accessTokenTtlSeconds = positive(patch.accessTokenTtlSeconds, 'accessTokenTtlSeconds');
      if (patch.deviceCodeIntervalSeconds !== undefined) {
        state.settings.deviceCodeIntervalSeconds = positive(patch.deviceCodeIntervalSeconds, 'deviceCodeIntervalSeconds');
      }
      if (patch.rotateRefreshTokens !== undefined) state.settings.rotateRefreshTokens = !!patch.rotateRefreshTokens;
      if (patch.refreshTokenLifetimeSeconds !== undefined) {
        state.settings.refreshTokenLifetimeSeconds = positive(patch.refreshTokenLifetimeSeconds, 'refreshTokenLifetimeSeconds');
      }
      if (patch.tokenDelayMs !== undefined) {
        // 0 switches the delay off; at most a minute, so a forgotten switch cannot hang a run.
        const ms = Number(patch.tokenDelayMs);
        if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) throw new Error('tokenDelayMs must be between 0 and 60000');
        state.settings.tokenDelayMs = Math.round(ms);
      }
      return { ...state.settings };
    },
    setAccessTokenTtl: (seconds) => void control.updateSettings({ accessTokenTtlSeconds: seconds }),
    setRefreshTokenRotation: (on) => void control.updateSettings({ rotateRefreshTokens: on }),
    setDeviceCodeInterval: (seconds) => void control.updateSettings({ deviceCodeIntervalSeconds: seconds }),
    revokeRefreshTokens(upn) {
      const user = userOrThrow(upn);
      const tokens = store.entries('RefreshToken', (p) => p.accountId === user.oid);
      for (const [id] of tokens) store.model('RefreshToken').delete(id);
      return tokens.length;
    },
    expireRefreshTokens(upn) {
      const user = userOrThrow(upn);
      const tokens = store.entries('RefreshToken', (p) => p.accountId === user.oid);
      const past = Math.floor(Date.now() / 1000) - 1;
      for (const [, p] of tokens) {
        p.exp = past;
        if (typeof p.iat === 'number' && p.iat > past) p.iat = past - 1;
      }
      return tokens.length;
    },
    forgetConsents(upn) {
      const user = userOrThrow(upn);
      let count = 0;
      for (const key of [...state.consents.keys()]) {
        if (key.startsWith(`${user.oid}|`)) {
          state.consents.delete(key);
          count++;
        }
      }
      // Sessions remember grants too (per browser); drop the user's sessions.
      for (const [id] of store.entries('Session', (p) => p.accountId === user.oid)) store.model('Session').delete(id);
      return count;
    },
    graphFaults: () => structuredClone(state.graph),
    throttleGraph(spec) {
      const status = spec.status ?? 429;
      if (status !== 429 && status !== 503) throw new Error('throttle status must be 429 or 503');
      if (spec.user) userOrThrow(spec.user);
      state.graph.throttle = {
        requests: positive(spec.requests, 'requests'),
        retryAfterSeconds: positive(spec.retryAfterSeconds, 'retryAfterSeconds'),
        status,
        user: spec.user
      };
      return structuredClone(state.graph);
    },
    refuseGraph(spec) {
      if (spec.error !== 'invalid-token' && spec.error !== 'invalid-base64') throw new Error('error must be invalid-token or invalid-base64');
      state.graph.refusal = { requests: positive(spec.requests, 'requests'), error: spec.error };
      return structuredClone(state.graph);
    },
    setGraphMailboxFault(upn, fault) {
      const key = GRAPH_MAILBOX_FAULTS[fault];
      if (!key) throw new Error(`unknown Graph fault ${fault}`);
      const user = userOrThrow(upn);
      if (!state.graph[key].includes(user.upn)) state.graph[key].push(user.upn);
      return structuredClone(state.graph);
    },
    setGraphUploadOrigin(origin) {
      const url = new URL(origin);
      if (url.origin !== origin.replace(/\/+$/, '')) throw new Error('upload origin must be a scheme, host and port only');
      state.graph.uploadOrigin = url.origin;
      return structuredClone(state.graph);
    },
    graphUploads: () => ({ ...state.graphUploads }),
    clearGraphFaults: () => state.clearGraphFaults(),
    injectFault: (spec) => state.addFault(spec),
    faults: () => state.listFaults(),
    clearFaults: () => state.clearFaults(),
    stats: () => state.stats(),
    resetStats: () => state.resetStats(),
    reset() {
      state.reset();
      store.clear();
    },
    introspect: (service, token, user) => introspect(service, token, user)
  };
  return control;
}

/** Serves `/_sandbox/...`. */
export async function handleControlRequest(control: SandboxControl, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const path = url.pathname.replace(/^\/_sandbox/, '');
  const method = req.method ?? 'GET';
  try {
    const introspectMatch = /^\/introspect\/([a-z]+)$/.exec(path);
    if (introspectMatch && method === 'POST') {
      const body = new URLSearchParams(await readBody(req));
      const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const token = body.get('token') ?? bearer ?? undefined;
      const user = url.searchParams.get('user') || body.get('user') || undefined;
      const result = control.introspect(introspectMatch[1], token ?? '', user);
      // Why a token was refused, for the server's request log (the mail servers only say "not valid").
      if (!result.active) res.setHeader('x-sandbox-refused', result.error);
      return sendJson(res, 200, result);
    }
    const json = async (): Promise<Record<string, unknown>> => {
      const text = await readBody(req);
      return text ? JSON.parse(text) : {};
    };
    const userMatch = /^\/users\/([^/]+)\/(revoke-refresh-tokens|expire-refresh-tokens|consents)$/.exec(path);
    if (userMatch) {
      const upn = decodeURIComponent(userMatch[1]);
      if (method === 'POST' && userMatch[2] === 'revoke-refresh-tokens') return sendJson(res, 200, { count: control.revokeRefreshTokens(upn) });
      if (method === 'POST' && userMatch[2] === 'expire-refresh-tokens') return sendJson(res, 200, { count: control.expireRefreshTokens(upn) });
      if (method === 'DELETE' && userMatch[2] === 'consents') return sendJson(res, 200, { count: control.forgetConsents(upn) });
    }
    const graphUser = /^\/graph\/users\/([^/]+)\/([a-z-]+)$/.exec(path);
    if (graphUser && method === 'POST') {
      return sendJson(res, 200, control.setGraphMailboxFault(decodeURIComponent(graphUser[1]), graphUser[2] as GraphMailboxFault));
    }
    switch (`${method} ${path}`) {
      case 'GET /graph/faults':
        return sendJson(res, 200, control.graphFaults());
      case 'POST /graph/refuse':
        return sendJson(res, 200, control.refuseGraph((await json()) as unknown as Parameters<SandboxControl['refuseGraph']>[0]));
      case 'POST /graph/throttle':
        return sendJson(res, 200, control.throttleGraph((await json()) as unknown as Parameters<SandboxControl['throttleGraph']>[0]));
      case 'POST /graph/upload-origin':
        return sendJson(res, 200, control.setGraphUploadOrigin(String((await json()).origin ?? '')));
      case 'GET /graph/uploads':
        return sendJson(res, 200, control.graphUploads());
      case 'DELETE /graph/faults':
        control.clearGraphFaults();
        return sendJson(res, 200, {});
      case 'GET /settings':
        return sendJson(res, 200, control.settings());
      case 'PUT /settings':
      case 'POST /settings':
        return sendJson(res, 200, control.updateSettings((await json()) as Partial<SandboxSettings>));
      case 'GET /faults':
        return sendJson(res, 200, control.faults());
      case 'POST /faults':
        return sendJson(res, 200, control.injectFault((await json()) as unknown as FaultSpec));
      case 'DELETE /faults':
        control.clearFaults();
        return sendJson(res, 200, {});
      case 'GET /stats':
        return sendJson(res, 200, control.stats());
      case 'DELETE /stats':
        control.resetStats();
        return sendJson(res, 200, {});
      case 'POST /reset':
        control.reset();
        return sendJson(res, 200, control.settings());
    }
    return sendJson(res, 404, { error: 'not_found', error_description: `no control route ${method} ${url.pathname}` });
  } catch (err) {
    return sendJson(res, 400, { error: 'bad_request', error_description: (err as Error).message });
  }
}
