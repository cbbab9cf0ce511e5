/**
 * An HTTP response read whole, up to a bound: a server's reply is untrusted input, so a body
 * past `maxBytes` is refused rather than buffered. Headers come flattened to lower-case strings.
 * No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { IncomingMessage } from 'node:http';

export interface CollectedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Calls `done` with the whole response, or `tooLarge` (once) when the body passes `maxBytes`. */
export function collectResponse(
  response: IncomingMessage,
  maxBytes: number,
  tooLarge: (error: Error) => void,
  done: (response: CollectedResponse) => void
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let refused = false;
  response.on('data', (chunk: Buffer) => {
    if (refused) return;
    size += chunk.length;
    if (size > maxBytes) {
      refused = true;
      tooLarge(new Error(l10n.t('the response is larger than {0} bytes', maxBytes)));
      return;
    }
    chunks.push(chunk);
  });
  response.on('end', () => {
    if (refused) return;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
    }
    done({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
  });
}
