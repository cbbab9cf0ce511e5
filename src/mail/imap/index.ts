/** The `imap` chunk (imapflow, mailparser), loaded on first use of the inbox preview. */
export { ImapSession } from './imapSession';
export { ImapMailboxReader, type ImapReaderOptions } from './imapReader';
export { parseForPreview } from './messagePreview';
