/**
 * Drafts made over Graph (`POST /messages`): what Graph holds of each (its JSON message and the
 * attachments added since, one POST at a time or through an upload session) and its copy in
 * Dovecot's Drafts folder, replaced after every change so that IMAP sees what Graph holds. A draft
 * keeps its Graph ID while it changes, as Graph's IDs do; its copy in the store gets a new UID each
 * time. Changes to one draft run one after another. Kept in memory: a restarted sandbox has no
 * drafts (and the copies left in Drafts are ordinary messages).
 */
import { randomUUID } from 'node:crypto';
import type { Attachment } from 'nodemailer/lib/mailer';
import type { SandboxUser } from '../fixtures';
import { graphErrors } from './errors';
import { draftId, draftKey } from './ids';
import type { MailStore } from './mailStore';
import { composeMessage, messageOptions, type GraphMessageInput, type OutgoingMessage } from './send';

export const DRAFTS_FOLDER = 'Drafts';

export interface DraftAttachment {
  id: string;
  name: string;
  contentType: string;
  content: Buffer;
  isInline: boolean;
  contentId?: string;
}

export interface Draft {
  id: string;
  /** The mailbox (UPN) whose Drafts folder holds it. */
  mailbox: string;
  owner: { name: string; address: string };
  message: GraphMessageInput;
  attachments: DraftAttachment[];
  /** Where its current copy is in the store. */
  copy: { uidValidity: number; uid: number };
}

export class DraftStore {
  private readonly drafts = new Map<string, Draft>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly store: MailStore) {}

  /** A new draft in the user's Drafts folder; the message is checked as Graph checks a draft (recipients may come later). */
  async create(user: SandboxUser, message: GraphMessageInput): Promise<Draft> {
    const owner = { name: user.displayName, address: user.upn };
    // Checked before anything is stored: a refused draft leaves nothing behind.
    messageOptions(message, owner, { requireRecipients: false });
    const key = randomUUID();
    const draft: Draft = { id: draftId(key), mailbox: user.upn, owner, message, attachments: [], copy: { uidValidity: 0, uid: 0 } };
    draft.copy = await this.store.append(user.upn, DRAFTS_FOLDER, (await this.compose(draft, false)).sentCopy, ['\\Draft', '\\Seen']);
    this.drafts.set(key, draft);
    return draft;
  }

  /** The user's draft with this ID; 404 ErrorItemNotFound for another mailbox's, a sent or a deleted one. */
  get(user: SandboxUser, id: string): Draft {
    const key = draftKey(id);
    const draft = key ? this.drafts.get(key) : undefined;
    if (!draft || draft.mailbox.toLowerCase() !== user.upn.toLowerCase()) throw graphErrors.itemNotFound();
    return draft;
  }

  /** Whether the ID names a draft made here (sent and deleted ones included): the other routes then leave it alone. */
  isDraftId(id: string): boolean {
    return draftKey(id) !== undefined;
  }

  /** Adds an attachment and replaces the draft's copy in the store. */
  addAttachment(draft: Draft, attachment: Omit<DraftAttachment, 'id'>): Promise<DraftAttachment> {
    return this.serially(draft, async () => {
      this.live(draft);
      const added = { ...attachment, id: Buffer.from(`${draft.id}.${draft.attachments.length}`).toString('base64url') };
      draft.attachments.push(added);
      try {
        await this.replaceCopy(draft);
      } catch (error) {
        draft.attachments.pop();
        throw error;
      }
      return added;
    });
  }

  /** The draft as it will be sent (Postfix's copy without Bcc, Sent Items' with it); `requireRecipients` for sending. */
  compose(draft: Draft, requireRecipients: boolean): Promise<OutgoingMessage> {
    const extraAttachments: Attachment[] = draft.attachments.map((a) => ({
      filename: a.name,
      content: a.content,
      contentType: a.contentType,
      cid: a.isInline ? a.contentId : undefined,
      contentDisposition: a.isInline ? 'inline' : 'attachment'
    }));
    return composeMessage(messageOptions(draft.message, draft.owner, { requireRecipients, extraAttachments }));
  }

  /** Runs `work` on the draft (after whatever else is running on it), then forgets the draft and removes its copy. */
  finish<T>(draft: Draft, work: () => Promise<T>): Promise<T> {
    return this.serially(draft, async () => {
      this.live(draft);
      const result = await work();
      this.drafts.delete(draftKey(draft.id)!);
      await this.store.remove(draft.mailbox, DRAFTS_FOLDER, draft.copy.uid);
      return result;
    });
  }

  private live(draft: Draft): void {
    if (!this.drafts.has(draftKey(draft.id)!)) throw graphErrors.itemNotFound();
  }

  private async replaceCopy(draft: Draft): Promise<void> {
    const previous = draft.copy;
    draft.copy = await this.store.append(draft.mailbox, DRAFTS_FOLDER, (await this.compose(draft, false)).sentCopy, ['\\Draft', '\\Seen']);
    await this.store.remove(draft.mailbox, DRAFTS_FOLDER, previous.uid);
  }

  private serially<T>(draft: Draft, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(draft.id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(draft.id, next);
    void next
      .catch(() => undefined)
      .then(() => {
        if (this.queues.get(draft.id) === next) this.queues.delete(draft.id);
      });
    return next;
  }
}
