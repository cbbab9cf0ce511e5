/**
 * What the auth engine (authService.ts) holds for one credential between requests, and the error a
 * request gets when its credential moved on while it ran. Pure: no I/O, no `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { TokenResource } from '../core/model';
import { AuthError } from './errors';
import type { AccessToken, TokenRecord } from './tokenRecord';

export interface Session {
  /** Moves on at sign-out and delete: a request started under an older one writes nothing. */
  generation: number;
  memory?: TokenRecord;
  /** At most one token request per resource in flight; later callers share it. */
  inflight: Map<TokenResource, Promise<AccessToken>>;
  /**
   * The token requests of this window for this credential, one after the other: two resources
   * refreshed at once would spend one rotating refresh token twice (the lease is per window, so
   * it does not keep them apart), and each writes the one record the other reads.
   */
  queue: Promise<unknown>;
  /** Token requests on the network now (sign-out waits for them, then deletes what they wrote). */
  running: Set<Promise<unknown>>;
}

export function newSession(): Session {
  return { generation: 0, running: new Set(), inflight: new Map(), queue: Promise.resolve() };
}

/** Thrown to the callers of a request whose credential was signed out, deleted or changed meanwhile. */
export function superseded(): AuthError {
  return new AuthError('superseded', l10n.t('The credential was signed out or changed while the request ran; nothing from it was kept.'));
}
