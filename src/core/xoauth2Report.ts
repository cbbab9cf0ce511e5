/**
 * The Markdown of "Decode XOAUTH2 string": the verdict, one row per check, and the token's claims.
 * It is built from the decoded result only, which holds no token, so the document cannot show one.
 * No `vscode` import.
 */
import { untranslated, type Translate } from './format';
import type { CheckId, CheckStatus, Xoauth2Decoded } from './xoauth2Decode';

const MARK: Record<CheckStatus, string> = { passed: '✅', warning: '⚠️', failed: '❌' };

/** A table cell: no line breaks, no column separators. */
const cell = (value: unknown) =>
  String(typeof value === 'string' ? value : JSON.stringify(value))
    .replace(/[\r\n]+/g, ' ')
    .replace(/\|/g, '\\|');

function checkTitle(id: CheckId, t: Translate): string {
  switch (id) {
    case 'audience':
      return t('Audience');
    case 'permissions':
      return t('Permissions');
    case 'expiry':
      return t('Expiry');
    case 'user':
      return t('User');
    case 'tenant':
      return t('Tenant');
  }
}

export function formatXoauth2Report(result: Xoauth2Decoded, t: Translate = untranslated): string {
  const verdict =
    result.verdict === 'passed'
      ? t('Exchange Online should accept this string for {0}.', result.protocols.map((p) => p.toUpperCase()).join(', '))
      : result.verdict === 'warning'
        ? t('This string may work: read the warnings.')
        : t('Exchange Online will refuse this string.');
  const lines = [
    `# ${t('XOAUTH2 string')}`,
    '',
    `**${MARK[result.verdict]} ${verdict}**`,
    '',
    `- user=${cell(result.user)}`,
    `- ${result.appOnly ? t('App-only token (application permissions)') : t('Delegated token (signed-in user)')}`,
    '',
    `| | ${t('check')} | ${t('result')} |`,
    '| --- | --- | --- |',
    ...result.checks.map((c) => `| ${MARK[c.status]} | ${checkTitle(c.id, t)} | ${cell(c.detail)} |`),
    '',
    `## ${t('Claims')}`,
    '',
    t('Decoded without verifying the signature; only Exchange Online can. The token itself is not shown.'),
    '',
    `| ${t('claim')} | ${t('value')} |`,
    '| --- | --- |',
    ...Object.entries(result.claims.claims).map(([name, value]) => `| ${cell(name)} | ${cell(value)} |`),
    ''
  ];
  return lines.join('\n');
}
