/**
 * An .eml over Graph's raw-MIME limit, taken apart (mailparser) into what Graph can rebuild it from:
 * a draft (subject, the HTML or text body, From and Reply-To as the file says, the envelope
 * recipients as To, as the MIME path and SMTP send to them only, and up to five `X-` headers, all
 * Graph takes) and its attachments, each marked for one POST or an upload session by size. Every
 * limit is checked here, before a request: a message Graph cannot take leaves nothing behind.
 * Exchange composes the MIME that is sent; other headers, the part structure and the encodings are
 * its own. In the `smtp` chunk, with the rest of the .eml handling and mailparser, so that the
 * `graph` chunk stays small for the preview and test mail; the .eml command has loaded it already.
 * No `vscode` import.
 */
import { Readable } from 'node:stream';
import type { Message, Recipient } from '@microsoft/microsoft-graph-types';
import { simpleParser, type AddressObject } from 'mailparser';
import { formatSize } from '../../core/format';
import { attachmentTooLarge, draftBodyTooLarge } from '../graph/graphErrors';

/** Graph takes requests of up to 4 MB (413 beyond). */
export const GRAPH_REQUEST_LIMIT_BYTES = 4 * 1024 * 1024;
/**
 * Attachments under Graph's documented 3 MB go in one POST (their base64 stays under the request
 * limit); from there, through an upload session, which takes up to 150 MB.
 */
export const ATTACHMENT_POST_LIMIT_BYTES = 3_000_000;
export const UPLOAD_SESSION_MAX_BYTES = 150 * 1024 * 1024;
/** Graph refuses more custom headers than this (InvalidInternetMessageHeaderCollection), and an empty list too. */
export const MAX_CUSTOM_HEADERS = 5;
/** Room in the draft request for what is not the body (recipients, headers, JSON). */
const DRAFT_ENVELOPE_BYTES = 64 * 1024;
/** mailparser splits lines faster in chunks of a file stream's size than in one large buffer. */
const PARSE_CHUNK_BYTES = 64 * 1024;

export interface PlannedAttachment {
  name: string;
  contentType: string;
  content: Buffer;
  isInline: boolean;
  contentId?: string;
  /** Through an upload session (else one POST). */
  upload: boolean;
}

export interface DraftPlan {
  message: Message;
  attachments: PlannedAttachment[];
  /** `X-` headers beyond the five Graph takes, left out. */
  droppedHeaders: string[];
}

function* chunks(bytes: Buffer): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += PARSE_CHUNK_BYTES) yield bytes.subarray(i, i + PARSE_CHUNK_BYTES);
}

function recipients(value: AddressObject | AddressObject[] | undefined): Recipient[] {
  return ([] as AddressObject[])
    .concat(value ?? [])
    .flatMap((o) => o.value)
    .filter((a) => a.address)
    .map((a) => ({ emailAddress: a.name ? { name: a.name, address: a.address } : { address: a.address } }));
}

/** Takes an .eml apart into a Graph draft, or refuses it with the limit it is over. */
export type DraftPlanner = (mime: Buffer, envelopeTo: readonly string[]) => Promise<DraftPlan>;

export const planDraft: DraftPlanner = async function planDraft(mime: Buffer, envelopeTo: readonly string[]): Promise<DraftPlan> {
  // skipImageLinks keeps `cid:` references in the HTML: the inline parts are attached with those IDs.
  const parsed = await simpleParser(Readable.from(chunks(mime)), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const custom = parsed.headerLines
    .filter((h) => /^x-/i.test(h.key))
    .map((h) => {
      const colon = h.line.indexOf(':');
      return {
        name: h.line.slice(0, colon).trim(),
        value: h.line
          .slice(colon + 1)
          .replace(/\r?\n[ \t]+/g, ' ')
          .trim()
      };
    });
  const html = typeof parsed.html === 'string' && parsed.html !== '' ? parsed.html : undefined;
  const [from] = recipients(parsed.from);
  const replyTo = recipients(parsed.replyTo);
  const message: Message = {
    subject: parsed.subject ?? '',
    body: html !== undefined ? { contentType: 'html', content: html } : { contentType: 'text', content: parsed.text ?? '' },
    toRecipients: envelopeTo.map((address) => ({ emailAddress: { address } })),
    ...(from ? { from } : {}),
    ...(replyTo.length ? { replyTo } : {}),
    ...(custom.length ? { internetMessageHeaders: custom.slice(0, MAX_CUSTOM_HEADERS) } : {})
  };
  const draftBytes = Buffer.byteLength(JSON.stringify(message));
  if (draftBytes > GRAPH_REQUEST_LIMIT_BYTES - DRAFT_ENVELOPE_BYTES) {
    throw draftBodyTooLarge(formatSize(draftBytes), formatSize(GRAPH_REQUEST_LIMIT_BYTES - DRAFT_ENVELOPE_BYTES));
  }
  const attachments = parsed.attachments.map((a, index): PlannedAttachment => {
    const name = a.filename ?? `attachment-${index + 1}`;
    if (a.size > UPLOAD_SESSION_MAX_BYTES) throw attachmentTooLarge(name, formatSize(a.size), formatSize(UPLOAD_SESSION_MAX_BYTES));
    const isInline = a.contentDisposition === 'inline' && Boolean(a.cid);
    return {
      name,
      contentType: a.contentType || 'application/octet-stream',
      content: a.content,
      isInline,
      contentId: isInline ? a.cid : undefined,
      upload: a.content.length >= ATTACHMENT_POST_LIMIT_BYTES
    };
  });
  return { message, attachments, droppedHeaders: custom.slice(MAX_CUSTOM_HEADERS).map((h) => h.name) };
};
