import { strict as assert } from 'node:assert';
import * as l10n from '@vscode/l10n';
import { formatDateTime, formatSize } from '../../../src/core/format';
import { formatLocale, useDisplayLanguage } from '../../../src/core/localization';

describe('display language for code without vscode', () => {
  after(() => useDisplayLanguage({ bundle: undefined, language: 'en' }));

  it('formats sizes in the display language, 1024 to a step', () => {
    useDisplayLanguage({ bundle: undefined, language: 'en' });
    assert.equal(formatSize(30), '30 bytes');
    assert.equal(formatSize(3.4 * 1024), '3.4 kB');
    assert.equal(formatSize(12 * 1048576), '12.0 MB');
    useDisplayLanguage({ bundle: undefined, language: 'de' });
    assert.equal(formatSize(12 * 1048576), '12,0 MB');
    assert.equal(formatSize(30), '30 Byte');
  });

  it('writes dates and times in the display language', () => {
    const at = Date.UTC(2026, 11, 2, 12, 5, 9);
    useDisplayLanguage({ bundle: undefined, language: 'de' });
    assert.match(formatDateTime(at), /^2\.12\.2026, \d{2}:05:09$/);
    useDisplayLanguage({ bundle: undefined, language: 'en' });
    assert.match(formatDateTime(new Date(at).toISOString()), /^12\/2\/2026, \d{1,2}:05:09 [AP]M$/);
  });

  it('falls back to the runtime locale for a pseudo-locale Intl cannot format in', () => {
    useDisplayLanguage({ bundle: undefined, language: 'qps-ploc' });
    assert.equal(formatLocale(), undefined);
    assert.match(formatSize(2048), /^2[.,]0 kB$/);
  });

  it('hands the bundle to @vscode/l10n, placeholders filled after translation', () => {
    useDisplayLanguage({ bundle: { 'Sign-in for {0} timed out': 'Anmeldung für {0} abgelaufen' }, language: 'de' });
    assert.equal(l10n.t('Sign-in for {0} timed out', 'orders'), 'Anmeldung für orders abgelaufen');
    assert.equal(l10n.t('Not in the bundle: {0}', 1), 'Not in the bundle: 1');
  });
});
