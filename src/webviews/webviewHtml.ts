import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The HTML shell of a webview: a strict CSP (nothing by default; scripts only with a per-load
 * nonce from `crypto`; styles and scripts only from the webview's own bundle folder), the bundle
 * and its CSS, and the body markup the bundle fills.
 */
export function webviewHtml(
  webview: vscode.Webview,
  bundleRoot: vscode.Uri,
  name: string,
  body: string,
  extra: { imgSrc?: string; frameSrc?: string; styleSrc?: string } = {}
): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, `${name}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(bundleRoot, `${name}.css`));
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${webview.cspSource} ${extra.styleSrc ?? ''}`.trim(),
    `img-src ${webview.cspSource} data: ${extra.imgSrc ?? ''}`.trim(),
    `frame-src ${extra.frameSrc ?? "'none'"}`,
    "form-action 'none'",
    "base-uri 'none'"
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
</head>
<body>
${body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}
