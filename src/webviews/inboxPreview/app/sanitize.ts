/**
 * Mail HTML is hostile input. DOMPurify removes scripts, event handlers, `javascript:` URLs, SVG
 * scripts, forms, frames and meta refresh; remote URLs in `src`, `srcset`, `background` and CSS are
 * removed too unless the user allowed remote content for this message. The result is then shown
 * in a sandboxed frame (no scripts, no same origin) whose own CSP blocks remote loads unless
 * allowed, so even a sanitizer bug could not run or fetch anything.
 */
import DOMPurify from 'dompurify';

const REMOTE = /^\s*(https?:)?\/\//i;
const CSS_URL = /url\(\s*(['"]?)\s*(?:https?:)?\/\/[^)]*\1\s*\)/gi;
const hasCssUrl = (text: string) => new RegExp(CSS_URL.source, 'i').test(text);

export interface SanitizeResult {
  html: string;
  blockedRemote: number;
}

export function sanitizeMailHtml(html: string, allowRemote: boolean): SanitizeResult {
  let blockedRemote = 0;
  const purify = DOMPurify(window);
  purify.addHook('uponSanitizeAttribute', (_node, data) => {
    if (allowRemote) return;
    const name = data.attrName;
    if ((name === 'src' || name === 'background' || name === 'poster' || name === 'srcset') && REMOTE.test(data.attrValue)) {
      data.keepAttr = false;
      blockedRemote++;
    }
    if (name === 'style' && hasCssUrl(data.attrValue)) {
      data.attrValue = data.attrValue.replace(CSS_URL, 'none');
      blockedRemote++;
    }
  });
  purify.addHook('uponSanitizeElement', (node, data) => {
    if (!allowRemote && data.tagName === 'style' && node.textContent && hasCssUrl(node.textContent)) {
      node.textContent = node.textContent.replace(CSS_URL, 'none');
      blockedRemote++;
    }
  });
  purify.addHook('afterSanitizeAttributes', (node) => {
    // Links open outside the frame (the sandbox blocks navigation anyway).
    if (node.tagName === 'A') {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    }
  });
  const clean = purify.sanitize(html, {
    WHOLE_DOCUMENT: false,
    FORBID_TAGS: [
      'form',
      'input',
      'button',
      'select',
      'textarea',
      'iframe',
      'frame',
      'frameset',
      'object',
      'embed',
      'meta',
      'link',
      'base',
      'script',
      'noscript'
    ],
    FORBID_ATTR: ['action', 'formaction', 'ping'],
    ALLOW_DATA_ATTR: false
  });
  return { html: clean, blockedRemote };
}

/** The srcdoc of the message frame: its own CSP on top of the panel's. */
export function frameDocument(cleanHtml: string, allowRemote: boolean): string {
  const img = allowRemote ? 'data: cid: https:' : 'data: cid:';
  const style = allowRemote ? "'unsafe-inline' https:" : "'unsafe-inline'";
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${img}; style-src ${style}; font-src data:"><style>body{font:13px system-ui,sans-serif;margin:8px;color:#111;background:#fff;word-wrap:break-word}img{max-width:100%}</style></head><body>${cleanHtml}</body></html>`;
}
