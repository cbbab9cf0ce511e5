/**
 * The display language for code without `vscode`: core, the engines and the webview bundles.
 *
 * Their strings are written as `l10n.t('…')` with `@vscode/l10n`, so that `npm run l10n`
 * (`@vscode/l10n-dev export`) collects them into the same `l10n/bundle.l10n.json` as the host's
 * `vscode.l10n.t` calls. `@vscode/l10n` keeps its bundle in module state, and each file esbuild
 * writes (extension.js, every lazy chunk, every webview) carries its own copy of the module, so
 * each one is handed the bundle when it loads: extension.ts for itself, `loadChunk` for a chunk,
 * the panel's HTML for a webview. Without a bundle (English) `l10n.t` fills the placeholders only.
 */
import * as l10n from '@vscode/l10n';

/** What VS Code says of the display language: `vscode.l10n.bundle` and `vscode.env.language`. */
export interface DisplayLanguage {
  /** The translated messages; undefined for English or a language the extension is not translated into. */
  readonly bundle: { [message: string]: string } | undefined;
  /** A BCP 47 tag such as `de` or `zh-cn`; VS Code's pseudo-locale `qps-ploc` too. */
  readonly language: string;
}

let current: string | undefined;

/** Makes `l10n.t` and the number formats of this bundle speak the display language. */
export function useDisplayLanguage(display: DisplayLanguage): void {
  l10n.config({ contents: display.bundle ?? {} });
  current = display.language;
}

/**
 * The locale for `Intl` formats: the display language where `Intl` knows it, else the runtime's
 * default (a pseudo-locale such as `qps-ploc` is not a locale `Intl` can format numbers in).
 */
export function formatLocale(): string | undefined {
  if (!current) return undefined;
  try {
    return Intl.NumberFormat.supportedLocalesOf([current]).length ? current : undefined;
  } catch {
    return undefined;
  }
}
