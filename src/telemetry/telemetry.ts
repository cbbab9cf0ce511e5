import * as vscode from 'vscode';
import { loadChunk } from '../common/lazyChunk';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';

/**
 * Every event the extension sends, with its properties and measurements. `telemetry.json` at the
 * repository root documents each one; keep the two in step. Properties hold codes and enums only,
 * never user names, hosts, tenant IDs, or anything typed by the user.
 */
export interface TelemetryEvents {
  /** The extension activated. */
  activated: { properties: { hostKind: 'desktop' | 'remote' | 'web' }; measurements: { activationMs: number } };
  /** A command ran to its end. `errorCode` is a known M365MailError code such as `AADSTS7000215`, else `other` (core/telemetryCodes.ts). */
  command: { properties: { command: string; outcome: 'ok' | 'cancelled' | 'error'; errorCode: string }; measurements: { durationMs: number } };
}

/** Filled by esbuild at package time (M365MAIL_TELEMETRY_CONNECTION_STRING); empty means no telemetry. */
const BUILT_IN_CONNECTION_STRING = '';

/** Events wait this long after activation before the telemetry chunk is loaded, to keep startup cheap. */
const FLUSH_DELAY_MS = 5_000;

export class Telemetry implements vscode.Disposable {
  private reporter: { sendTelemetryEvent(name: string, p?: Record<string, string>, m?: Record<string, number>): void; dispose(): Promise<unknown> } | undefined;
  private readonly queue: Array<[string, Record<string, string>, Record<string, number>]> = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly logger: Logger,
    private readonly redactor: SecretRedactor,
    // Tests point this at a loopback collector so that nothing leaves the machine.
    private readonly connectionString = process.env.M365MAIL_TELEMETRY_CONNECTION_STRING ?? BUILT_IN_CONNECTION_STRING
  ) {}

  send<K extends keyof TelemetryEvents>(name: K, data: TelemetryEvents[K]): void {
    if (this.disposed || !this.connectionString || !vscode.env.isTelemetryEnabled) {
      return;
    }
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(data.properties)) {
      properties[key] = this.redactor.redact(String(value));
    }
    this.queue.push([name, properties, { ...data.measurements }]);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  private flush(): void {
    this.timer = undefined;
    try {
      this.reporter ??= loadChunk('telemetry').createReporter(this.connectionString);
      for (const [name, properties, measurements] of this.queue.splice(0)) {
        this.reporter.sendTelemetryEvent(name, properties, measurements);
      }
    } catch (error) {
      this.logger.warn(`telemetry unavailable: ${error instanceof Error ? error.message : String(error)}`);
      this.queue.length = 0;
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.flush();
    }
    void this.reporter?.dispose();
  }
}
