/**
 * What the inbox preview reads a mailbox through, whatever the transport: IMAP (the `imap`
 * chunk's reader over imapflow) or Microsoft Graph (the `graph` chunk's reader over
 * `mailFolders` and `messages`). The panel talks only to this. Types only.
 */
import type { EnvelopeSummary, FolderItem, MessageIdKind, MessageView } from './messageView';

/**
 * Where the next page starts: IMAP's sequence number just before the page, or Graph's
 * `@odata.nextLink` exactly as Graph gave it. It stays in the extension host: the webview gets an
 * opaque cursor that the panel maps back to this.
 */
export type PageContinuation = { readonly kind: 'imap'; readonly endSeq: number } | { readonly kind: 'graph'; readonly nextLink: string };

export interface MessagePage {
  folder: string;
  /** Messages in the folder, when the reader knows. */
  total?: number;
  /** Newest first. */
  envelopes: EnvelopeSummary[];
  /** Absent on the last page. */
  next?: PageContinuation;
}

export type OpenedMessage = Omit<MessageView, 'folder' | 'id' | 'allowRemote'>;

export interface MailboxReader {
  readonly idKind: MessageIdKind;
  /** Where it reads, for the status line: `outlook.office365.com` or `Microsoft Graph (graph.microsoft.com)`. */
  readonly server: string;
  /** The folders, and the path of the inbox among them (Graph's inbox has an ID like any other folder). */
  folders(): Promise<{ folders: FolderItem[]; inbox: string }>;
  /** The newest `pageSize` messages of a folder, or the page `after` continues to. */
  page(folder: string, pageSize: number, after?: PageContinuation): Promise<MessagePage>;
  /** One message as the preview shows it (HTML unsanitized: the webview sanitizes it). */
  message(folder: string, id: string, maxBytes: number): Promise<OpenedMessage>;
  /** The message's MIME source, byte for byte. */
  source(folder: string, id: string, maxBytes: number): Promise<Buffer>;
  close(): Promise<void>;
}
