import type * as AuthChunk from '../auth/index';
import type * as CertificatesChunk from '../auth/certificateFile/index';
import type * as ImapChunk from '../mail/imap/index';
import type * as GraphChunk from '../mail/graph/index';
import type * as SmtpChunk from '../mail/smtp/index';
import type * as TelemetryChunk from '../telemetry/telemetryChunk';
import type * as ProxyChunk from '../net/proxyAgent';
import * as vscode from 'vscode';

/**
 * Heavy modules live in their own files under dist/chunks (see esbuild.mjs) and are required here
 * on first use, so that `activate()` loads only dist/extension.js. Each `require` names its file
 * literally: esbuild leaves `./chunks/*` unbundled and resolves it next to dist/extension.js.
 */
interface Chunks {
  telemetry: typeof TelemetryChunk;
  auth: typeof AuthChunk;
  certificates: typeof CertificatesChunk;
  imap: typeof ImapChunk;
  smtp: typeof SmtpChunk;
  graph: typeof GraphChunk;
  proxy: typeof ProxyChunk;
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
      case 'auth':
        chunk = require('./chunks/auth.js');
        break;
      case 'certificates':
        chunk = require('./chunks/certificates.js');
        break;
      case 'imap':
        chunk = require('./chunks/imap.js');
        break;
      case 'smtp':
        chunk = require('./chunks/smtp.js');
        break;
      case 'graph':
        chunk = require('./chunks/graph.js');
        break;
      case 'proxy':
        chunk = require('./chunks/proxy.js');
        break;
    }
    /* eslint-enable @typescript-eslint/no-require-imports */
    // The chunk's own copy of @vscode/l10n (src/core/localization.ts) starts without a bundle.
    (chunk as Chunks[K]).useDisplayLanguage({ bundle: vscode.l10n.bundle, language: vscode.env.language });
    loaded.set(name, chunk);
  }
  return chunk as Chunks[K];
}
