/**
 * Upload sessions for large attachments, as Outlook serves them behind Graph's
 * `createUploadSession`: an opaque, pre-authenticated `uploadUrl` (here on the Graph service's own
 * host, `/upload/attachmentSessions/{id}?authtoken=…`) that takes the file's bytes in order with
 * `PUT` and `Content-Range: bytes start-end/total`, at most 4 MB per request, answers 200 with the
 * next expected byte until the last one and 201 with a `Location` once the attachment is on the
 * draft; `DELETE` cancels. The URL carries its own credential: a request with an `Authorization`
 * header is refused (Outlook answers a Graph token 401 InvalidAudience). Sizes from 3 MB (the
 * documented floor) to 150 MB.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GraphUploadStats } from '../auth/state';
import type { DraftStore, Draft } from './drafts';
import { graphErrors } from './errors';
import type { GraphAnswer } from './routes';

export const UPLOAD_SESSION_MIN_BYTES = 3_000_000;
export const UPLOAD_SESSION_MAX_BYTES = 150 * 1024 * 1024;
/** How long an upload session's URL stays valid. */
const SESSION_LIFETIME_MS = 15 * 60 * 1000;
const UPLOAD_PATH = /^\/upload\/attachmentSessions\/([\w-]+)$/;

export interface AttachmentItem {
  attachmentType?: string;
  name?: string;
  size?: number;
  contentType?: string;
  isInline?: boolean;
  contentId?: string;
}

interface UploadSession {
  id: string;
  token: Buffer;
  draft: Draft;
  item: Required<Pick<AttachmentItem, 'name' | 'size'>> & AttachmentItem;
  received: Buffer[];
  offset: number;
  expires: number;
}

const graphDate = (ms: number) => new Date(ms).toISOString().replace(/Z$/, '0000Z');

export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>();

  constructor(
    private readonly drafts: DraftStore,
    private readonly stats: () => GraphUploadStats
  ) {}

  /** Opens a session for a file attachment on the draft; `origin` is where its uploadUrl points. */
  create(draft: Draft, item: AttachmentItem | undefined, origin: string): Record<string, unknown> {
    if (!item || typeof item !== 'object') throw graphErrors.badRequest('The AttachmentItem parameter is missing.', 'ErrorInvalidRequest');
    if ((item.attachmentType ?? '').toLowerCase() !== 'file') {
      throw graphErrors.badRequest("The attachment type must be 'file'.", 'ErrorInvalidRequest');
    }
    if (typeof item.name !== 'string' || !item.name.trim()) throw graphErrors.badRequest('The attachment name is missing.', 'ErrorInvalidRequest');
    if (!Number.isInteger(item.size)) throw graphErrors.badRequest('The attachment size must be a whole number of bytes.', 'ErrorInvalidRequest');
    const size = item.size as number;
    if (size < UPLOAD_SESSION_MIN_BYTES) throw graphErrors.attachmentTooSmall();
    if (size > UPLOAD_SESSION_MAX_BYTES) throw graphErrors.messageSizeExceeded();
    const session: UploadSession = {
      id: randomUUID(),
      token: randomBytes(32),
      draft,
      item: { ...item, name: item.name, size },
      received: [],
      offset: 0,
      expires: Date.now() + SESSION_LIFETIME_MS
    };
    this.sessions.set(session.id, session);
    return {
      '@odata.context': `${origin}/v1.0/$metadata#microsoft.graph.uploadSession`,
      uploadUrl: `${origin}/upload/attachmentSessions/${session.id}?authtoken=${session.token.toString('base64url')}`,
      expirationDateTime: graphDate(session.expires),
      nextExpectedRanges: ['0-']
    };
  }

  /** Whether a request path is an upload URL (served here, without a bearer token). */
  handles(pathname: string): boolean {
    return UPLOAD_PATH.test(pathname);
  }

  /** Serves a PUT or DELETE on an upload URL; `body` reads the request (4 MB at most). */
  async handle(req: IncomingMessage, url: URL, body: () => Promise<Buffer>): Promise<GraphAnswer> {
    const stats = this.stats();
    stats.requests++;
    if (req.headers.authorization) throw graphErrors.invalidAudience();
    const session = this.sessions.get(UPLOAD_PATH.exec(url.pathname)?.[1] ?? '');
    const token = Buffer.from(url.searchParams.get('authtoken') ?? '', 'base64url');
    if (!session || token.length !== session.token.length || !timingSafeEqual(token, session.token)) throw graphErrors.itemNotFound();
    if (Date.now() > session.expires) {
      this.sessions.delete(session.id);
      throw graphErrors.invalidToken('The upload session has expired.');
    }
    if (req.method === 'DELETE') {
      this.sessions.delete(session.id);
      return { status: 204 };
    }
    if (req.method !== 'PUT') throw graphErrors.noRoute(req.method ?? 'GET', url.pathname);
    // The 4 MB request limit comes first, as for every Graph request.
    const bytes = await body();
    stats.bytes += bytes.length;
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) throw graphErrors.badRequest('The Content-Range header is missing or not of the form "bytes start-end/total".', 'InvalidContentRange');
    const [start, end, total] = range.slice(1).map(Number);
    if (total !== session.item.size) {
      throw graphErrors.badRequest(`The total size ${total} differs from the session's ${session.item.size}.`, 'InvalidContentRange');
    }
    if (start !== session.offset) {
      throw graphErrors.invalidRange(`The fragment starts at byte ${start}; the next expected byte is ${session.offset}.`);
    }
    if (end < start || end >= total) throw graphErrors.invalidRange(`The fragment ${start}-${end} is outside the file of ${total} bytes.`);
    if (bytes.length !== end - start + 1) {
      throw graphErrors.badRequest(`The body has ${bytes.length} bytes; Content-Range announces ${end - start + 1}.`, 'InvalidContentRange');
    }
    session.received.push(bytes);
    session.offset = end + 1;
    if (session.offset < total) {
      return {
        status: 200,
        json: {
          '@odata.context': `${url.origin}/api/v2.0/$metadata#AttachmentSessions/$entity`,
          // Outlook's own casing, which Graph's SDKs read in either form.
          ExpirationDateTime: graphDate(session.expires),
          nextExpectedRanges: [String(session.offset)]
        }
      };
    }
    this.sessions.delete(session.id);
    const draft = session.draft;
    const attachment = await this.drafts.addAttachment(draft, {
      name: session.item.name,
      contentType: session.item.contentType || 'application/octet-stream',
      content: Buffer.concat(session.received),
      isInline: session.item.isInline === true,
      contentId: session.item.contentId
    });
    return {
      status: 201,
      headers: { location: `${url.origin}/v1.0/users('${draft.mailbox}')/messages('${draft.id}')/attachments('${attachment.id}')` }
    };
  }

  /** Forgets the sessions of a draft that was sent or deleted. */
  forget(draft: Draft): void {
    for (const [id, session] of this.sessions) if (session.draft.id === draft.id) this.sessions.delete(id);
  }
}
