/**
 * One message of a folder listing, as the inbox preview shows it: envelope data only. Shared by the
 * IMAP session (which builds it) and the webview protocol (which carries it); no imports, so the
 * webview bundle can use it.
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
