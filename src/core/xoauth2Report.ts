/**
 * The Markdown of "Decode XOAUTH2 string": the verdict, one row per check, and the token's claims.
 * It is built from the decoded result only, which holds no token, so the document cannot show one.
 * No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { CheckId, CheckStatus, Xoauth2Decoded } from './xoauth2Decode';

const MARK: Record<CheckStatus, string> = { passed: '✅', warning: '⚠️', failed: '❌' };

/** A table cell: no line breaks, no column separators. */
const cell = (value: unknown) =>
  String(typeof value === 'string' ? value : JSON.stringify(value))
    .replace(/[\r\n]+/g, ' ')
    .replace(/\|/g, '\\|');

function checkTitle(id: CheckId): string {
  switch (id) {
    case 'audience':
      return l10n.t('Audience');
    case 'permissions':
      return l10n.t('Permissions');
    case 'expiry':
      return l10n.t('Expiry');
    case 'user':
      return l10n.t('User');
    case 'tenant':
      return l10n.t('Tenant');
  }
}

export function formatXoauth2Report(result: Xoauth2Decoded): string {
  const verdict =
    result.verdict === 'passed'
      ? l10n.t('Exchange Online should accept this string for {0}.', result.protocols.map((p) => p.toUpperCase()).join(', '))
      : result.verdict === 'warning'
        ? l10n.t('This string may work: read the warnings.')
        : l10n.t('Exchange Online will refuse this string.');
  const lines = [
    `# ${l10n.t('XOAUTH2 string')}`,
    '',
    `**${MARK[result.verdict]} ${verdict}**`,
    '',
    `- user=${cell(result.user)}`,
    `- ${result.appOnly ? l10n.t('App-only token (application permissions)') : l10n.t('Delegated token (signed-in user)')}`,
    '',
    `| | ${l10n.t('check')} | ${l10n.t('result')} |`,
    '| --- | --- | --- |',
    ...result.checks.map((c) => `| ${MARK[c.status]} | ${checkTitle(c.id)} | ${cell(c.detail)} |`),
    '',
    `## ${l10n.t('Claims')}`,
    '',
    l10n.t('Decoded without verifying the signature; only Exchange Online can. The token itself is not shown.'),
    '',
    `| ${l10n.t('claim')} | ${l10n.t('value')} |`,
    '| --- | --- |',
    ...Object.entries(result.claims.claims).map(([name, value]) => `| ${cell(name)} | ${cell(value)} |`),
    ''
  ];
  return lines.join('\n');
}
