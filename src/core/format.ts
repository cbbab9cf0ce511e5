/**
 * Small formatting helpers shared by the host and the webview bundle (no imports, no DOM, no Node).
 */

/** 512 B, 3.4 KB, 12.0 MB: small attachments must not read "0 KB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
