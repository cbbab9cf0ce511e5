/**
 * VS Code's pseudo-locale `qps-ploc`, for the end-to-end check that no English is left in what M365
 * Mail shows. Every ASCII letter of a translated message becomes an accented look-alike
 * ("Authorized" → "ȦȦŭŭŧħǿǿřīẑḗḗḓ"), so English that never went through the bundles stands out.
 *
 * Two parts, neither committed nor shipped:
 * - M365 Mail's pseudo translations (`l10n/bundle.l10n.qps-ploc.json`, `package.nls.qps-ploc.json`),
 *   made by `@vscode/l10n-dev generate-pseudo` from the bundles inside the installed extension,
 *   i.e. from exactly what the VSIX ships, and written beside them.
 * - A language pack for `qps-ploc`. VS Code switches its display language only to a language a
 *   language pack provides (its server resolves the locale through `languagepacks.json`, which it
 *   writes when it installs one), and Microsoft's "Pseudo Language Language Pack" comes from the
 *   Marketplace, which this machine cannot reach. This one is built the same way from the VS Code
 *   under test: its own `nls.keys.json` / `nls.messages.json`, pseudo-localized.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { getL10nPseudoLocalized } from '@vscode/l10n-dev';
import { vsce } from './packageVsix';
import { codeServerDir, repoRoot } from './toolchain';

export const PSEUDO_LOCALE = 'qps-ploc';

/** What the pseudo-locale makes of an English message; `{0}`-style placeholders are filled after, as `l10n.t` does. */
export function pseudo(message: string, ...args: Array<string | number>): string {
  const localized = getL10nPseudoLocalized({ m: message }).m;
  const text = typeof localized === 'string' ? localized : localized.message;
  return text.replace(/\{(\d+)\}/g, (whole, i: string) => (args[Number(i)] === undefined ? whole : String(args[Number(i)])));
}

/**
 * Adds the pseudo translations to the installed M365 Mail in `extensionsDir`, with the CLI a
 * translator runs (`vscode-l10n-dev generate-pseudo`).
 */
export function addPseudoTranslations(extensionsDir: string): void {
  const installed = fs.readdirSync(extensionsDir).filter((name) => name.startsWith('m365mail.m365-mail-'));
  if (installed.length !== 1) throw new Error(`expected one installed M365 Mail in ${extensionsDir}, found ${installed.join(', ') || 'none'}`);
  const extension = path.join(extensionsDir, installed[0]!);
  // generate-pseudo writes each file's translation beside it: where VS Code looks for it.
  const cli = path.join(repoRoot, 'node_modules', '.bin', 'vscode-l10n-dev');
  const sources = [path.join(extension, 'l10n', 'bundle.l10n.json'), path.join(extension, 'package.nls.json')];
  const run = spawnSync(cli, ['generate-pseudo', '--language', PSEUDO_LOCALE, ...sources], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`generate-pseudo failed:\n${run.stdout}\n${run.stderr}`);
  for (const made of [path.join(extension, 'l10n', `bundle.l10n.${PSEUDO_LOCALE}.json`), path.join(extension, `package.nls.${PSEUDO_LOCALE}.json`)]) {
    if (!fs.existsSync(made)) throw new Error(`generate-pseudo did not write ${made}:\n${run.stdout}`);
  }
}

/** The display name of the language the pack contributes, as "Configure Display Language" lists it. */
export const PSEUDO_LANGUAGE_NAME = 'Pseudo Language';

/**
 * Packages the `qps-ploc` language pack into `dir` and returns the VSIX: the VS Code core's own
 * messages (code-server's nls.keys.json and nls.messages.json, in the same order) pseudo-localized
 * into the `main.i18n.json` shape language packs carry.
 */
export function pseudoLanguagePackVsix(dir: string): string {
  const nls = path.join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode', 'out');
  const keys = JSON.parse(fs.readFileSync(path.join(nls, 'nls.keys.json'), 'utf8')) as Array<[string, string[]]>;
  const messages = JSON.parse(fs.readFileSync(path.join(nls, 'nls.messages.json'), 'utf8')) as string[];
  const flat: Record<string, string> = {};
  let i = 0;
  for (const [module, names] of keys) for (const name of names) flat[`${module}#${name}`] = messages[i++] ?? '';
  const localized = getL10nPseudoLocalized(flat);
  const contents: Record<string, Record<string, string>> = {};
  for (const [id, value] of Object.entries(localized)) {
    const cut = id.indexOf('#');
    (contents[id.slice(0, cut)] ??= {})[id.slice(cut + 1)] = typeof value === 'string' ? value : value.message;
  }
  const root = path.join(dir, 'pseudo-language-pack');
  fs.mkdirSync(path.join(root, 'translations'), { recursive: true });
  fs.writeFileSync(path.join(root, 'translations', 'main.i18n.json'), JSON.stringify({ version: '1.0.0', contents }));
  fs.writeFileSync(
    path.join(root, 'package.json'),
    JSON.stringify({
      name: 'pseudo-language-pack',
      displayName: 'Pseudo Language Language Pack (tests)',
      publisher: 'm365mail-tests',
      version: '0.0.1',
      engines: { vscode: '^1.90.0' },
      categories: ['Language Packs'],
      contributes: {
        localizations: [
          {
            languageId: PSEUDO_LOCALE,
            languageName: PSEUDO_LANGUAGE_NAME,
            localizedLanguageName: PSEUDO_LANGUAGE_NAME,
            translations: [{ id: 'vscode', path: './translations/main.i18n.json' }]
          }
        ]
      }
    })
  );
  fs.writeFileSync(path.join(root, 'README.md'), 'The pseudo-locale qps-ploc for the end-to-end tests of M365 Mail.\n');
  const vsix = path.join(dir, 'pseudo-language-pack.vsix');
  vsce(root, vsix);
  return vsix;
}
