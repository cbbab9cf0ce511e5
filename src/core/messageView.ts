/**
 * Messages as the inbox preview shows them: one row of a folder listing (envelope data only) and
 * one opened message, and the folders. The mailbox readers (IMAP, Microsoft Graph) build them and
 * the webview protocol carries them; no imports, so the webview's browser bundle can use them.
 *
 * A message's `id` is a string on the wire whatever the reader: an IMAP UID in decimal, or a Graph
 * message ID, which is opaque. Which shape is valid depends on the reader (see {@link MessageIdKind}).
 */
export interface EnvelopeSummary {
  id: string;
  date?: string;
  subject?: string;
  from?: string;
  to?: string;
  /** IMAP's RFC822.SIZE; Graph lists no size. */
  size?: number;
  seen: boolean;
  hasAttachments: boolean;
}

export interface MessageView {
  folder: string;
  id: string;
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

export interface FolderItem {
  /** What the reader opens the folder by: the IMAP path, or the Graph folder ID. */
  path: string;
  /** What the user sees: the IMAP path, or the Graph display names from the top (`Inbox/Orders`). */
  label: string;
  specialUse?: string;
}

/** How a reader names messages: IMAP UIDs (RFC 9051 section 2.3.1.1) or Graph's opaque IDs. */
export type MessageIdKind = 'imapUid' | 'graphId';
