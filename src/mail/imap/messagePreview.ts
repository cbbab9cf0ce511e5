/** A message's MIME source parsed into what the inbox preview shows (mailparser). No `vscode` import. */
import { simpleParser, type AddressObject } from 'mailparser';
import type { OpenedMessage } from '../../core/mailboxReader';

function text(address: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!address) return undefined;
  return (Array.isArray(address) ? address : [address]).map((a) => a.text).join(', ');
}

/** The HTML is returned as is: the webview sanitizes it. */
export async function parseForPreview(source: Buffer): Promise<OpenedMessage> {
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
