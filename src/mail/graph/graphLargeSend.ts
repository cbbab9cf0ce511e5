/**
 * Sending an .eml over Microsoft Graph above the raw-MIME limit, as Graph's docs lay out for large
 * attachments: a draft (`POST /users/{mailbox}/messages`), each attachment under 3 MB by
 * `POST …/attachments` and each larger one through an upload session
 * (`…/attachments/createUploadSession`, then the SDK's LargeFileUploadTask PUTting chunks under
 * 4 MB, multiples of 320 KiB, to the session's pre-authenticated URL without our token), then
 * `POST …/send` (202). The draft needs Mail.ReadWrite, which sendMail does not: the token is checked
 * first. Cancelling takes effect between chunks (and aborts the request in flight); on any failure
 * the draft is deleted, so nothing half-written stays in the mailbox. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { LargeFileUploadTask, type FileObject, type LargeFileUploadSession, type Range, type UploadResult } from '@microsoft/microsoft-graph-client';
import type { Message } from '@microsoft/microsoft-graph-types';
import { CancelledError, M365MailError } from '../../core/errors';
import { decodeJwtClaims } from '../../core/tokenClaims';
import { cancellable, createGraphClient, createUploadClient } from './graphClient';
import { explainGraphFailure, needsMailReadWrite, type GraphFailure } from './graphErrors';
import type { GraphSendTarget } from './graphSend';
import type { DraftPlan, PlannedAttachment } from '../eml/graphDraft';
import { checkUploadUrl } from './uploadUrlPolicy';

/** Graph recommends upload ranges in multiples of 320 KiB; twelve of them stay under 4 MB. */
export const UPLOAD_CHUNK_BYTES = 12 * 320 * 1024;
/** How long removing the draft after a failure may take. */
const CLEANUP_TIMEOUT_MS = 30_000;

export interface DraftSendResult {
  status: number;
  requestId?: string;
  posted: number;
  uploaded: number;
}

/** Which step a request belongs to: creating or changing the draft needs Mail.ReadWrite, sending Mail.Send. */
type Step = 'write' | 'send';

/** The attachment's bytes, sliced per range; refuses the next slice once the user cancelled. */
class CancellableFile implements FileObject<Buffer> {
  readonly name: string;
  readonly size: number;

  constructor(
    readonly content: Buffer,
    name: string,
    private readonly signal: AbortSignal | undefined
  ) {
    this.name = name;
    this.size = content.length;
  }

  sliceFile(range: Range): Uint8Array {
    if (this.signal?.aborted) throw new CancelledError();
    return this.content.subarray(range.minValue, range.maxValue + 1);
  }
}

/**
 * Whether the token may write drafts, from its claims (`unknown` for an opaque token), and whether
 * the mailbox is another user's (a delegate's shared mailbox, which needs `.Shared`).
 */
function draftPermission(token: string, target: GraphSendTarget): { state: 'present' | 'missing' | 'unknown'; shared: boolean } {
  const claims = decodeJwtClaims(token);
  const shared = !target.appOnly && !!claims?.user && claims.user.toLowerCase() !== target.mailbox.toLowerCase();
  if (!claims) return { state: 'unknown', shared };
  if (target.appOnly) return { state: claims.roles.includes('Mail.ReadWrite') ? 'present' : 'missing', shared };
  const enough = shared ? ['Mail.ReadWrite.Shared'] : ['Mail.ReadWrite', 'Mail.ReadWrite.Shared'];
  return { state: claims.scopes.some((s) => enough.includes(s)) ? 'present' : 'missing', shared };
}

export async function sendAsDraft(target: GraphSendTarget, plan: DraftPlan, options: { limit: string }): Promise<DraftSendResult> {
  const base = `/users/${encodeURIComponent(target.mailbox)}/messages`;
  const session = createGraphClient(target);
  const permission = draftPermission(await cancellable(target.signal, target.getAccessToken()), target);
  const context = { appOnly: target.appOnly, mailbox: target.mailbox, shared: permission.shared, limit: options.limit };
  if (permission.state === 'missing') throw needsMailReadWrite({ ...context, certain: true }, undefined);

  let step: Step = 'write';
  let draftId: string | undefined;
  let openUpload: LargeFileUploadSession | undefined;
  const explain = (error: unknown): M365MailError => {
    const explained = explainGraphFailure(session.failure() ?? error, context);
    if (step === 'write' && explained.code === 'graph.ErrorAccessDenied' && permission.state === 'unknown') {
      return needsMailReadWrite({ ...context, certain: false }, error);
    }
    return explained;
  };
  try {
    const draft = (await cancellable(target.signal, session.client.api(base).post(plan.message))) as Message;
    if (!draft.id) throw new M365MailError('graph.client', l10n.t('Microsoft Graph created the draft without an ID.'));
    draftId = draft.id;
    const attachments = `${base}/${encodeURIComponent(draftId)}/attachments`;
    for (const attachment of plan.attachments) {
      if (target.signal?.aborted) throw new CancelledError();
      if (!attachment.upload) {
        await cancellable(target.signal, session.client.api(attachments).post(postedAttachment(attachment)));
        continue;
      }
      openUpload = await cancellable(
        target.signal,
        LargeFileUploadTask.createUploadSession(session.client, `${attachments}/createUploadSession`, { AttachmentItem: attachmentItem(attachment) })
      );
      await upload(target, attachment, openUpload);
      openUpload = undefined;
    }
    step = 'send';
    await cancellable(target.signal, session.client.api(`${base}/${encodeURIComponent(draftId)}/send`).post(null));
    const uploaded = plan.attachments.filter((a) => a.upload).length;
    return { status: session.last().status ?? 202, requestId: session.last().requestId, posted: plan.attachments.length - uploaded, uploaded };
  } catch (error) {
    const failure = error instanceof CancelledError ? error : error instanceof M365MailError ? error : explain(error);
    if (draftId) await removeDraft(target, `${base}/${encodeURIComponent(draftId)}`, openUpload, failure);
    throw failure;
  }
}

/** Uploads one attachment through its session; the SDK's task drives the ranges, the URL is checked first. */
async function upload(target: GraphSendTarget, attachment: PlannedAttachment, uploadSession: LargeFileUploadSession): Promise<UploadResult> {
  const url = checkUploadUrl(uploadSession.url, target.graphEndpoint, target.uploadHosts ?? []);
  const uploads = createUploadClient(target, url);
  const task = new LargeFileUploadTask(uploads.client, new CancellableFile(attachment.content, attachment.name, target.signal), uploadSession, {
    rangeSize: UPLOAD_CHUNK_BYTES,
    uploadEventHandlers: {
      progress: (range?: Range) => target.onUpload?.(attachment.name, (range?.maxValue ?? -1) + 1, attachment.content.length)
    }
  });
  try {
    const result = await task.upload();
    if (!result) throw new CancelledError();
    return result;
  } catch (error) {
    if (error instanceof M365MailError) throw error;
    // A refused range comes back as Graph's parsed error body, not a GraphError: give it the status seen.
    const body = (error as { error?: { code?: string; message?: string } })?.error;
    const failure: GraphFailure | unknown = body
      ? { statusCode: uploads.last().status, code: body.code, message: body.message, requestId: uploads.last().requestId }
      : (uploads.failure() ?? error);
    throw explainGraphFailure(failure, { appOnly: target.appOnly, mailbox: target.mailbox });
  }
}

function postedAttachment(a: PlannedAttachment): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.fileAttachment',
    name: a.name,
    contentType: a.contentType,
    contentBytes: a.content.toString('base64'),
    isInline: a.isInline,
    ...(a.contentId ? { contentId: a.contentId } : {})
  };
}

function attachmentItem(a: PlannedAttachment): Record<string, unknown> {
  return {
    attachmentType: 'file',
    name: a.name,
    size: a.content.length,
    contentType: a.contentType,
    isInline: a.isInline,
    ...(a.contentId ? { contentId: a.contentId } : {})
  };
}

/**
 * Ends the open upload session (its URL, no token) and deletes the draft, with clients the user's
 * cancel does not stop; if the draft stays, the error says where it is.
 */
async function removeDraft(target: GraphSendTarget, draftPath: string, openUpload: LargeFileUploadSession | undefined, failure: M365MailError): Promise<void> {
  const calm = { ...target, signal: undefined, onThrottled: undefined, timeoutMs: CLEANUP_TIMEOUT_MS };
  if (openUpload) {
    try {
      const url = checkUploadUrl(openUpload.url, target.graphEndpoint, target.uploadHosts ?? []);
      await createUploadClient(calm, url).client.api(openUpload.url).delete();
    } catch {
      // The session ends with the draft, or when it expires.
    }
  }
  try {
    await createGraphClient(calm).client.api(draftPath).delete();
    target.logger.info('[graph] the draft of the failed send was deleted');
  } catch (error) {
    target.logger.warn(`[graph] the draft of the failed send could not be deleted: ${(error as Error)?.message ?? String(error)}`);
    const left = l10n.t('The draft could not be removed: delete it from the Drafts folder of {0}.', target.mailbox);
    Object.assign(failure.options, { nextStep: failure.options.nextStep ? `${failure.options.nextStep} ${left}` : left });
  }
}
