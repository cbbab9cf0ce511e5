import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The HTML shell of a webview: a strict CSP (nothing by default; scripts only with a per-load
 * nonce from `crypto`; styles and scripts only from the webview's own bundle folder), the bundle
 * and its CSS, the body markup the bundle fills, and VS Code's display language for the bundle's
 * `useDisplayLanguage` (src/core/localization.ts): `vscode.l10n.bundle` and `vscode.env.language`
 * as a JSON data block, which a browser never runs, so the policy needs no room for it.
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
  const display = jsonInHtml({ bundle: vscode.l10n.bundle, language: vscode.env.language });
  return `<!DOCTYPE html>
<html lang="${attribute(vscode.env.language)}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
</head>
<body>
<script type="application/json" id="display-language">${display}</script>
${body}
<script nonce="${nonce}" src="${script.toString()}"></script>
</body>
</html>`;
}

/**
 * JSON that stays data inside a `<script>` element: `<` escaped, so no string in it (a translation)
 * can close the element or open a comment.
 */
function jsonInHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** A language tag for the `lang` attribute: its letters, digits and hyphens only. */
function attribute(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, '');
}
