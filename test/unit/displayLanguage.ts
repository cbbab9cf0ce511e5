/**
 * A display language for unit tests of code without `vscode`: every message of the committed
 * `l10n/bundle.l10n.json`, as a translator would see it, comes out wrapped in «…». A string that
 * comes out wrapped was both written as `l10n.t('…')` and collected by `npm run l10n`; a string
 * that was not (built without `l10n.t`, or missing from the bundle) comes out bare.
 */
import fs from 'node:fs';
import path from 'node:path';
import { useDisplayLanguage } from '../../src/core/localization';

type Entry = string | { message: string; comment: string[] };

export function useGuillemetLanguage(): void {
  const file = path.resolve(__dirname, '../../l10n/bundle.l10n.json');
  const committed = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Entry>;
  const bundle: Record<string, string> = {};
  for (const [key, entry] of Object.entries(committed)) bundle[key] = `«${typeof entry === 'string' ? entry : entry.message}»`;
  useDisplayLanguage({ bundle, language: 'de' });
}

export function useEnglish(): void {
  useDisplayLanguage({ bundle: undefined, language: 'en' });
}
