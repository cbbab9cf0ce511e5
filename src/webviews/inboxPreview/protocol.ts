/**
 * The typed message protocol between the inbox preview panel (extension host) and its webview.
 * Both sides import these types; neither imports the other's runtime. No `vscode`, no DOM.
 */
import type { EnvelopeSummary, MessageView } from '../../core/messageView';
import { validateFolderName } from '../../core/validation';

export interface FolderItem {
  path: string;
  name: string;
  specialUse?: string;
}

export type HostMessage =
  | { type: 'init'; title: string; mailbox: string }
  | { type: 'folders'; folders: FolderItem[]; selected: string }
  | { type: 'envelopes'; folder: string; total: number; firstSeq: number; envelopes: EnvelopeSummary[]; append: boolean }
  | { type: 'message'; message: MessageView }
  | { type: 'status'; state: 'loading' | 'ready' | 'reconnecting' | 'error'; text?: string };

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'selectFolder'; folder: string }
  | { type: 'loadMore'; folder: string; beforeSeq: number }
  | { type: 'openMessage'; folder: string; uid: number }
  | { type: 'allowRemote'; folder: string; uid: number }
  | { type: 'openAsEml'; folder: string; uid: number; target: 'editor' | 'file' }
  | { type: 'refresh' };

export const PAGE_SIZE = 50;

const EML_TARGETS: ReadonlyArray<string> = ['editor', 'file'] satisfies Array<Extract<WebviewMessage, { type: 'openAsEml' }>['target']>;
// IMAP UIDs and sequence numbers are non-zero 32-bit unsigned numbers (RFC 9051 section 2.3.1).
const isMessageNumber = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 0xffffffff;

/**
 * Checks a message from the webview at run time: the page renders hostile mail, so whatever it
 * posts is untrusted. A known `type` with the fields that type needs, UIDs and sequence numbers as
 * positive integers, a folder the panel listed (`folders`, once it has sent the list; until then a
 * well-formed name), `target` one of the known values. Returns the message, or why it is refused.
 */
export function parseWebviewMessage(value: unknown, folders?: ReadonlySet<string>): { message: WebviewMessage } | { problem: string } {
  if (!value || typeof value !== 'object') return { problem: 'not an object' };
  const m = value as Record<string, unknown>;
  const folder = (): string | undefined => {
    const problem = validateFolderName(m.folder);
    if (problem) return problem;
    return folders && !folders.has(m.folder as string) ? 'a folder the panel did not list' : undefined;
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
      problem = folder() ?? (isMessageNumber(m.beforeSeq) ? undefined : 'beforeSeq is not a positive integer');
      message = { type: m.type, folder: m.folder as string, beforeSeq: m.beforeSeq as number };
      break;
    case 'openMessage':
    case 'allowRemote':
      problem = folder() ?? (isMessageNumber(m.uid) ? undefined : 'uid is not a positive integer');
      message = { type: m.type, folder: m.folder as string, uid: m.uid as number };
      break;
    case 'openAsEml':
      problem =
        folder() ??
        (isMessageNumber(m.uid) ? undefined : 'uid is not a positive integer') ??
        (typeof m.target === 'string' && EML_TARGETS.includes(m.target) ? undefined : 'target is neither editor nor file');
      message = { type: m.type, folder: m.folder as string, uid: m.uid as number, target: m.target as 'editor' | 'file' };
      break;
    default:
      return { problem: `unknown type ${JSON.stringify(String(m.type)).slice(0, 40)}` };
  }
  return problem ? { problem: `${m.type}: ${problem}` } : { message };
}
