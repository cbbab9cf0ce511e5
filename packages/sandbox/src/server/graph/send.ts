/**
 * `sendMail`'s two bodies turned into a message for Postfix: a JSON `message` composed into MIME by
 * nodemailer's MailComposer, or MIME sent as it is (base64 in a `text/plain` body). Both go to the
 * sandbox's real Postfix through its local submission path (`sendmail -C <config>`, Postfix's
 * postdrop and pickup), which needs no SASL login: Graph sends for a mailbox whose SMTP AUTH is off
 * (megan@, 535 5.7.139 over submission) too, as Exchange Online does.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Address, Attachment } from 'nodemailer/lib/mailer';
import { simpleParser, type AddressObject } from 'mailparser';
import { SANDBOX_TENANT } from '../fixtures';
import { graphErrors } from './errors';

export interface OutgoingMessage {
  /** The From address (the envelope sender). */
  from: string;
  /** Envelope recipients: To, Cc and Bcc. */
  recipients: string[];
  /** What Postfix delivers (no Bcc header). */
  raw: Buffer;
  /** What Sent Items keeps (Bcc kept, as Outlook shows it). */
  sentCopy: Buffer;
}

interface GraphRecipient {
  emailAddress?: { name?: string; address?: string };
}

export interface GraphMessageInput {
  subject?: string;
  body?: { contentType?: string; content?: string };
  from?: GraphRecipient;
  toRecipients?: GraphRecipient[];
  ccRecipients?: GraphRecipient[];
  bccRecipients?: GraphRecipient[];
  replyTo?: GraphRecipient[];
  attachments?: Array<{ '@odata.type'?: string; name?: string; contentType?: string; contentBytes?: string; isInline?: boolean; contentId?: string }>;
  internetMessageHeaders?: Array<{ name?: string; value?: string }>;
}

function addresses(list: GraphRecipient[] | undefined): Array<Address & { address: string }> {
  if (list !== undefined && !Array.isArray(list)) throw graphErrors.badRequest('Recipients must be a collection.', 'ErrorInvalidRecipients');
  return (list ?? []).map((r) => {
    const address = r?.emailAddress?.address?.trim();
    if (!address || !/^[^\s@]+@[^\s@]+$/.test(address)) throw graphErrors.invalidRecipients();
    return { name: r.emailAddress?.name ?? '', address };
  });
}

/** MailComposer's options for a JSON `message`, and its envelope recipients. */
export interface ComposedOptions {
  from: Address & { address: string };
  recipients: string[];
  options: ConstructorParameters<typeof MailComposer>[0];
}

/** Graph takes at most five custom headers, and refuses an empty collection as well. */
const MAX_INTERNET_MESSAGE_HEADERS = 5;

function customHeaders(list: GraphMessageInput['internetMessageHeaders']): Record<string, string> {
  if (list === undefined) return {};
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_INTERNET_MESSAGE_HEADERS) {
    throw graphErrors.badRequest(
      `The number of internet message headers is invalid: it must be from 1 to ${MAX_INTERNET_MESSAGE_HEADERS}.`,
      'InvalidInternetMessageHeaderCollection'
    );
  }
  const headers: Record<string, string> = {};
  for (const h of list) {
    // Graph accepts only custom headers here.
    if (!h?.name?.toLowerCase().startsWith('x-') || typeof h.value !== 'string') {
      throw graphErrors.badRequest(`The internet message header name '${h?.name ?? ''}' should start with x- or X-.`, 'InvalidInternetMessageHeader');
    }
    headers[h.name] = h.value;
  }
  return headers;
}

/** A file attachment of a JSON message as MailComposer takes it. */
export function fileAttachment(a: NonNullable<GraphMessageInput['attachments']>[number]): Attachment {
  if (a['@odata.type'] && a['@odata.type'] !== '#microsoft.graph.fileAttachment') {
    throw graphErrors.badRequest('Only file attachments are supported.', 'ErrorInvalidRequest');
  }
  return {
    filename: a.name,
    content: Buffer.from(a.contentBytes ?? '', 'base64'),
    contentType: a.contentType,
    cid: a.isInline ? (a.contentId ?? undefined) : undefined,
    contentDisposition: a.isInline ? 'inline' : 'attachment'
  };
}

/**
 * A JSON `message` (of sendMail, or a draft) checked as Graph checks it, as MailComposer options;
 * `defaultFrom` is the mailbox in the URL. A draft may have no recipients yet.
 */
export function messageOptions(
  message: GraphMessageInput,
  defaultFrom: { name: string; address: string },
  rules: { requireRecipients: boolean; extraAttachments?: Attachment[] }
): ComposedOptions {
  if (!message || typeof message !== 'object') throw graphErrors.badRequest('Empty Payload. JSON content expected.', 'ErrorInvalidRequest');
  const from = message.from ? addresses([message.from])[0] : defaultFrom;
  const to = addresses(message.toRecipients);
  const cc = addresses(message.ccRecipients);
  const bcc = addresses(message.bccRecipients);
  const recipients = [...to, ...cc, ...bcc].map((a) => a.address);
  if (rules.requireRecipients && recipients.length === 0) throw graphErrors.invalidRecipients();
  const html = (message.body?.contentType ?? 'text').toLowerCase() === 'html';
  return {
    from,
    recipients,
    options: {
      from,
      to,
      cc,
      bcc,
      replyTo: addresses(message.replyTo),
      subject: message.subject ?? '',
      [html ? 'html' : 'text']: message.body?.content ?? '',
      attachments: [...(message.attachments ?? []).map(fileAttachment), ...(rules.extraAttachments ?? [])],
      headers: customHeaders(message.internetMessageHeaders),
      // The same Message-ID and Date in the delivered message and in Sent Items.
      messageId: `<${randomUUID()}@${SANDBOX_TENANT.domain}>`,
      date: new Date()
    }
  };
}

/** The message as Postfix delivers it (no Bcc header) and as Sent Items keeps it (Bcc kept, as Outlook shows it). */
export async function composeMessage(composed: ComposedOptions): Promise<OutgoingMessage> {
  const build = (keepBcc: boolean) => {
    const node = new MailComposer(composed.options).compile();
    node.keepBcc = keepBcc;
    return node.build();
  };
  return { from: composed.from.address, recipients: composed.recipients, raw: await build(false), sentCopy: await build(true) };
}

/** A JSON `message` of sendMail as MIME; `defaultFrom` is the mailbox in the URL. */
export function composeJsonMessage(message: GraphMessageInput, defaultFrom: { name: string; address: string }): Promise<OutgoingMessage> {
  return composeMessage(messageOptions(message, defaultFrom, { requireRecipients: true }));
}

/** The base64 MIME body of sendMail (`Content-Type: text/plain`), sent as it is. */
export async function mimeMessage(body: Buffer): Promise<OutgoingMessage> {
  const text = body.toString('latin1').replace(/\s+/g, '');
  if (!text || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw graphErrors.invalidBase64();
  const raw = Buffer.from(text, 'base64');
  const parsed = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const list = (v: AddressObject | AddressObject[] | undefined) =>
    ([] as AddressObject[])
      .concat(v ?? [])
      .flatMap((o) => o.value)
      .map((a) => a.address)
      .filter((a): a is string => !!a);
  const recipients = [...list(parsed.to), ...list(parsed.cc), ...list(parsed.bcc)];
  if (recipients.length === 0) throw graphErrors.invalidRecipients();
  const from = list(parsed.from)[0];
  if (!from) throw graphErrors.badRequest('The MIME content has no From address.', 'ErrorMimeContentInvalid');
  return { from, recipients, raw, sentCopy: raw };
}

/** Hands a message to Postfix's local submission (postdrop), which delivers it over LMTP to Dovecot. */
export async function submitToPostfix(postfixConfigDir: string, message: OutgoingMessage): Promise<void> {
  const transport = nodemailer.createTransport({ sendmail: true, path: 'sendmail', args: ['-C', postfixConfigDir, '-f', message.from] });
  await transport.sendMail({ envelope: { from: message.from, to: message.recipients }, raw: message.raw });
}
