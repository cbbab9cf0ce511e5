/**
 * Messages as the inbox preview shows them: one row of a folder listing (envelope data only) and
 * one opened message. The IMAP engine builds them and the webview protocol carries them; no
 * imports, so the webview's browser bundle can use them.
 */
export interface EnvelopeSummary {
  uid: number;
  seq: number;
  date?: string;
  subject?: string;
  from?: string;
  to?: string;
  size?: number;
  seen: boolean;
  hasAttachments: boolean;
}

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
