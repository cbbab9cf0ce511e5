/** The `imap` chunk (imapflow, mailparser), loaded on first use of the inbox preview. */
export { ImapSession } from './imapSession';
export { ImapMailboxReader, type ImapReaderOptions } from './imapReader';
export { parseForPreview } from './messagePreview';

// Each chunk carries its own copy of @vscode/l10n: loadChunk hands it the display language.
export { useDisplayLanguage } from '../../core/localization';
