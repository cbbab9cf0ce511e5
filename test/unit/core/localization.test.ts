import { strict as assert } from 'node:assert';
import * as l10n from '@vscode/l10n';
import { formatSize } from '../../../src/core/format';
import { formatLocale, useDisplayLanguage } from '../../../src/core/localization';
import { validateMailbox, validateName } from '../../../src/core/validation';
import { explainImapFailure, explainSmtpFailure } from '../../../src/mail/mailErrors';
import { oauthError } from '../../../src/auth/errors';
import { useEnglish, useGuillemetLanguage } from '../displayLanguage';

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

describe('core and the engines in the display language', () => {
  beforeEach(useGuillemetLanguage);
  afterEach(useEnglish);

  it('validation messages, with the field names translated on their own', () => {
    assert.equal(validateName(''), '«Enter a name, for example "Orders mailbox (production)".»');
    assert.equal(validateMailbox('x', l10n.t('the user name'), true), '«"x" is not an email address (user principal name), for example adele@contoso.com.»');
    assert.equal(validateMailbox('', l10n.t('the user name'), true), '«Enter «the user name», for example adele@contoso.com.»');
  });

  it('SMTP explanations; the server reply and the PowerShell command stay as they are', () => {
    const error = explainSmtpFailure({ responseCode: 535, response: '535 5.7.139 Authentication unsuccessful' });
    assert.equal(error.code, 'smtp.535 5.7.139');
    assert.match(error.message, /^«SMTP AUTH is switched off .*» «The server said: "535 5\.7\.139 Authentication unsuccessful"»$/);
    assert.match(error.options.nextStep ?? '', /^«An Exchange admin .*\(Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled \$false\).*»$/);
  });

  it('network failures, naming the other end in the display language', () => {
    const error = explainImapFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:993' });
    assert.equal(error.code, 'network.refused');
    assert.equal(error.message, '«Nothing is listening at the address and port of «the IMAP server» (connection refused).»');
    assert.equal(error.options.nextStep, '«Check the host and port of the credential.»');
  });

  it('Entra errors by their AADSTS number', () => {
    const error = oauthError({ error: 'invalid_request', error_codes: [50011], error_description: 'AADSTS50011: The redirect URI …' });
    assert.equal(error.code, 'AADSTS50011');
    assert.equal(error.message, '«The redirect URI sent does not match one registered for the app (AADSTS50011).»');
  });
});
