/**
 * Sending over Microsoft Graph: `POST /users/{mailbox}/sendMail`, as JSON for a composed message
 * (saved to Sent Items), or as the raw MIME of an .eml (base64, `Content-Type: text/plain`), which
 * Graph takes up to its 4 MB request limit. Graph answers `202 Accepted`: accepted for delivery, not
 * yet delivered. No `vscode` import.
 */
import type { Message } from '@microsoft/microsoft-graph-types';
import { M365MailError } from '../../core/errors';
import { formatSize, untranslated, type Translate } from '../../core/format';
import type { OutgoingMessage } from '../smtp/smtpClient';
import { cancellable, createGraphClient, type GraphConnection } from './graphClient';
import { explainGraphFailure } from './graphErrors';
import { withRecipients } from './mimeRecipients';

/** Graph refuses requests over 4 MB (413); base64 makes a MIME message a third larger. */
export const GRAPH_MIME_LIMIT_BYTES = Math.floor((4 * 1024 * 1024 * 3) / 4);

export interface GraphSendResult {
  /** 202: accepted, not yet delivered. */
  status: number;
  requestId?: string;
  /** How the message went: a JSON message, or its own MIME. */
  path: 'json' | 'mime';
}

export interface GraphSendTarget extends GraphConnection {
  /** The mailbox the message is sent from: `/users/{mailbox}` (a shared mailbox with Mail.Send.Shared and Send As). */
  mailbox: string;
  /** App-only tokens (client credentials): the errors' next steps differ. */
  appOnly: boolean;
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
  return {
    subject: message.subject,
    body: { contentType: 'text', content: message.text },
    toRecipients: message.to.map((address) => ({ emailAddress: { address } })),
    // Graph accepts only custom (X-) headers here.
    internetMessageHeaders: Object.entries(message.headers ?? {})
      .filter(([name]) => /^x-/i.test(name))
      .map(([name, value]) => ({ name, value }))
  };
}

export async function sendMailOverGraph(
  target: GraphSendTarget,
  message: OutgoingMessage,
  options: { t?: Translate; readFile?: (path: string) => Promise<Buffer> } = {}
): Promise<GraphSendResult> {
  const t = options.t ?? untranslated;
  const session = createGraphClient({ ...target, t: target.t ?? t });
  const path = `/users/${encodeURIComponent(target.mailbox)}/sendMail`;
  try {
    if (message.kind === 'compose') {
      await cancellable(target.signal, session.client.api(path).post({ message: jsonMessage(message), saveToSentItems: true }));
      return { status: session.last().status ?? 202, requestId: session.last().requestId, path: 'json' };
    }
    const readFile = options.readFile ?? (async (file: string) => (await import('node:fs/promises')).readFile(file));
    const mime = withRecipients(await rawBytes(message.raw, readFile), message.envelope.to);
    if (mime.byteLength > GRAPH_MIME_LIMIT_BYTES) {
      throw new M365MailError(
        'graph.eml_too_large',
        t(
          'The message is {0}: Microsoft Graph takes a MIME message of up to {1} in one request.',
          formatSize(mime.byteLength),
          formatSize(GRAPH_MIME_LIMIT_BYTES)
        ),
        { nextStep: t('Send it over SMTP, or make it smaller; larger messages over Graph (a draft with an upload session) are not supported yet.') }
      );
    }
    await cancellable(target.signal, session.client.api(path).header('Content-Type', 'text/plain').post(mime.toString('base64')));
    return { status: session.last().status ?? 202, requestId: session.last().requestId, path: 'mime' };
  } catch (error) {
    throw explainGraphFailure(session.failure() ?? error, { appOnly: target.appOnly, mailbox: target.mailbox }, t);
  }
}
