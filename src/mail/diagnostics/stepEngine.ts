/**
 * Runs a connection test's steps in order: times each, bounds it by the step timeout and the
 * caller's cancel signal, explains a failure and ends the run there, lists the steps that did not
 * run as skipped, and always closes every socket it opened. Every text that reaches the log or the
 * report passes the run's {@link SecretRedactor}.
 */
import * as l10n from '@vscode/l10n';
import type * as net from 'node:net';
import { SecretRedactor } from '../../core/redact';
import { withBlockedPortNote } from '../../net/proxyErrors';
import type { LineTransport } from './lineTransport';
import type { ConnectionProtocol, ConnectionReport, ConnectionStep, ConnectionTestOptions, StepError, StepId } from './report';
import { abortError, codedError, StepFailure } from './stepErrors';

const DEFAULT_STEP_TIMEOUT_MS = 15_000;

/** After LOGOUT / QUIT, how long the server gets to read it before everything is torn down. */
const FAREWELL_GRACE_MS = 1000;

/** Ends the run after a failed step (the remaining steps are reported as skipped). */
class Stopped extends Error {}

export type ExplainFailure = (failure: { code?: string; message?: string }) => StepError;

export class StepEngine {
  readonly steps: ConnectionStep[] = [];
  readonly redactor = new SecretRedactor();
  transport: LineTransport | undefined;
  /** Every socket opened (each TCP attempt and the TLS socket over it): all are destroyed at the end. */
  private readonly sockets = new Set<net.Socket>();
  private readonly startedAt = new Date();
  private readonly started = performance.now();

  constructor(
    readonly protocol: ConnectionProtocol,
    private readonly plan: readonly StepId[],
    readonly options: ConnectionTestOptions,
    private readonly explain: ExplainFailure
  ) {}

  get stepTimeoutMs(): number {
    return this.options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  }

  log(line: string): void {
    this.options.logger?.trace(`[test ${this.protocol}] ${this.redactor.redact(line)}`);
  }

  /**
   * Runs one step. `signal` aborts when the step ends by timeout or cancellation, so a body that
   * works through several attempts (dialling addresses) stops with it.
   */
  async step<T>(id: StepId, body: (step: ConnectionStep, signal: AbortSignal) => Promise<T>): Promise<T> {
    const step: ConnectionStep = { id, status: 'passed', durationMs: 0 };
    const timeoutMs = this.stepTimeoutMs;
    const signal = this.options.signal;
    const ended = new AbortController();
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      if (signal?.aborted) throw abortError();
      const running = body(step, ended.signal);
      running.catch(() => undefined);
      const stop = new Promise<never>((_resolve, reject) => {
        const end = (error: Error) => {
          // End whatever the step is waiting on, so nothing is left behind.
          ended.abort(error);
          this.destroyAll();
          reject(error);
        };
        timer = setTimeout(() => end(codedError('ETIMEDOUT', l10n.t('No answer within {0} s (timed out).', timeoutMs / 1000))), timeoutMs);
        onAbort = () => end(abortError());
        signal?.addEventListener('abort', onAbort, { once: true });
      });
      stop.catch(() => undefined);
      const value = await Promise.race([running, stop]);
      this.record(step, started);
      return value;
    } catch (error) {
      if (signal?.aborted) throw abortError();
      step.status = 'failed';
      step.error = error instanceof StepFailure ? error.error : this.explain(error as { code?: string; message?: string });
      if (this.protocol !== 'graph') step.error = { ...step.error, message: withBlockedPortNote(step.error.code, step.error.message, this.options.directNote) };
      this.record(step, started);
      throw new Stopped();
    } finally {
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  private record(step: ConnectionStep, started: number): void {
    step.durationMs = Math.round((performance.now() - started) * 10) / 10;
    const r = (s: string | undefined) => (s === undefined ? undefined : this.redactor.redact(s));
    step.reply = r(step.reply);
    step.greeting = r(step.greeting);
    if (step.error) step.error = { code: step.error.code, message: r(step.error.message) ?? '', nextStep: r(step.error.nextStep) };
    this.steps.push(step);
    this.options.onStep?.(step, { protocol: this.protocol });
  }

  private finish(): ConnectionReport {
    const done = new Set(this.steps.map((s) => s.id));
    for (const id of this.plan) if (!done.has(id)) this.steps.push({ id, status: 'skipped', durationMs: 0 });
    return {
      protocol: this.protocol,
      host: this.options.host,
      port: this.options.port,
      security: this.protocol === 'imap' ? 'tls' : this.options.security,
      user: this.options.user,
      startedAt: this.startedAt.toISOString(),
      durationMs: Math.round(performance.now() - this.started),
      passed: this.steps.every((s) => s.status === 'passed'),
      steps: this.steps
    };
  }

  track<T extends net.Socket>(socket: T): T {
    this.sockets.add(socket);
    return socket;
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** Runs the protocol body; a failed step ends it, cancellation rejects; the connection is always closed. */
  async run(body: () => Promise<void>, farewell: () => string | undefined): Promise<ConnectionReport> {
    try {
      await body();
    } catch (error) {
      if (!(error instanceof Stopped)) {
        this.transport?.close();
        this.destroyAll();
        throw error;
      }
    }
    const goodbye = farewell();
    if (this.transport && goodbye) {
      this.transport.close(goodbye);
      setTimeout(() => this.destroyAll(), FAREWELL_GRACE_MS).unref();
    } else {
      this.transport?.close();
      this.destroyAll();
    }
    return this.finish();
  }
}
