/**
 * The typed message protocol between the inbox preview panel (extension host) and its webview.
 * Both sides import these types; neither imports the other's runtime. No `vscode`, no DOM.
 *
 * Messages are named by `id`, a string: an IMAP UID in decimal or a Microsoft Graph message ID
 * (opaque). Paging is by `cursor`, an opaque token the panel issued with the page before; the panel
 * keeps what it stands for (an IMAP sequence number, a Graph `@odata.nextLink`), so the page can
 * never make the host fetch a URL or a range of its own choosing.
 */
import type { EnvelopeSummary, FolderItem, MessageIdKind, MessageView } from '../../core/messageView';
import { validateFolderName } from '../../core/validation';

export type { FolderItem };

export type HostMessage =
  | { type: 'init'; title: string; mailbox: string }
  | { type: 'folders'; folders: FolderItem[]; selected: string }
  | { type: 'envelopes'; folder: string; total?: number; envelopes: EnvelopeSummary[]; append: boolean; cursor?: string }
  | { type: 'message'; message: MessageView }
  | { type: 'status'; state: 'loading' | 'ready' | 'reconnecting' | 'error'; text?: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'selectFolder'; folder: string }
  | { type: 'loadMore'; folder: string; cursor: string }
  | { type: 'openMessage'; folder: string; id: string }
  | { type: 'allowRemote'; folder: string; id: string }
  | { type: 'openAsEml'; folder: string; id: string; target: 'editor' | 'file' }
  | { type: 'refresh' };

export const PAGE_SIZE = 50;

/** What the panel has sent the page so far; whatever the page posts must stay within it. */
export interface Listed {
  /** How the panel's reader names messages. */
  idKind: MessageIdKind;
  /** The folder paths sent; until the list is sent, any well-formed name. */
  folders?: ReadonlySet<string>;
  /** The message IDs sent per folder; when given, an ID the panel did not list is refused. */
  messages?: ReadonlyMap<string, ReadonlySet<string>>;
  /** The page cursors issued and not yet spent. */
  cursors?: ReadonlySet<string>;
}

const EML_TARGETS: ReadonlyArray<string> = ['editor', 'file'] satisfies Array<Extract<WebviewMessage, { type: 'openAsEml' }>['target']>;

/** IMAP UIDs are non-zero 32-bit unsigned numbers (RFC 9051 section 2.3.1.1), here in decimal, no sign or leading zero. */
function isImapUid(value: string): boolean {
  return /^[1-9][0-9]{0,9}$/.test(value) && Number(value) <= 0xffffffff;
}

/**
 * Graph message IDs are opaque, base64 or base64url text (Exchange IDs are about 150 characters;
 * immutable IDs are of the same alphabet). Anything else (a path, a query, a control character)
 * is refused before it could become part of a request path.
 */
export const GRAPH_ID_PATTERN = /^[A-Za-z0-9+/_=-]{1,1024}$/;

/** Cursors are UUIDs the panel makes (crypto.randomUUID). */
const CURSOR_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Checks a message from the webview at run time: the page renders hostile mail, so whatever it
 * posts is untrusted. A known `type` with the fields that type needs; a folder the panel listed;
 * a message ID of the reader's shape (and one the panel listed in that folder, once it has); a
 * cursor the panel issued; `target` one of the known values. Returns the message, or why it is refused.
 */
export function parseWebviewMessage(value: unknown, listed: Listed): { message: WebviewMessage } | { problem: string } {
  if (!value || typeof value !== 'object') return { problem: 'not an object' };
  const m = value as Record<string, unknown>;
  const folder = (): string | undefined => {
    const problem = validateFolderName(m.folder);
    if (problem) return problem;
    return listed.folders && !listed.folders.has(m.folder as string) ? 'a folder the panel did not list' : undefined;
  };
  const id = (): string | undefined => {
    if (typeof m.id !== 'string') return 'id is not a string';
    if (listed.idKind === 'imapUid' ? !isImapUid(m.id) : !GRAPH_ID_PATTERN.test(m.id)) {
      return listed.idKind === 'imapUid' ? 'id is not an IMAP UID' : 'id is not a Microsoft Graph message ID';
    }
    const known = listed.messages?.get(m.folder as string);
    return listed.messages && !known?.has(m.id) ? 'a message the panel did not list' : undefined;
  };
  let problem: string | undefined;
  let message: WebviewMessage;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      message = { type: m.type };
      break;
    case 'selectFolder':
      problem = folder();
      message = { type: m.type, folder: m.folder as string };
      break;
    case 'loadMore':
      problem =
        folder() ??
        (typeof m.cursor === 'string' && CURSOR_PATTERN.test(m.cursor) ? undefined : 'cursor is not a page cursor') ??
        (listed.cursors && !listed.cursors.has(m.cursor as string) ? 'a cursor the panel did not issue' : undefined);
      message = { type: m.type, folder: m.folder as string, cursor: m.cursor as string };
      break;
    case 'openMessage':
    case 'allowRemote':
      problem = folder() ?? id();
      message = { type: m.type, folder: m.folder as string, id: m.id as string };
      break;
    case 'openAsEml':
      problem = folder() ?? id() ?? (typeof m.target === 'string' && EML_TARGETS.includes(m.target) ? undefined : 'target is neither editor nor file');
      message = { type: m.type, folder: m.folder as string, id: m.id as string, target: m.target as 'editor' | 'file' };
      break;
    default:
      return { problem: `unknown type ${JSON.stringify(String(m.type)).slice(0, 40)}` };
  }
  return problem ? { problem: `${m.type}: ${problem}` } : { message };
}
