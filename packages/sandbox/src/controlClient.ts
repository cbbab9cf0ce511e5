/**
 * The sandbox's control API over HTTPS (`/_sandbox/…` on the authorization server, served by
 * server/auth/control.ts), for callers in another process than the sandbox: the same operations
 * as the in-process `SandboxControl`, each one request, trusting the sandbox's CA.
 */
import { readFileSync } from 'node:fs';
import { httpsCall } from './client/signIn';
import type { SandboxDescription } from './description';
import type { GraphMailboxFault } from './server/auth/control';
import type { Fault, FaultSpec, GraphFaults, GraphRefusal, GraphUploadStats, SandboxSettings, TokenStats } from './server/auth/state';

export type { Fault, FaultSpec, GraphFaults, GraphMailboxFault, GraphRefusal, GraphUploadStats, SandboxSettings, TokenStats };

export class SandboxControlClient {
  private ca: string | undefined;

  constructor(private readonly sandbox: Pick<SandboxDescription, 'caCertPath' | 'authorization'>) {}

  /** One control request; a status other than 200 throws with the server's `error_description`. */
  async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    this.ca ??= readFileSync(this.sandbox.caCertPath, 'utf8');
    const url = new URL(route.replace(/^\//, ''), this.sandbox.authorization.controlUrl);
    const res = await httpsCall(this.ca, method, url.toString(), {
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    const json = res.body ? (JSON.parse(res.body) as unknown) : undefined;
    if (res.status !== 200) {
      const description = (json as { error_description?: string } | undefined)?.error_description ?? res.body;
      throw new Error(`sandbox control ${method} ${url.pathname}: ${res.status} ${description}`);
    }
    return json as T;
  }

  settings(): Promise<SandboxSettings> {
    return this.call('GET', 'settings');
  }
  updateSettings(patch: Partial<SandboxSettings>): Promise<SandboxSettings> {
    return this.call('PUT', 'settings', patch);
  }
  async setAccessTokenTtl(seconds: number): Promise<void> {
    await this.updateSettings({ accessTokenTtlSeconds: seconds });
  }
  async setRefreshTokenRotation(on: boolean): Promise<void> {
    await this.updateSettings({ rotateRefreshTokens: on });
  }
  /** Holds every token endpoint answer this long (0: off). */
  async setTokenDelay(ms: number): Promise<void> {
    await this.updateSettings({ tokenDelayMs: ms });
  }
  async setDeviceCodeInterval(seconds: number): Promise<void> {
    await this.updateSettings({ deviceCodeIntervalSeconds: seconds });
  }
  /** Deletes the user's refresh tokens (the next refresh answers AADSTS70008); resolves how many. */
  async revokeRefreshTokens(upn: string): Promise<number> {
    return (await this.call<{ count: number }>('POST', `users/${encodeURIComponent(upn)}/revoke-refresh-tokens`)).count;
  }
  /** Makes the user's refresh tokens expired (the next refresh answers AADSTS700082). */
  async expireRefreshTokens(upn: string): Promise<number> {
    return (await this.call<{ count: number }>('POST', `users/${encodeURIComponent(upn)}/expire-refresh-tokens`)).count;
  }
  /** Forgets the user's consents: the consent page shows again. */
  async forgetConsents(upn: string): Promise<number> {
    return (await this.call<{ count: number }>('DELETE', `users/${encodeURIComponent(upn)}/consents`)).count;
  }
  injectFault(spec: FaultSpec): Promise<Fault> {
    return this.call('POST', 'faults', spec);
  }
  faults(): Promise<Fault[]> {
    return this.call('GET', 'faults');
  }
  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }
  stats(): Promise<TokenStats> {
    return this.call('GET', 'stats');
  }
  async resetStats(): Promise<void> {
    await this.call('DELETE', 'stats');
  }
  graphFaults(): Promise<GraphFaults> {
    return this.call('GET', 'graph/faults');
  }
  /** The next `requests` Graph requests (to `user`'s mailbox if given) answer 429 (or 503) with `Retry-After`. */
  throttleGraph(spec: { requests: number; retryAfterSeconds: number; status?: 429 | 503; user?: string }): Promise<GraphFaults> {
    return this.call('POST', 'graph/throttle', spec);
  }
  /** The next `requests` Graph requests answer 401 InvalidAuthenticationToken, or (MIME sendMail only) 400 ErrorMimeContentInvalidBase64String. */
  refuseGraph(spec: { requests: number; error: GraphRefusal }): Promise<GraphFaults> {
    return this.call('POST', 'graph/refuse', spec);
  }
  /** Graph calls to this mailbox answer 403 ErrorAccessDenied (an application access policy). */
  denyGraphAccess(upn: string): Promise<GraphFaults> {
    return this.graphMailboxFault(upn, 'access-denied');
  }
  /** Graph mail calls to this mailbox answer 404 MailboxNotEnabledForRESTAPI. */
  disableGraphMailbox(upn: string): Promise<GraphFaults> {
    return this.graphMailboxFault(upn, 'mailbox-not-enabled');
  }
  /** Sending as this mailbox over Graph answers 403 ErrorSendAsDenied. */
  denyGraphSendAs(upn: string): Promise<GraphFaults> {
    return this.graphMailboxFault(upn, 'send-as-denied');
  }
  private graphMailboxFault(upn: string, fault: GraphMailboxFault): Promise<GraphFaults> {
    return this.call('POST', `graph/users/${encodeURIComponent(upn)}/${fault}`);
  }
  /** createUploadSession answers with uploadUrls on `origin` (a host a client must refuse) until the Graph faults are cleared. */
  setGraphUploadOrigin(origin: string): Promise<GraphFaults> {
    return this.call('POST', 'graph/upload-origin', { origin });
  }
  /** What reached the upload URLs (requests and bytes) since the stats were last reset. */
  graphUploads(): Promise<GraphUploadStats> {
    return this.call('GET', 'graph/uploads');
  }
  async clearGraphFaults(): Promise<void> {
    await this.call('DELETE', 'graph/faults');
  }
  /** Settings back to the start options; no faults (Entra's or Graph's), stats, consents, sessions or tokens. */
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }
}
