/**
 * Renders connection test results ({@link ConnectionReport}) as a Markdown document an admin can
 * read top to bottom or paste into a ticket: a summary, one table of steps per server (green or
 * red, with timings), what went wrong and the next step, then the evidence (certificate chains,
 * capabilities, server replies). Server text is escaped: it is data, not Markdown. Holds no secret
 * (the reports never carry the token or the SASL string). No `vscode` import: the caller passes its
 * translation function (`vscode.l10n.t`).
 */
import { untranslated, type Translate } from '../../core/format';
import type { CertificateSummary } from '../../net/certificateChain';
import type { DialAttempt } from '../../net/dialAddresses';
import type { ConnectionReport, ConnectionStep, ProxyFindings, StepId } from './report';

export { untranslated, type Translate } from '../../core/format';

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

/** What each step is called (its command, where it is one); `auth` and `mailbox` depend on the step. */
const STEP_TITLES: Record<Exclude<StepId, 'auth' | 'mailbox'>, string> = {
  dns: 'DNS lookup',
  tcp: 'TCP connect',
  tls: 'TLS handshake',
  greeting: 'Greeting',
  capability: 'CAPABILITY',
  ehlo: 'EHLO',
  starttls: 'STARTTLS and TLS handshake',
  ehloTls: 'EHLO after STARTTLS',
  token: 'Access token',
  mailFrom: 'MAIL FROM',
  quit: 'RSET and QUIT',
  graphUser: 'GET /users/<mailbox>',
  graphInbox: 'GET mailFolders/inbox',
  graphSend: 'Send permission (from the token)',
  proxy: 'Proxy'
};

export function stepTitle(report: Pick<ConnectionReport, 'protocol'>, id: StepId, t: Translate = untranslated, step?: ConnectionStep): string {
  if (id === 'auth') return report.protocol === 'imap' ? t('AUTHENTICATE XOAUTH2') : t('AUTH XOAUTH2');
  if (id === 'mailbox') return t('EXAMINE {0}', step?.mailbox?.name ?? 'INBOX');
  return t(STEP_TITLES[id]);
}

/** One line saying what a step found. */
function stepResult(report: ConnectionReport, step: ConnectionStep, t: Translate): string {
  if (step.status === 'skipped') return t('not run: an earlier step failed');
  if (step.status === 'failed') {
    if (step.tls?.authorizationError) return t('certificate not accepted ({0})', step.tls.authorizationError);
    // The first sentence; the whole explanation follows the table.
    const message = step.error?.message ?? t('failed');
    return truncate(/^.*?[.!?](?=\s|$)/.exec(message)?.[0] ?? message, 160);
  }
  switch (step.id) {
    case 'dns':
      return step.ipLiteral ? t('{0} is an IP address: no lookup', step.addresses?.[0] ?? report.host) : (step.addresses ?? []).join(', ');
    case 'tcp': {
      const failed = (step.attempts ?? []).filter((a) => a.code);
      return failed.length
        ? t('connected to {0} from {1}, after {2} other address(es) failed', step.remote ?? '', step.local ?? '', failed.length)
        : t('connected to {0} from {1}', step.remote ?? '', step.local ?? '');
    }
    case 'tls':
    case 'starttls':
      return t('{0}, {1}; certificate chain trusted', step.tls?.protocol ?? '?', step.tls?.cipher ?? '?');
    case 'greeting':
      return truncate(step.greeting ?? '', 120);
    case 'capability':
      return step.xoauth2Offered ? t('AUTH=XOAUTH2 offered ({0} capabilities)', step.capabilities?.length ?? 0) : t('AUTH=XOAUTH2 not offered');
    case 'ehlo':
    case 'ehloTls':
      if (step.authMechanisms) return t('AUTH {0}', step.authMechanisms.join(' ') || t('(none)'));
      return (step.capabilities ?? []).some((c) => /^STARTTLS\b/i.test(c))
        ? t('{0} extensions, STARTTLS offered', step.capabilities?.length ?? 0)
        : t('{0} extensions', step.capabilities?.length ?? 0);
    case 'token':
      if (step.tokenClaims) {
        const held = [...step.tokenClaims.scopes, ...step.tokenClaims.roles].join(' ') || t('(none)');
        return t('obtained (never shown); audience {0}; {1}', step.tokenClaims.audience ?? '?', held);
      }
      return t('obtained (never shown)');
    case 'graphUser':
      return t('the mailbox {0} exists and Graph serves it ({1})', report.user, step.reply ?? '');
    case 'graphInbox':
      return step.mailbox?.exists === undefined ? t('read access ({0})', step.reply ?? '') : t('read access: {0} messages', step.mailbox.exists);
    case 'graphSend':
      return t('the token carries the permission to send (nothing was sent)');
    case 'auth':
      return t('authenticated as {0}', step.saslUser ?? report.user);
    case 'mailbox':
      return step.mailbox?.exists === undefined ? t('opened read-only') : t('opened read-only: {0} messages', step.mailbox.exists);
    case 'mailFrom':
      return t('{0} accepted as sender (nothing was sent)', `<${step.mailFrom ?? report.user}>`);
    case 'quit':
      return t('transaction reset, session closed');
    case 'proxy':
      return proxyResult(step, t);
  }
}

/**
 * VS Code's extension-host patch chose the route (`http.proxySupport` on, fallback or override):
 * the proxy it took and where that came from, or that it went direct. Its CONNECT answer is not
 * visible to us; the HTTP status is.
 */
function routedByVsCode(found: ProxyFindings, t: Translate): string {
  const source = found.source === 'system' ? t("VS Code's system proxy resolution") : found.source;
  return found.through
    ? t(
        'the token endpoint {0} answered through {1} (from {2}; routed by VS Code, http.proxySupport: {3}): HTTP {4}',
        found.target,
        found.proxy,
        source,
        found.support ?? '?',
        found.httpStatus ?? '?'
      )
    : t(
        'VS Code sent the token endpoint {0} directly (http.proxySupport: {1}; it sends localhost and the no-proxy list direct): HTTP {2}',
        found.target,
        found.support ?? '?',
        found.httpStatus ?? '?'
      );
}

/** Which proxy, and how the token endpoint was reached. */
function proxyResult(step: ConnectionStep, t: Translate): string {
  const found = step.proxy;
  if (!found) return '';
  const reached =
    found.routedBy === 'vscode'
      ? routedByVsCode(found, t)
      : found.through
        ? t(
            'the token endpoint {0} answered through {1} (from {2}): CONNECT {3}, HTTP {4}',
            found.target,
            found.proxy,
            found.source,
            found.connectStatus ?? '?',
            found.httpStatus ?? '?'
          )
        : t(
            'the token endpoint {0} is in the no-proxy list and answered directly (HTTP {1}); other hosts go through {2}',
            found.target,
            found.httpStatus ?? '?',
            found.proxy
          );
  return found.strictSslOff ? `${reached}; ${t('http.proxyStrictSSL is false, but certificates are verified all the same')}` : reached;
}

function serverLabel(report: ConnectionReport, t: Translate): string {
  if (report.protocol === 'proxy') return t('HTTPS proxy {0}:{1}', report.host, report.port);
  if (report.protocol === 'graph') {
    return report.viaProxy
      ? t('Microsoft Graph {0}:{1} (HTTPS through the proxy {2})', report.host, report.port, report.viaProxy)
      : t('Microsoft Graph {0}:{1} (HTTPS)', report.host, report.port);
  }
  const security = report.security === 'tls' ? t('implicit TLS') : t('STARTTLS');
  return `${report.protocol.toUpperCase()} ${report.host}:${report.port} (${security})`;
}

function certificateSection(chain: readonly CertificateSummary[], t: Translate): string[] {
  const out: string[] = [];
  chain.forEach((cert, index) => {
    const role = index === 0 ? t('server certificate') : cert.selfIssued ? t('root CA') : t('issuer');
    out.push(`${index + 1}. **${escapeMarkdown(cert.subject)}** (${role})`, '');
    out.push(`   | ${t('Field')} | ${t('Value')} |`, '   | --- | --- |');
    out.push(`   | ${t('Subject')} | ${escapeMarkdown(cert.subject)} |`);
    out.push(`   | ${t('Issuer')} | ${escapeMarkdown(cert.issuer)} |`);
    out.push(`   | ${t('Valid from')} | ${cert.validFrom} |`);
    out.push(`   | ${t('Valid to')} | ${cert.validTo} |`);
    out.push(`   | ${t('SHA-256 fingerprint')} | ${code(cert.fingerprint256)} |`);
    out.push(`   | ${t('Subject alternative names')} | ${cert.subjectAltNames.length ? cert.subjectAltNames.map((n) => code(n)).join(' ') : '—'} |`);
    out.push(`   | ${t('Serial number')} | ${code(cert.serialNumber)} |`);
    out.push('');
  });
  return out;
}

function endpoint(attempt: DialAttempt): string {
  return attempt.address.includes(':') ? `[${attempt.address}]:${attempt.port}` : `${attempt.address}:${attempt.port}`;
}

/** Every address dialled, when there was more than one or the only one failed: which answered, and why the others did not. */
function attemptsSection(step: ConnectionStep, t: Translate): string[] {
  const attempts = step.attempts ?? [];
  if (!attempts.length || (attempts.length === 1 && !attempts[0]!.code)) return [];
  const out = [`### ${t('Addresses dialled')}`, '', `| ${t('Address')} | ${t('Time')} | ${t('Result')} |`, '| --- | ---: | --- |'];
  for (const attempt of attempts) {
    const result = attempt.code ? t('failed: {0}', `${attempt.code}${attempt.message ? ` (${attempt.message})` : ''}`) : t('answered');
    out.push(`| ${code(endpoint(attempt))} | ${ms(attempt.durationMs)} | ${escapeMarkdown(result)} |`);
  }
  out.push('');
  return out;
}

function reportSection(report: ConnectionReport, t: Translate): string[] {
  const out: string[] = [];
  out.push(`## ${report.passed ? ICON.passed : ICON.failed} ${escapeMarkdown(serverLabel(report, t))}`, '');
  const user = report.user ? code(report.user) : '—';
  out.push(
    report.protocol === 'proxy'
      ? t('Started {0} · took {1}', report.startedAt, ms(report.durationMs))
      : report.protocol === 'graph'
        ? t('Mailbox: {0} · started {1} · took {2}', user, report.startedAt, ms(report.durationMs))
        : t('XOAUTH2 user: {0} · started {1} · took {2}', user, report.startedAt, ms(report.durationMs)),
    ''
  );
  out.push(`| | ${t('Step')} | ${t('Time')} | ${t('Result')} |`, '| --- | --- | ---: | --- |');
  for (const step of report.steps) {
    const time = step.status === 'skipped' ? '' : ms(step.durationMs);
    out.push(`| ${ICON[step.status]} | ${escapeMarkdown(stepTitle(report, step.id, t, step))} | ${time} | ${escapeMarkdown(stepResult(report, step, t))} |`);
  }
  out.push('');

  const failed = report.steps.find((s) => s.status === 'failed');
  if (failed?.error) {
    out.push(`### ${ICON.failed} ${t('What went wrong: {0}', escapeMarkdown(stepTitle(report, failed.id, t, failed)))}`, '');
    out.push(escapeParagraph(failed.error.message), '');
    if (failed.error.nextStep) out.push(`**${t('Next step')}:** ${escapeMarkdown(failed.error.nextStep)}`, '');
    out.push(`${t('Code')}: ${code(failed.error.code)}`, '');
    if (failed.reply) out.push(t('The server answered:'), '', codeBlock(failed.reply), '');
    if (failed.saslChallenge) out.push(t('XOAUTH2 error challenge (decoded):'), '', codeBlock(JSON.stringify(failed.saslChallenge, null, 2)), '');
  }

  const tcp = report.steps.find((s) => s.id === 'tcp');
  if (tcp) out.push(...attemptsSection(tcp, t));

  for (const step of report.steps) {
    if (step.tls && (step.tls.chain.length || step.tls.protocol)) {
      out.push(`### ${t('Certificate chain ({0})', escapeMarkdown(stepTitle(report, step.id, t, step)))}`, '');
      const verdict = step.tls.authorized
        ? t('trusted (system roots and m365mail.trustedCaCertificates)')
        : t('not trusted: {0}', step.tls.authorizationError ?? '?');
      out.push(`- ${t('Protocol')}: ${step.tls.protocol ?? '—'}`);
      out.push(`- ${t('Cipher')}: ${step.tls.cipher ?? '—'}`);
      out.push(`- ${t('Server name (SNI)')}: ${step.tls.servername ? code(step.tls.servername) : t('none (IP address)')}`);
      out.push(`- ${t('Verification')}: ${escapeMarkdown(verdict)}`, '');
      out.push(...certificateSection(step.tls.chain, t));
    }
  }

  const listed = report.steps.filter((s) => s.capabilities?.length);
  for (const step of listed) {
    out.push(`### ${t('Server capabilities ({0})', escapeMarkdown(stepTitle(report, step.id, t, step)))}`, '');
    out.push((step.capabilities ?? []).map((c) => code(c)).join(' '), '');
  }

  const greeting = report.steps.find((s) => s.id === 'greeting' && s.greeting);
  if (greeting?.greeting) out.push(`### ${t('Greeting')}`, '', codeBlock(greeting.greeting), '');
  return out;
}

/** The whole report as Markdown. */
export function formatConnectionReport(input: ReportInput, t: Translate = untranslated): string {
  const at = (input.at ?? new Date()).toISOString();
  const out: string[] = [`# ${t('Connection test: {0}', escapeMarkdown(input.credentialName))}`, ''];
  // Say what each protocol tested here does instead of sending, and only for those tested.
  const protocols = new Set(input.reports.map((r) => r.protocol));
  const how = [
    protocols.has('smtp') ? t('SMTP stops after MAIL FROM') : '',
    protocols.has('imap') ? t('IMAP opens the mailbox read-only') : '',
    protocols.has('graph') ? t('Microsoft Graph only reads, and judges the send permission from the token') : '',
    protocols.has('proxy') ? t('the proxy step sends the token endpoint a plain GET, without any credential') : ''
  ].filter(Boolean);
  out.push(t('Run at {0}. Nothing is sent: {1}. The access token and the SASL string are never shown.', at, how.join(', ')), '');
  for (const note of input.notes ?? []) out.push(`- ${escapeParagraph(note)}`);
  if (input.notes?.length) out.push('');

  out.push(`| | ${t('Server')} | ${t('Result')} | ${t('Time')} |`, '| --- | --- | --- | ---: |');
  for (const report of input.reports) {
    const failed = report.steps.find((s) => s.status === 'failed');
    const result = failed ? t('failed at {0}', stepTitle(report, failed.id, t, failed)) : t('all {0} steps passed', report.steps.length);
    out.push(
      `| ${report.passed ? ICON.passed : ICON.failed} | ${escapeMarkdown(serverLabel(report, t))} | ${escapeMarkdown(result)} | ${ms(report.durationMs)} |`
    );
  }
  out.push('');
  for (const report of input.reports) out.push(...reportSection(report, t));
  return `${out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}
