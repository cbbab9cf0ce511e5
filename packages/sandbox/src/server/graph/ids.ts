/**
 * Opaque Graph IDs for Dovecot's folders and messages, and the skip token of `@odata.nextLink`.
 * Clients must treat them as opaque (Graph's are too); inside, a message ID names its folder,
 * the folder's UIDVALIDITY and the message's UID, so it stays valid while the message exists.
 */
import { graphErrors } from './errors';

/** Graph's well-known folder names and the Dovecot folders behind them (mailServers.ts). */
export const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: 'INBOX',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
  deleteditems: 'Deleted Items',
  junkemail: 'Junk Email'
};

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(id: string, valid: (v: unknown) => v is T): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw graphErrors.invalidId();
  }
  if (!valid(value)) throw graphErrors.invalidId();
  return value;
}

export function folderId(path: string): string {
  return encode({ f: path });
}

/** A folder's path from its ID or well-known name. */
export function folderPath(idOrName: string): string {
  const known = WELL_KNOWN_FOLDERS[idOrName.toLowerCase()];
  if (known) return known;
  return decode(idOrName, (v): v is { f: string } => typeof (v as { f?: unknown })?.f === 'string').f;
}

export interface MessageRef {
  folder: string;
  uidValidity: number;
  uid: number;
}

export function messageId(ref: MessageRef): string {
  return encode({ f: ref.folder, v: ref.uidValidity, u: ref.uid });
}

export function messageRef(id: string): MessageRef {
  const v = decode(id, (x): x is { f: string; v: number; u: number } => {
    const o = x as { f?: unknown; v?: unknown; u?: unknown };
    return typeof o?.f === 'string' && Number.isInteger(o.v) && Number.isInteger(o.u);
  });
  return { folder: v.f, uidValidity: v.v, uid: v.u };
}

/**
 * Where the next page starts: below the lowest UID of the page before, for the UIDVALIDITY it was
 * made for. A UID rather than a count of messages, so that mail arriving between two pages moves
 * nothing (an offset would show the page before's last messages again).
 */
export interface SkipToken {
  uidValidity: number;
  belowUid: number;
}

export function skipToken(t: SkipToken): string {
  return encode({ v: t.uidValidity, u: t.belowUid });
}

export function parseSkipToken(token: string): SkipToken {
  const v = decode(token, (x): x is { v: number; u: number } => {
    const o = x as { v?: unknown; u?: unknown };
    return Number.isInteger(o?.v) && Number.isInteger(o.u) && (o.u as number) >= 1;
  });
  return { uidValidity: v.v, belowUid: v.u };
}

/**
 * A draft's ID: it stays the same while attachments are added (Graph's IDs do), although each
 * change replaces the draft's copy in the store under a new UID.
 */
export function draftId(key: string): string {
  return encode({ draft: key });
}

/** The key inside a draft's ID, or undefined for any other ID. */
export function draftKey(id: string): string | undefined {
  try {
    const value = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as { draft?: unknown };
    return typeof value?.draft === 'string' ? value.draft : undefined;
  } catch {
    return undefined;
  }
}
