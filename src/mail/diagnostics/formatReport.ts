/**
 * Renders connection test results ({@link ConnectionReport}) as a Markdown document an admin can
 * read top to bottom or paste into a ticket: a summary, one table of steps per server (green or
 * red, with timings), what went wrong and the next step, then the evidence (certificate chains,
 * capabilities, server replies). Server text is escaped: it is data, not Markdown. Holds no secret
 * (the reports never carry the token or the SASL string). No `vscode` import: its words are
 * `@vscode/l10n`'s (src/core/localization.ts).
 */
import * as l10n from '@vscode/l10n';
import type { CertificateSummary } from '../../net/certificateChain';
import type { DialAttempt } from '../../net/dialAddresses';
import type { ConnectionReport, ConnectionStep, ProxyFindings, StepId } from './report';

export interface ReportInput {
  /** The credential's name. */
  credentialName: string;
  reports: readonly ConnectionReport[];
  /** Extra lines under the title (for example which CAs were trusted). */
  notes?: readonly string[];
  /** When the test ran, default now. */
  at?: Date;
}

const ICON = { passed: '✅', failed: '❌', skipped: '⚪' } as const;

/** Escapes text for inline Markdown (table cells, headings, after other text): server replies and names are data. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .trim()
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}

/** Escapes text that starts a paragraph, where a leading "#", "-", "+", "=" or "1." would begin a block. */
export function escapeParagraph(text: string): string {
  return escapeMarkdown(text)
    .replace(/^[#+=-]/, '\\$&')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** A fenced block that no backtick run in `text` can close early. */
export function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  // A pipe inside a code span still splits a table cell in GFM: escape it.
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * What each step is called: its command where it is one (protocol text, not translated), else words.
 * `auth` and `mailbox` depend on the step.
 */
const STEP_TITLES: Record<Exclude<StepId, 'auth' | 'mailbox'>, () => string> = {
  dns: () => l10n.t('DNS lookup'),
  tcp: () => l10n.t('TCP connect'),
  tls: () => l10n.t('TLS handshake'),
  greeting: () => l10n.t('Greeting'),
  capability: () => 'CAPABILITY',
  ehlo: () => 'EHLO',
  starttls: () => l10n.t({ message: 'STARTTLS and TLS handshake', comment: ['STARTTLS is the SMTP command; keep it as is.'] }),
  ehloTls: () => l10n.t({ message: 'EHLO after STARTTLS', comment: ['EHLO and STARTTLS are SMTP commands; keep them as is.'] }),
  token: () => l10n.t('Access token'),
  mailFrom: () => 'MAIL FROM',
  quit: () => 'RSET and QUIT',
  graphUser: () => 'GET /users/<mailbox>',
  graphInbox: () => 'GET mailFolders/inbox',
  graphSend: () => l10n.t('Send permission (from the token)'),
  proxy: () => l10n.t('Proxy')
};

export function stepTitle(report: Pick<ConnectionReport, 'protocol'>, id: StepId, step?: ConnectionStep): string {
  if (id === 'auth') return report.protocol === 'imap' ? 'AUTHENTICATE XOAUTH2' : 'AUTH XOAUTH2';
  if (id === 'mailbox') return `EXAMINE ${step?.mailbox?.name ?? 'INBOX'}`;
  return STEP_TITLES[id]();
}

/** One line saying what a step found. */
function stepResult(report: ConnectionReport, step: ConnectionStep): string {
  if (step.status === 'skipped') return l10n.t('not run: an earlier step failed');
  if (step.status === 'failed') {
    if (step.tls?.authorizationError) return l10n.t('certificate not accepted ({0})', step.tls.authorizationError);
    // The first sentence; the whole explanation follows the table.
    const message = step.error?.message ?? l10n.t('failed');
    return truncate(/^.*?[.!?](?=\s|$)/.exec(message)?.[0] ?? message, 160);
  }
  switch (step.id) {
    case 'dns':
      return step.ipLiteral ? l10n.t('{0} is an IP address: no lookup', step.addresses?.[0] ?? report.host) : (step.addresses ?? []).join(', ');
    case 'tcp': {
      const failed = (step.attempts ?? []).filter((a) => a.code);
      return failed.length
        ? l10n.t('connected to {0} from {1}, after {2} other address(es) failed', step.remote ?? '', step.local ?? '', failed.length)
        : l10n.t('connected to {0} from {1}', step.remote ?? '', step.local ?? '');
    }
    case 'tls':
    case 'starttls':
      return l10n.t('{0}, {1}; certificate chain trusted', step.tls?.protocol ?? '?', step.tls?.cipher ?? '?');
    case 'greeting':
      return truncate(step.greeting ?? '', 120);
    case 'capability':
      return step.xoauth2Offered ? l10n.t('AUTH=XOAUTH2 offered ({0} capabilities)', step.capabilities?.length ?? 0) : l10n.t('AUTH=XOAUTH2 not offered');
    case 'ehlo':
    case 'ehloTls':
      if (step.authMechanisms) return l10n.t('AUTH {0}', step.authMechanisms.join(' ') || l10n.t('(none)'));
      return (step.capabilities ?? []).some((c) => /^STARTTLS\b/i.test(c))
        ? l10n.t('{0} extensions, STARTTLS offered', step.capabilities?.length ?? 0)
        : l10n.t('{0} extensions', step.capabilities?.length ?? 0);
    case 'token':
      if (step.tokenClaims) {
        const held = [...step.tokenClaims.scopes, ...step.tokenClaims.roles].join(' ') || l10n.t('(none)');
        return l10n.t('obtained (never shown); audience {0}; {1}', step.tokenClaims.audience ?? '?', held);
      }
      return l10n.t('obtained (never shown)');
    case 'graphUser':
      return l10n.t('the mailbox {0} exists and Graph serves it ({1})', report.user, step.reply ?? '');
    case 'graphInbox':
      return step.mailbox?.exists === undefined ? l10n.t('read access ({0})', step.reply ?? '') : l10n.t('read access: {0} messages', step.mailbox.exists);
    case 'graphSend':
      return l10n.t('the token carries the permission to send (nothing was sent)');
    case 'auth':
      return l10n.t('authenticated as {0}', step.saslUser ?? report.user);
    case 'mailbox':
      return step.mailbox?.exists === undefined ? l10n.t('opened read-only') : l10n.t('opened read-only: {0} messages', step.mailbox.exists);
    case 'mailFrom':
      return l10n.t('{0} accepted as sender (nothing was sent)', `<${step.mailFrom ?? report.user}>`);
    case 'quit':
      return l10n.t('transaction reset, session closed');
    case 'proxy':
      return proxyResult(step);
  }
}

/**
 * VS Code's extension-host patch chose the route (`http.proxySupport` on, fallback or override):
 * the proxy it took and where that came from, or that it went direct. Its CONNECT answer is not
 * visible to us; the HTTP status is.
 */
function routedByVsCode(found: ProxyFindings): string {
  const source = found.source === 'system' ? l10n.t("VS Code's system proxy resolution") : found.source;
  return found.through
    ? l10n.t(
        'the token endpoint {0} answered through {1} (from {2}; routed by VS Code, http.proxySupport: {3}): HTTP {4}',
        found.target,
        found.proxy,
        source,
        found.support ?? '?',
        found.httpStatus ?? '?'
      )
    : l10n.t(
        'VS Code sent the token endpoint {0} directly (http.proxySupport: {1}; it sends localhost and the no-proxy list direct): HTTP {2}',
        found.target,
        found.support ?? '?',
        found.httpStatus ?? '?'
      );
}

/** Which proxy, and how the token endpoint was reached. */
function proxyResult(step: ConnectionStep): string {
  const found = step.proxy;
  if (!found) return '';
  const reached =
    found.routedBy === 'vscode'
      ? routedByVsCode(found)
      : found.through
        ? l10n.t(
            'the token endpoint {0} answered through {1} (from {2}): CONNECT {3}, HTTP {4}',
            found.target,
            found.proxy,
            found.source,
            found.connectStatus ?? '?',
            found.httpStatus ?? '?'
          )
        : l10n.t(
            'the token endpoint {0} is in the no-proxy list and answered directly (HTTP {1}); other hosts go through {2}',
            found.target,
            found.httpStatus ?? '?',
            found.proxy
          );
  return found.strictSslOff ? `${reached}; ${l10n.t('http.proxyStrictSSL is false, but certificates are verified all the same')}` : reached;
}

function serverLabel(report: ConnectionReport): string {
  if (report.protocol === 'proxy') return l10n.t('HTTPS proxy {0}:{1}', report.host, report.port);
  if (report.protocol === 'graph') {
    return report.viaProxy
      ? l10n.t('Microsoft Graph {0}:{1} (HTTPS through the proxy {2})', report.host, report.port, report.viaProxy)
      : l10n.t('Microsoft Graph {0}:{1} (HTTPS)', report.host, report.port);
  }
  const security = report.security === 'tls' ? l10n.t('implicit TLS') : l10n.t('STARTTLS');
  return `${report.protocol.toUpperCase()} ${report.host}:${report.port} (${security})`;
}

function certificateSection(chain: readonly CertificateSummary[]): string[] {
  const out: string[] = [];
  chain.forEach((cert, index) => {
    const role = index === 0 ? l10n.t('server certificate') : cert.selfIssued ? l10n.t('root CA') : l10n.t('issuer');
    out.push(`${index + 1}. **${escapeMarkdown(cert.subject)}** (${role})`, '');
    out.push(`   | ${l10n.t('Field')} | ${l10n.t('Value')} |`, '   | --- | --- |');
    out.push(`   | ${l10n.t('Subject')} | ${escapeMarkdown(cert.subject)} |`);
    out.push(`   | ${l10n.t('Issuer')} | ${escapeMarkdown(cert.issuer)} |`);
    out.push(`   | ${l10n.t('Valid from')} | ${cert.validFrom} |`);
    out.push(`   | ${l10n.t('Valid to')} | ${cert.validTo} |`);
    out.push(`   | ${l10n.t('SHA-256 fingerprint')} | ${code(cert.fingerprint256)} |`);
    out.push(`   | ${l10n.t('Subject alternative names')} | ${cert.subjectAltNames.length ? cert.subjectAltNames.map((n) => code(n)).join(' ') : '—'} |`);
    out.push(`   | ${l10n.t('Serial number')} | ${code(cert.serialNumber)} |`);
    out.push('');
  });
  return out;
}

function endpoint(attempt: DialAttempt): string {
  return attempt.address.includes(':') ? `[${attempt.address}]:${attempt.port}` : `${attempt.address}:${attempt.port}`;
}

/** Every address dialled, when there was more than one or the only one failed: which answered, and why the others did not. */
function attemptsSection(step: ConnectionStep): string[] {
  const attempts = step.attempts ?? [];
  if (!attempts.length || (attempts.length === 1 && !attempts[0]!.code)) return [];
  const out = [`### ${l10n.t('Addresses dialled')}`, '', `| ${l10n.t('Address')} | ${l10n.t('Time')} | ${l10n.t('Result')} |`, '| --- | ---: | --- |'];
  for (const attempt of attempts) {
    const result = attempt.code ? l10n.t('failed: {0}', `${attempt.code}${attempt.message ? ` (${attempt.message})` : ''}`) : l10n.t('answered');
    out.push(`| ${code(endpoint(attempt))} | ${ms(attempt.durationMs)} | ${escapeMarkdown(result)} |`);
  }
  out.push('');
  return out;
}

function reportSection(report: ConnectionReport): string[] {
  const out: string[] = [];
  out.push(`## ${report.passed ? ICON.passed : ICON.failed} ${escapeMarkdown(serverLabel(report))}`, '');
  const user = report.user ? code(report.user) : '—';
  out.push(
    report.protocol === 'proxy'
      ? l10n.t('Started {0} · took {1}', report.startedAt, ms(report.durationMs))
      : report.protocol === 'graph'
        ? l10n.t('Mailbox: {0} · started {1} · took {2}', user, report.startedAt, ms(report.durationMs))
        : l10n.t('XOAUTH2 user: {0} · started {1} · took {2}', user, report.startedAt, ms(report.durationMs)),
    ''
  );
  out.push(`| | ${l10n.t('Step')} | ${l10n.t('Time')} | ${l10n.t('Result')} |`, '| --- | --- | ---: | --- |');
  for (const step of report.steps) {
    const time = step.status === 'skipped' ? '' : ms(step.durationMs);
    out.push(`| ${ICON[step.status]} | ${escapeMarkdown(stepTitle(report, step.id, step))} | ${time} | ${escapeMarkdown(stepResult(report, step))} |`);
  }
  out.push('');

  const failed = report.steps.find((s) => s.status === 'failed');
  if (failed?.error) {
    out.push(`### ${ICON.failed} ${l10n.t('What went wrong: {0}', escapeMarkdown(stepTitle(report, failed.id, failed)))}`, '');
    out.push(escapeParagraph(failed.error.message), '');
    if (failed.error.nextStep) out.push(`**${l10n.t('Next step')}:** ${escapeMarkdown(failed.error.nextStep)}`, '');
    out.push(`${l10n.t('Code')}: ${code(failed.error.code)}`, '');
    if (failed.reply) out.push(l10n.t('The server answered:'), '', codeBlock(failed.reply), '');
    if (failed.saslChallenge) out.push(l10n.t('XOAUTH2 error challenge (decoded):'), '', codeBlock(JSON.stringify(failed.saslChallenge, null, 2)), '');
  }

  const tcp = report.steps.find((s) => s.id === 'tcp');
  if (tcp) out.push(...attemptsSection(tcp));

  for (const step of report.steps) {
    if (step.tls && (step.tls.chain.length || step.tls.protocol)) {
      out.push(`### ${l10n.t('Certificate chain ({0})', escapeMarkdown(stepTitle(report, step.id, step)))}`, '');
      const verdict = step.tls.authorized
        ? l10n.t('trusted (system roots and m365mail.trustedCaCertificates)')
        : l10n.t('not trusted: {0}', step.tls.authorizationError ?? '?');
      out.push(`- ${l10n.t('Protocol')}: ${step.tls.protocol ?? '—'}`);
      out.push(`- ${l10n.t('Cipher')}: ${step.tls.cipher ?? '—'}`);
      out.push(`- ${l10n.t('Server name (SNI)')}: ${step.tls.servername ? code(step.tls.servername) : l10n.t('none (IP address)')}`);
      out.push(`- ${l10n.t('Verification')}: ${escapeMarkdown(verdict)}`, '');
      out.push(...certificateSection(step.tls.chain));
    }
  }

  const listed = report.steps.filter((s) => s.capabilities?.length);
  for (const step of listed) {
    out.push(`### ${l10n.t('Server capabilities ({0})', escapeMarkdown(stepTitle(report, step.id, step)))}`, '');
    out.push((step.capabilities ?? []).map((c) => code(c)).join(' '), '');
  }

  const greeting = report.steps.find((s) => s.id === 'greeting' && s.greeting);
  if (greeting?.greeting) out.push(`### ${l10n.t('Greeting')}`, '', codeBlock(greeting.greeting), '');
  return out;
}

/** The whole report as Markdown. */
export function formatConnectionReport(input: ReportInput): string {
  const at = (input.at ?? new Date()).toISOString();
  const out: string[] = [`# ${l10n.t('Connection test: {0}', escapeMarkdown(input.credentialName))}`, ''];
  // Say what each protocol tested here does instead of sending, and only for those tested.
  const protocols = new Set(input.reports.map((r) => r.protocol));
  const how = [
    protocols.has('smtp') ? l10n.t('SMTP stops after MAIL FROM') : '',
    protocols.has('imap') ? l10n.t('IMAP opens the mailbox read-only') : '',
    protocols.has('graph') ? l10n.t('Microsoft Graph only reads, and judges the send permission from the token') : '',
    protocols.has('proxy') ? l10n.t('the proxy step sends the token endpoint a plain GET, without any credential') : ''
  ].filter(Boolean);
  out.push(l10n.t('Run at {0}. Nothing is sent: {1}. The access token and the SASL string are never shown.', at, how.join(', ')), '');
  for (const note of input.notes ?? []) out.push(`- ${escapeParagraph(note)}`);
  if (input.notes?.length) out.push('');

  out.push(`| | ${l10n.t('Server')} | ${l10n.t('Result')} | ${l10n.t('Time')} |`, '| --- | --- | --- | ---: |');
  for (const report of input.reports) {
    const failed = report.steps.find((s) => s.status === 'failed');
    const result = failed ? l10n.t('failed at {0}', stepTitle(report, failed.id, failed)) : l10n.t('all {0} steps passed', report.steps.length);
    out.push(
      `| ${report.passed ? ICON.passed : ICON.failed} | ${escapeMarkdown(serverLabel(report))} | ${escapeMarkdown(result)} | ${ms(report.durationMs)} |`
    );
  }
  out.push('');
  for (const report of input.reports) out.push(...reportSection(report));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
