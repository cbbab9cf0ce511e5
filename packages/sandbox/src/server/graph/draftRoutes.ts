/**
 * The draft endpoints, for a message too large for sendMail: `POST /messages` (a draft in Drafts),
 * `POST /messages/{id}/attachments` (a fileAttachment, base64, under the 4 MB request limit),
 * `POST /messages/{id}/attachments/createUploadSession` (3 to 150 MB, see uploads.ts),
 * `POST /messages/{id}/send` (202: through Postfix like sendMail, a copy in Sent Items, the draft
 * gone from Drafts) and `DELETE /messages/{id}`. As Graph: Mail.ReadWrite (`.Shared` for another
 * mailbox) for the draft, its attachments and deleting; Mail.Send for sending it.
 */
import { findUser } from '../auth/directory';
import type { SandboxUser } from '../fixtures';
import { authorize, type Need } from './access';
import { graphErrors } from './errors';
import { messageRef } from './ids';
import { graphMessage, parseSource } from './messages';
import type { GraphAnswer, GraphContext, GraphRequest } from './routes';
import type { GraphMessageInput } from './send';
import { DRAFTS_FOLDER, type Draft } from './drafts';
import type { AttachmentItem } from './uploads';

const DRAFT_PATH = /^\/messages(?:\/([^/]+)(\/send|\/attachments|\/attachments\/createuploadsession)?)?$/i;

async function json<T>(req: GraphRequest): Promise<T> {
  const body = await req.body();
  try {
    return JSON.parse(body.toString('utf8') || 'null') as T;
  } catch {
    throw graphErrors.badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
  }
}

/** The answer to a draft request, or undefined when the request is not one (then routes.ts serves it). */
export async function draftRoute(ctx: GraphContext, req: GraphRequest, user: SandboxUser, rest: string, context: string): Promise<GraphAnswer | undefined> {
  const match = DRAFT_PATH.exec(rest);
  if (!match || (req.method !== 'POST' && req.method !== 'DELETE')) return undefined;
  const need = (n: Need) => authorize(req.caller, user, n, ctx.faults());
  const [id, action] = [match[1] ? decodeURIComponent(match[1]) : undefined, match[2]?.toLowerCase()];

  if (req.method === 'DELETE') {
    if (!id || action) return undefined;
    need('write');
    return deleteMessage(ctx, user, id);
  }
  if (!id) {
    need('write');
    const draft = await ctx.drafts.create(user, (await json<GraphMessageInput>(req)) ?? ({} as GraphMessageInput));
    return { status: 201, json: { '@odata.context': `${context}/messages/$entity`, ...(await draftResource(ctx, draft)) } };
  }
  if (!action) return undefined;
  if (action === '/send') {
    need('send');
    return sendDraft(ctx, req, user, ctx.drafts.get(user, id));
  }
  need('write');
  const draft = ctx.drafts.get(user, id);
  if (action === '/attachments') return addAttachment(ctx, draft, await json(req), context);
  const { AttachmentItem: item, attachmentItem } = (await json<{ AttachmentItem?: AttachmentItem; attachmentItem?: AttachmentItem }>(req)) ?? {};
  return { status: 201, json: ctx.uploads.create(draft, item ?? attachmentItem, ctx.uploadOrigin()) };
}

/** The draft as Graph returns it: read back from its copy in the store, under the draft's own ID. */
async function draftResource(ctx: GraphContext, draft: Draft): Promise<Record<string, unknown>> {
  const m = await ctx.store.message(draft.mailbox, DRAFTS_FOLDER, draft.copy.uidValidity, draft.copy.uid);
  if (!m?.source) throw graphErrors.itemNotFound();
  return { ...graphMessage(m, { folder: DRAFTS_FOLDER, uidValidity: draft.copy.uidValidity }, await parseSource(m.source), undefined), id: draft.id };
}

async function addAttachment(
  ctx: GraphContext,
  draft: Draft,
  body: { '@odata.type'?: string; name?: string; contentType?: string; contentBytes?: string; isInline?: boolean; contentId?: string } | null,
  context: string
): Promise<GraphAnswer> {
  if (!body || body['@odata.type'] !== '#microsoft.graph.fileAttachment') {
    throw graphErrors.badRequest("The attachment's @odata.type must be #microsoft.graph.fileAttachment.", 'ErrorInvalidRequest');
  }
  if (typeof body.name !== 'string' || !body.name.trim()) throw graphErrors.badRequest('The attachment name is missing.', 'ErrorInvalidRequest');
  const text = (body.contentBytes ?? '').replace(/\s+/g, '');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw graphErrors.badRequest('Cannot convert the literal to the expected type Edm.Binary.', 'ErrorInvalidRequest');
  }
  const added = await ctx.drafts.addAttachment(draft, {
    name: body.name,
    contentType: body.contentType || 'application/octet-stream',
    content: Buffer.from(text, 'base64'),
    isInline: body.isInline === true,
    contentId: body.contentId
  });
  return {
    status: 201,
    json: {
      '@odata.context': `${context}/messages('${draft.id}')/attachments/$entity`,
      '@odata.type': '#microsoft.graph.fileAttachment',
      id: added.id,
      name: added.name,
      contentType: added.contentType,
      size: added.content.length,
      isInline: added.isInline,
      contentId: added.contentId ?? null
    }
  };
}

async function sendDraft(ctx: GraphContext, req: GraphRequest, user: SandboxUser, draft: Draft): Promise<GraphAnswer> {
  await ctx.drafts.finish(draft, async () => {
    const message = await ctx.drafts.compose(draft, true);
    // Sending as another mailbox than the one addressed needs Send As on that one too, as for sendMail.
    if (message.from.toLowerCase() !== user.upn.toLowerCase()) {
      const sender = findUser(message.from);
      if (!sender) throw graphErrors.sendAsDenied();
      authorize(req.caller, sender, 'send', ctx.faults());
    }
    await ctx.submit(message);
    await ctx.store.append(user.upn, 'Sent Items', message.sentCopy, ['\\Seen']);
    ctx.uploads.forget(draft);
  });
  return { status: 202 };
}

async function deleteMessage(ctx: GraphContext, user: SandboxUser, id: string): Promise<GraphAnswer> {
  if (ctx.drafts.isDraftId(id)) {
    const draft = ctx.drafts.get(user, id);
    await ctx.drafts.finish(draft, async () => ctx.uploads.forget(draft));
    return { status: 204 };
  }
  // Exchange keeps a deleted item recoverable for a while; the sandbox removes it.
  const ref = messageRef(id);
  const found = await ctx.store.message(user.upn, ref.folder, ref.uidValidity, ref.uid);
  if (!found) throw graphErrors.itemNotFound();
  await ctx.store.remove(user.upn, ref.folder, ref.uid);
  return { status: 204 };
}
