/**
 * Sending over Microsoft Graph: `POST /users/{mailbox}/sendMail`, as JSON for a composed message
 * (saved to Sent Items), or as the raw MIME of an .eml (base64, `Content-Type: text/plain`), which
 * Graph takes up to its 4 MB request limit. A larger .eml goes as a draft with its attachments
 * uploaded (graphLargeSend.ts), from which Exchange builds the MIME it sends. Graph answers
 * `202 Accepted`: accepted for delivery, not yet delivered. No `vscode` import.
 */
import type { Message } from '@microsoft/microsoft-graph-types';
import { formatSize } from '../../core/format';
import type { OutgoingMessage } from '../smtp/smtpClient';
import { cancellable, createGraphClient, type GraphConnection } from './graphClient';
import type { DraftPlanner } from '../eml/graphDraft';
import { explainGraphFailure } from './graphErrors';
import { sendAsDraft } from './graphLargeSend';
import { withRecipients } from './mimeRecipients';

/** Graph refuses requests over 4 MB (413); base64 makes a MIME message a third larger. */
export const GRAPH_MIME_LIMIT_BYTES = Math.floor((4 * 1024 * 1024 * 3) / 4);

export interface GraphSendResult {
  /** 202: accepted, not yet delivered. */
  status: number;
  requestId?: string;
  /** How the message went: a JSON message, its own MIME, or a draft with its attachments uploaded (Exchange rebuilt the MIME). */
  path: 'json' | 'mime' | 'draft';
  /** The draft path: attachments sent by one POST each and through upload sessions. */
  attachments?: { posted: number; uploaded: number };
  /** The draft path: `X-` headers left out (Graph takes five). */
  droppedHeaders?: string[];
}

export interface GraphSendTarget extends GraphConnection {
  /** The mailbox the message is sent from: `/users/{mailbox}` (a shared mailbox with Mail.Send.Shared and Send As). */
  mailbox: string;
  /** App-only tokens (client credentials): the errors' next steps differ. */
  appOnly: boolean;
  /** The cloud's Outlook hosts, where an upload session's URL may point besides the Graph host. */
  uploadHosts?: readonly string[];
  /** Told after each uploaded range of a large attachment. */
  onUpload?: (name: string, sentBytes: number, totalBytes: number) => void;
}

/** Reads a raw message's bytes: a Buffer or string as given, a stream to its end, a file path through `read`. */
async function rawBytes(raw: Extract<OutgoingMessage, { kind: 'raw' }>['raw'], readFile: (path: string) => Promise<Buffer>): Promise<Buffer> {
  if ('path' in raw) return readFile(raw.path);
  const content = raw.content;
  if (typeof content === 'string') return Buffer.from(content, 'utf8');
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

function jsonMessage(message: Extract<OutgoingMessage, { kind: 'compose' }>): Message {
  // Graph accepts only custom (X-) headers here, and refuses an empty list.
  const custom = Object.entries(message.headers ?? {})
    .filter(([name]) => /^x-/i.test(name))
    .map(([name, value]) => ({ name, value }));
  return {
    subject: message.subject,
    body: { contentType: 'text', content: message.text },
    toRecipients: message.to.map((address) => ({ emailAddress: { address } })),
    ...(custom.length ? { internetMessageHeaders: custom } : {})
  };
}

/**
 * How an .eml goes over Graph: as its own MIME (with To set to the envelope recipients) up to the
 * limit, else as a draft. The confirmation says which before anything is sent.
 */
export function emlSendPath(mime: Buffer, envelopeTo: readonly string[]): 'mime' | 'draft' {
  return withRecipients(mime, envelopeTo).byteLength > GRAPH_MIME_LIMIT_BYTES ? 'draft' : 'mime';
}

export async function sendMailOverGraph(
  target: GraphSendTarget,
  message: OutgoingMessage,
  options: {
    readFile?: (path: string) => Promise<Buffer>;
    /** Takes a large .eml apart into a draft: the `smtp` chunk's planDraft (mailparser stays out of this chunk). */
    planDraft?: DraftPlanner;
  } = {}
): Promise<GraphSendResult> {
  const session = createGraphClient(target);
  const path = `/users/${encodeURIComponent(target.mailbox)}/sendMail`;
  try {
    if (message.kind === 'compose') {
      await cancellable(target.signal, session.client.api(path).post({ message: jsonMessage(message), saveToSentItems: true }));
      return { status: session.last().status ?? 202, requestId: session.last().requestId, path: 'json' };
    }
    const readFile = options.readFile ?? (async (file: string) => (await import('node:fs/promises')).readFile(file));
    const bytes = await rawBytes(message.raw, readFile);
    const mime = withRecipients(bytes, message.envelope.to);
    if (mime.byteLength > GRAPH_MIME_LIMIT_BYTES) {
      // Explained where it fails: the draft path types its own errors and removes the draft first.
      if (!options.planDraft) throw new Error('sendMailOverGraph needs planDraft for a message over the raw-MIME limit');
      const plan = await options.planDraft(bytes, message.envelope.to);
      const sent = await sendAsDraft(target, plan, { limit: formatSize(GRAPH_MIME_LIMIT_BYTES) });
      target.logger.info(
        `[graph] sent as a draft: ${sent.posted} attachment(s) posted, ${sent.uploaded} uploaded${plan.droppedHeaders.length ? `; X- headers left out: ${plan.droppedHeaders.join(', ')}` : ''}`
      );
      return {
        status: sent.status,
        requestId: sent.requestId,
        path: 'draft',
        attachments: { posted: sent.posted, uploaded: sent.uploaded },
        droppedHeaders: plan.droppedHeaders
      };
    }
    await cancellable(target.signal, session.client.api(path).header('Content-Type', 'text/plain').post(mime.toString('base64')));
    return { status: session.last().status ?? 202, requestId: session.last().requestId, path: 'mime' };
  } catch (error) {
    throw explainGraphFailure(session.failure() ?? error, { appOnly: target.appOnly, mailbox: target.mailbox });
  }
}
