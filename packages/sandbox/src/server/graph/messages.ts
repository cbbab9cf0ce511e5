/**
 * Graph's `message`, `mailFolder` and `fileAttachment` resources from what Dovecot holds: the IMAP
 * envelope and body structure for lists of envelope fields, the source parsed by mailparser when
 * the body or attachments are asked for. `$select` keeps `id` (and the etag) as Graph does.
 */
import type { FetchMessageObject, MessageAddressObject, MessageStructureObject } from 'imapflow';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { folderId, messageId } from './ids';
import type { FolderInfo } from './mailStore';

type Recipient = { emailAddress: { name: string; address: string } };

/** Graph's date format: UTC, seconds, `Z`. */
export const graphDate = (d: Date | string | undefined) => (d ? new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

const fromEnvelope = (list: MessageAddressObject[] | undefined): Recipient[] =>
  (list ?? []).map((a) => ({ emailAddress: { name: a.name || a.address || '', address: a.address ?? '' } }));

const fromParsed = (value: AddressObject | AddressObject[] | undefined): Recipient[] =>
  ([] as AddressObject[])
    .concat(value ?? [])
    .flatMap((o) => o.value)
    .filter((a) => a.address)
    .map((a) => ({ emailAddress: { name: a.name || a.address!, address: a.address! } }));

/** Fields whose value needs the message source (body and attachments). */
const NEEDS_SOURCE = new Set(['body', 'bodyPreview', 'uniqueBody', 'attachments']);

export function needsSource(select: string[] | undefined): boolean {
  return !select || select.some((f) => NEEDS_SOURCE.has(f));
}

function hasAttachmentParts(node: MessageStructureObject | undefined): boolean {
  if (!node) return false;
  if (node.childNodes?.length) return node.childNodes.some(hasAttachmentParts);
  if (node.disposition === 'attachment') return true;
  return node.disposition !== 'inline' && !node.type.startsWith('text/') && !node.type.startsWith('multipart/');
}

function pick(resource: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return resource;
  const keep = new Set(['@odata.etag', 'id', ...select]);
  return Object.fromEntries(Object.entries(resource).filter(([k]) => keep.has(k)));
}

function preview(parsed: ParsedMail): string {
  return (parsed.text ?? '').replace(/\s+/g, ' ').trim().slice(0, 255);
}

/** A message resource; `parsed` (from the source) fills body, preview and attachment facts. */
export function graphMessage(
  m: FetchMessageObject,
  where: { folder: string; uidValidity: number },
  parsed: ParsedMail | undefined,
  select: string[] | undefined
): Record<string, unknown> {
  const id = messageId({ folder: where.folder, uidValidity: where.uidValidity, uid: m.uid });
  const received = graphDate(m.internalDate);
  const env = m.envelope;
  const from = parsed ? fromParsed(parsed.from) : fromEnvelope(env?.from);
  const attachments = parsed?.attachments.filter((a) => a.contentDisposition !== 'inline' || !a.related) ?? [];
  const resource: Record<string, unknown> = {
    '@odata.etag': `W/"${Buffer.from(`${id}.${m.modseq ?? 0}`)
      .toString('base64url')
      .slice(-16)}"`,
    id,
    createdDateTime: received,
    lastModifiedDateTime: received,
    receivedDateTime: received,
    sentDateTime: graphDate(parsed?.date ?? env?.date) ?? received,
    hasAttachments: parsed ? attachments.length > 0 : hasAttachmentParts(m.bodyStructure),
    internetMessageId: parsed?.messageId ?? env?.messageId ?? null,
    subject: parsed?.subject ?? env?.subject ?? '',
    bodyPreview: parsed ? preview(parsed) : undefined,
    importance: 'normal',
    parentFolderId: folderId(where.folder),
    isRead: m.flags ? m.flags.has('\\Seen') : false,
    isDraft: m.flags ? m.flags.has('\\Draft') : false,
    body: parsed ? (parsed.html ? { contentType: 'html', content: parsed.html } : { contentType: 'text', content: parsed.text ?? '' }) : undefined,
    sender: from[0] ?? null,
    from: from[0] ?? null,
    toRecipients: parsed ? fromParsed(parsed.to) : fromEnvelope(env?.to),
    ccRecipients: parsed ? fromParsed(parsed.cc) : fromEnvelope(env?.cc),
    bccRecipients: parsed ? fromParsed(parsed.bcc) : fromEnvelope(env?.bcc),
    replyTo: parsed ? fromParsed(parsed.replyTo) : fromEnvelope(env?.replyTo)
  };
  for (const key of Object.keys(resource)) if (resource[key] === undefined) delete resource[key];
  return pick(resource, select);
}

export function parseSource(source: Buffer): Promise<ParsedMail> {
  return simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
}

/** The message's attachments as Graph's fileAttachment resources (content base64 as `contentBytes`). */
export function graphAttachments(parsed: ParsedMail, parentId: string): Array<Record<string, unknown>> {
  return parsed.attachments.map((a, index) => ({
    '@odata.type': '#microsoft.graph.fileAttachment',
    id: Buffer.from(`${parentId}.${index}`).toString('base64url'),
    name: a.filename ?? `attachment-${index + 1}`,
    contentType: a.contentType,
    size: a.size,
    isInline: a.contentDisposition === 'inline',
    contentId: a.contentId ?? null,
    lastModifiedDateTime: graphDate(parsed.date ?? new Date()),
    contentBytes: a.content.toString('base64')
  }));
}

export function graphFolder(f: FolderInfo): Record<string, unknown> {
  return {
    id: folderId(f.path),
    displayName: f.name,
    parentFolderId: f.parentPath ? folderId(f.parentPath) : null,
    childFolderCount: f.children,
    unreadItemCount: f.unread,
    totalItemCount: f.total,
    isHidden: false
  };
}
