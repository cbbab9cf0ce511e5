import type * as TelemetryChunk from '../telemetry/telemetryChunk';

/**
 * Heavy modules live in their own files under dist/chunks (see esbuild.mjs) and are required here
 * on first use, so that `activate()` loads only dist/extension.js. Each `require` names its file
 * literally: esbuild leaves `./chunks/*` unbundled and resolves it next to dist/extension.js.
 */
interface Chunks {
  telemetry: typeof TelemetryChunk;
}

const loaded = new Map<keyof Chunks, unknown>();

export function loadChunk<K extends keyof Chunks>(name: K): Chunks[K] {
  let chunk = loaded.get(name);
  if (!chunk) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    switch (name) {
      case 'telemetry':
        chunk = require('./chunks/telemetry.js');
        break;
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    loaded.set(name, chunk);
  }
  return chunk as Chunks[K];
}
