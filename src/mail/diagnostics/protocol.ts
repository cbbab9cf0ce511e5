/**
 * The few pieces of IMAP, SMTP and SASL XOAUTH2 the connection test speaks, as pure functions:
 * building the XOAUTH2 initial response, reading SMTP replies and EHLO keywords, IMAP greetings,
 * capabilities and tagged status lines. No I/O, no `vscode` import; unit-tested in plain Node.
 */
import { M365MailError } from '../../core/errors';
import { validateFolderName } from '../../core/validation';

/**
 * SASL XOAUTH2 initial client response (Google's and Microsoft's format: `user=` and `auth=Bearer`, each ended by ^A, then ^A):
 * `base64("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")`. A secret: never log or show it.
 */
export function xoauth2InitialResponse(user: string, accessToken: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${accessToken}\x01\x01`, 'utf8').toString('base64');
}

/**
 * On failure an XOAUTH2 server sends a challenge carrying base64 JSON such as
 * `{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`; the client answers with
 * an empty line and the server then sends the final failure. Returns the JSON's string fields, or
 * undefined if the challenge is not that JSON.
 */
export function decodeXoauth2Challenge(challenge: string): Record<string, string> | undefined {
  const text = challenge.trim();
  if (!text || !/^[A-Za-z0-9+/]+=*$/.test(text)) return undefined;
  try {
    const json = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as unknown;
    if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(json as Record<string, unknown>)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = String(value);
    }
    return out;
  } catch {
    return undefined;
  }
}

export interface SmtpReply {
  /** The three-digit reply code (RFC 5321 section 4.2). */
  code: number;
  /** Each line's text after the code and separator. */
  lines: string[];
  /** The reply as the server sent it, lines joined with "\n". */
  raw: string;
}

/**
 * True when `line` ends an SMTP reply: `ddd<SP>text` or a bare `ddd` (RFC 5321 section 4.2.1);
 * `ddd-text` continues it.
 */
export function isLastSmtpReplyLine(line: string): boolean {
  return /^\d{3}(?: |$)/.test(line);
}

/** Parses the lines of one SMTP reply (multi-line replies repeat the code with "-", RFC 5321 section 4.2.1). */
export function parseSmtpReply(lines: readonly string[]): SmtpReply {
  const code = Number(/^(\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
  return { code, lines: lines.map((l) => l.slice(4)), raw: lines.join('\n') };
}

export interface EhloResult {
  /** The server's greeting name (first line of the 250 reply). */
  server: string;
  /** Service extension keywords with their parameters, e.g. `SIZE 157286400`, `STARTTLS`, `AUTH LOGIN XOAUTH2`. */
  extensions: string[];
  starttls: boolean;
  /** SASL mechanisms of the AUTH extension (RFC 4954 section 3), upper-cased. */
  authMechanisms: string[];
}

/** Reads an EHLO reply (RFC 5321 section 4.1.1.1): the first line names the server, the others are extensions. */
export function parseEhlo(reply: SmtpReply): EhloResult {
  const [first = '', ...rest] = reply.lines;
  const extensions = rest.map((l) => l.trim()).filter(Boolean);
  const keyword = (e: string) => e.split(/[\s=]/)[0]!.toUpperCase();
  // Some old servers announce "AUTH=LOGIN"; RFC 4954 spells it "AUTH LOGIN".
  const authMechanisms = [
    ...new Set(
      extensions
        .filter((e) => keyword(e) === 'AUTH')
        .flatMap((e) => e.slice(5).trim().split(/\s+/))
        .filter(Boolean)
        .map((m) => m.toUpperCase())
    )
  ];
  return {
    server: first.split(/\s+/)[0] ?? '',
    extensions,
    starttls: extensions.some((e) => keyword(e) === 'STARTTLS'),
    authMechanisms
  };
}

/** The EHLO argument: an address literal of the local end (RFC 5321 section 4.1.3), as no FQDN is known for sure. */
export function ehloName(localAddress: string | undefined): string {
  if (!localAddress) return '[127.0.0.1]';
  const address = localAddress.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return address.includes(':') ? `[IPv6:${address}]` : `[${address}]`;
}

export interface ImapGreeting {
  /** RFC 9051 section 7.1: OK (log in next), PREAUTH (already authenticated), BYE (refused). */
  status: 'OK' | 'PREAUTH' | 'BYE' | 'unknown';
  /** A `[CAPABILITY …]` response code in the greeting, if any. */
  capabilities?: string[];
  text: string;
}

/** Reads the untagged greeting line (RFC 9051 section 7.1, "* OK [CAPABILITY …] text"). */
export function parseImapGreeting(line: string): ImapGreeting {
  const m = /^\* (OK|PREAUTH|BYE)\b ?(.*)$/i.exec(line);
  if (!m) return { status: 'unknown', text: line };
  const rest = m[2] ?? '';
  const caps = /^\[CAPABILITY ([^\]]*)\]/i.exec(rest);
  return {
    status: m[1]!.toUpperCase() as ImapGreeting['status'],
    capabilities: caps ? caps[1]!.trim().split(/\s+/).filter(Boolean) : undefined,
    text: rest
  };
}

/** The capability names of an untagged `* CAPABILITY …` response (RFC 9051 section 7.2.2), or undefined if it is not one. */
export function parseImapCapabilities(line: string): string[] | undefined {
  const m = /^\* CAPABILITY (.*)$/i.exec(line);
  return m ? m[1]!.trim().split(/\s+/).filter(Boolean) : undefined;
}

export interface ImapTagged {
  tag: string;
  status: 'OK' | 'NO' | 'BAD';
  /** An optional response code, e.g. `AUTHENTICATIONFAILED` or `READ-ONLY` (RFC 9051 section 7.1). */
  code?: string;
  text: string;
}

/** Reads a tagged status response (RFC 9051 section 7.1): `tag OK|NO|BAD [code] text`. */
export function parseImapTagged(line: string, tag: string): ImapTagged | undefined {
  if (!line.startsWith(`${tag} `)) return undefined;
  const m = /^(OK|NO|BAD)\b ?(?:\[([^\]]*)\] ?)?(.*)$/i.exec(line.slice(tag.length + 1));
  if (!m) return undefined;
  return { tag, status: m[1]!.toUpperCase() as ImapTagged['status'], code: m[2]?.split(' ')[0]?.toUpperCase(), text: m[3] ?? '' };
}

export interface MailboxStatus {
  /** `* n EXISTS` (RFC 9051 section 7.4.1). */
  exists?: number;
  /** `* OK [UIDVALIDITY n]` (RFC 9051 section 7.1). */
  uidValidity?: string;
}

/** The counts of the untagged responses to SELECT/EXAMINE (RFC 9051 section 6.3.2). */
export function parseMailboxStatus(untagged: readonly string[]): MailboxStatus {
  const status: MailboxStatus = {};
  for (const line of untagged) {
    const exists = /^\* (\d+) EXISTS\b/i.exec(line);
    if (exists) status.exists = Number(exists[1]);
    const validity = /^\* OK \[UIDVALIDITY (\d+)\]/i.exec(line);
    if (validity) status.uidValidity = validity[1];
  }
  return status;
}

/** IMAP quoted string (RFC 9051 section 4.3) for a mailbox name; one with a control character cannot be quoted and is refused. */
export function imapQuoted(value: string): string {
  const problem = validateFolderName(value);
  if (problem) throw new M365MailError('imap.invalid_folder', problem);
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}
