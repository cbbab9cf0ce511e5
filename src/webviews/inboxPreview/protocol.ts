/**
 * The typed message protocol between the inbox preview panel (extension host) and its webview.
 * Both sides import these types; neither imports the other's runtime. No `vscode`, no DOM.
 */
import type { EnvelopeSummary, MessageView } from '../../core/messageView';

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
