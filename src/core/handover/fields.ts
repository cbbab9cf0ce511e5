/**
 * A hand-over as a list of fields, each with the value to paste and, for a secret, no value but
 * where to find it. Rendered as a Markdown document; the host offers "Copy …" for each value.
 * Pure; no `vscode` import.
 */
import * as l10n from '@vscode/l10n';

export interface HandoverField {
  /** The field's name as the target platform's form labels it. */
  label: string;
  /** What to paste; absent for a secret, which M365 Mail never shows. */
  value?: string;
  /** Where the value comes from, or for a secret where to find it. */
  note?: string;
}

export interface HandoverDocument {
  title: string;
  /** Paragraphs before the fields: where in the platform the form is. */
  intro: string[];
  fields: HandoverField[];
  /** Paragraphs after the fields: what else to do or check. */
  notes: string[];
}

/** A target the credential cannot be used with as it is, and why. */
export interface Unsupported {
  kind: 'unsupported';
  reason: string;
}

/** A Markdown code span that holds any value (CommonMark: a longer backtick run than the value's longest). */
export function codeSpan(value: string): string {
  const longest = Math.max(0, ...(value.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = value.startsWith('`') || value.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${value}${pad}${fence}`;
}

/** Table cells may not hold a pipe or a line break. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderHandoverMarkdown(doc: HandoverDocument): string {
  const lines = [
    `# ${doc.title}`,
    '',
    ...doc.intro.flatMap((p) => [p, '']),
    `| ${l10n.t('field')} | ${l10n.t('value')} | ${l10n.t('note')} |`,
    '| --- | --- | --- |'
  ];
  for (const field of doc.fields) {
    const value = field.value === undefined ? l10n.t('(secret: not shown)') : field.value === '' ? l10n.t('(leave empty)') : codeSpan(field.value);
    lines.push(`| ${cell(field.label)} | ${cell(value)} | ${cell(field.note ?? '')} |`);
  }
  if (doc.notes.length) lines.push('', ...doc.notes.flatMap((p) => [`- ${p}`]));
  lines.push('', l10n.t('Nothing in this document is a secret. Every value can be copied with the "Copy …" list that opened with it.'), '');
  return lines.join('\n');
}

/** The fields that have a value to copy. */
export function copyableFields(doc: HandoverDocument): Array<HandoverField & { value: string }> {
  return doc.fields.filter((f): f is HandoverField & { value: string } => typeof f.value === 'string' && f.value !== '');
}

/** A grant as the add flow names it, for messages that say why a target does not fit. */
export function grantLabel(grant: 'authorizationCode' | 'deviceCode' | 'clientCredentials'): string {
  return grant === 'authorizationCode' ? l10n.t('Authorization code') : grant === 'deviceCode' ? l10n.t('Device code') : l10n.t('Client credentials');
}
