/**
 * The typed message protocol between the inbox preview panel (extension host) and its webview.
 * Both sides import these types; neither imports the other's runtime. No `vscode`, no DOM.
 */

import type { EnvelopeSummary } from '../../mail/imap/envelope';

export interface FolderItem {
  path: string;
  name: string;
  specialUse?: string;
}

export type EnvelopeItem = EnvelopeSummary;

export interface MessageView {
  folder: string;
  uid: number;
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  date?: string;
  text?: string;
  /** Unsanitized HTML from the message; the webview sanitizes it before rendering. */
  html?: string;
  attachments: Array<{ filename?: string; contentType: string; size: number }>;
  /** The user allowed remote content (images, styles) for this message. */
  allowRemote: boolean;
}

export type HostMessage =
  | { type: 'init'; title: string; mailbox: string }
  | { type: 'folders'; folders: FolderItem[]; selected: string }
  | { type: 'envelopes'; folder: string; total: number; firstSeq: number; envelopes: EnvelopeItem[]; append: boolean }
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
