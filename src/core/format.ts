/**
 * Small formatting helpers shared by the host and the webview bundle (no imports, no DOM, no Node).
 */

/** 512 B, 3.4 KB, 12.0 MB: small attachments must not read "0 KB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/** `vscode.l10n.t`'s shape: a message with `{0}`-style placeholders. Modules without `vscode` take one. */
export type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** The fallback when no translation is passed: fills the placeholders only. */
export const untranslated: Translate = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)])));
