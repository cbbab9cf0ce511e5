/**
 * The telemetry chunk: `@vscode/extension-telemetry` and its Application Insights SDK are loaded
 * only when the first event is sent, never by `activate()`.
 */
import { TelemetryReporter } from '@vscode/extension-telemetry';

export function createReporter(connectionString: string): TelemetryReporter {
  // The reporter goes through vscode.env.createTelemetryLogger, so it sends nothing while the
  // user's telemetry setting is off, and it drops common PII (paths, emails) before sending.
  return new TelemetryReporter(connectionString);
}

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../core/localization';
