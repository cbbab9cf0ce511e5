/**
 * Waiting out Microsoft Graph's throttling, as a link of the Graph client's middleware chain. A 429
 * or 503 (and a 504 from a gateway) is tried again after the `Retry-After` Graph sent (3, 6, 12 s
 * without one), at most {@link MAX_RETRIES} times and at most {@link MAX_TOTAL_WAIT_SECONDS} s of
 * waiting in all for one request. A wait that would pass that bound is not started: the request
 * fails at once with a typed error that says when to try again. Each wait is told first to the
 * caller's {@link GraphProgress} (the progress notification), and ends the moment the request's
 * signal aborts (its Cancel).
 *
 * The SDK's RetryHandler is not used for this: it sleeps on a timer no signal can stop, and picks
 * its delay (backoff with randomness) after its `shouldRetry` callback has answered, so what the
 * callback reports and bounds is not what it waits. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { CancelledError, M365MailError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { retryAfterSeconds } from './graphErrors';

/** Tries after the first answer, as Graph's throttling guidance suggests. */
export const MAX_RETRIES = 3;
/** All the waiting one request may do, in seconds: longer, and the user is told when to try again instead. */
export const MAX_TOTAL_WAIT_SECONDS = 60;
/** Without `Retry-After`: 3 s, then twice as long each time. */
const DEFAULT_DELAY_SECONDS = 3;
const RETRIED_STATUSES: ReadonlySet<number> = new Set([429, 503, 504]);

/** One wait Graph asked for. */
export interface GraphWait {
  status: number;
  seconds: number;
  /** 1 for the first retry. */
  attempt: number;
  /** Seconds already waited for this request before this wait. */
  waitedSeconds: number;
  /** The same in words for a progress notification: "Microsoft Graph asked to wait 5 s (throttled)…". */
  message: string;
}

/** Where the Graph client says what it is waiting for; the host shows it in its progress notification. */
export interface GraphProgress {
  waiting(wait: GraphWait): void;
}

export type ThrottleDecision =
  | { retry: true; seconds: number }
  /** `bound`: Graph asked for a wait past what is left of the bound; `retries`: no tries left; `answered`: not a throttle. */
  | { retry: false; reason: 'answered' | 'retries' | 'bound'; seconds?: number };

/** What to do with an answer, after `retries` tries and `waitedSeconds` of waiting. */
export function throttleDecision(
  status: number,
  retryAfter: number | undefined,
  retries: number,
  waitedSeconds: number,
  boundSeconds = MAX_TOTAL_WAIT_SECONDS
): ThrottleDecision {
  if (!RETRIED_STATUSES.has(status)) return { retry: false, reason: 'answered' };
  const seconds = retryAfter ?? DEFAULT_DELAY_SECONDS * 2 ** retries;
  if (retries >= MAX_RETRIES) return { retry: false, reason: 'retries', seconds };
  if (waitedSeconds + seconds > boundSeconds) return { retry: false, reason: 'bound', seconds };
  return { retry: true, seconds };
}

export interface ThrottleOptions {
  signal?: AbortSignal;
  progress?: GraphProgress;
  logger: Logger;
  /** Default {@link MAX_TOTAL_WAIT_SECONDS}; tests make it short. */
  maxTotalWaitSeconds?: number;
}

export class ThrottleHandler implements Middleware {
  /** Why the last request ended here (past the bound, or cancelled while waiting): the SDK wraps what a middleware throws, so the caller reads it from here. */
  failure: M365MailError | undefined;
  private next: Middleware | undefined;

  constructor(private readonly options: ThrottleOptions) {}

  async execute(context: Context): Promise<void> {
    this.failure = undefined;
    const bound = this.options.maxTotalWaitSeconds ?? MAX_TOTAL_WAIT_SECONDS;
    let waited = 0;
    for (let retries = 0; ; retries++) {
      await this.next?.execute(context);
      const response = context.response;
      if (!response) return;
      const decision = throttleDecision(response.status, retryAfterSeconds(response.headers), retries, waited, bound);
      if (!decision.retry) {
        if (decision.reason === 'bound') {
          this.options.logger.info(
            `[graph] ${response.status}: asked to wait ${decision.seconds} s, past the ${bound} s bound (${waited} s waited); not waiting`
          );
          this.failure = pastTheBound(response, decision.seconds ?? 0, bound);
          throw this.failure;
        }
        return;
      }
      const wait: GraphWait = {
        status: response.status,
        seconds: decision.seconds,
        attempt: retries + 1,
        waitedSeconds: waited,
        message: waitMessage(response.status, decision.seconds)
      };
      this.options.logger.info(`[graph] ${response.status}: waiting ${wait.seconds} s before retry ${wait.attempt} of ${MAX_RETRIES}`);
      this.options.progress?.waiting(wait);
      try {
        await pause(decision.seconds, this.options.signal);
      } catch (error) {
        this.failure = error as CancelledError;
        throw error;
      }
      waited += decision.seconds;
    }
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}

function waitMessage(status: number, seconds: number): string {
  if (status === 429) return l10n.t('Microsoft Graph asked to wait {0} s (throttled)…', seconds);
  if (status === 503) return l10n.t('Microsoft Graph asked to wait {0} s (service unavailable)…', seconds);
  return l10n.t('Microsoft Graph timed out (504); trying again in {0} s…', seconds);
}

function pastTheBound(response: Response, seconds: number, bound: number): M365MailError {
  const requestId = response.headers.get('request-id');
  const id = requestId ? l10n.t(' (request-id {0})', requestId) : '';
  const what = response.status === 429 ? l10n.t('throttled') : l10n.t('unavailable');
  return new M365MailError(
    response.status === 429 ? 'graph.throttled' : 'graph.unavailable',
    l10n.t(
      'Microsoft Graph asked to wait {0} s before trying again ({1}, {2}), longer than the {3} s M365 Mail waits for one request; the request was not accepted.{4}',
      seconds,
      what,
      response.status,
      bound,
      id
    ),
    { nextStep: l10n.t('Try again in {0} seconds.', seconds) }
  );
}

/** Waits, or rejects with {@link CancelledError} the moment the signal aborts (the timer is cleared). */
function pause(seconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const abort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, seconds * 1000);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
