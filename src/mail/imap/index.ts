/** The `imap` chunk (imapflow, mailparser), loaded on first use of the inbox preview. */
import { simpleParser, type AddressObject } from 'mailparser';
import type { MessageView } from '../../core/messageView';

export { ImapSession } from './imapSession';

function text(address: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!address) return undefined;
  return (Array.isArray(address) ? address : [address]).map((a) => a.text).join(', ');
}

/** Parses a message's source into what the preview shows. The HTML is returned as is: the webview sanitizes it. */
export async function parseForPreview(source: Buffer): Promise<Omit<MessageView, 'folder' | 'uid' | 'allowRemote'>> {
  const mail = await simpleParser(source, { skipImageLinks: true, skipTextLinks: true });
  return {
    from: text(mail.from),
    to: text(mail.to),
    cc: text(mail.cc),
    subject: mail.subject,
    date: mail.date?.toISOString(),
    text: mail.text,
    html: typeof mail.html === 'string' ? mail.html : undefined,
    attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size }))
  };
}
