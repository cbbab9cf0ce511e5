/**
 * The inbox preview's {@link MailboxReader} over Microsoft Graph, for a credential that reads over
 * Graph: folders from `mailFolders` (and one level of `childFolders`), pages from
 * `mailFolders/{id}/messages` with `$select` of the envelope fields, `$top` and
 * `$orderby=receivedDateTime desc`, the next page by requesting `@odata.nextLink` exactly as Graph
 * gave it (Graph's paging contract: never a `$skip` built here), a message from `/messages/{id}`
 * (body and, when it has any, its attachments without their content), and its MIME from
 * `/messages/{id}/$value`. Everything under `/users/{mailbox}`, so a shared mailbox reads the same.
 * No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { ResponseType } from '@microsoft/microsoft-graph-client';
import type { Attachment, MailFolder, Message, Recipient } from '@microsoft/microsoft-graph-types';
import { M365MailError } from '../../core/errors';
import type { MailboxReader, MessagePage, OpenedMessage, PageContinuation } from '../../core/mailboxReader';
import type { EnvelopeSummary, FolderItem } from '../../core/messageView';
import { cancellable, createGraphClient, type GraphConnection, type GraphSession } from './graphClient';
import { explainGraphFailure } from './graphErrors';

export interface GraphReaderOptions extends GraphConnection {
  /** `/users/{mailbox}`: the user, or a shared mailbox (with Mail.Read.Shared). */
  mailbox: string;
  appOnly: boolean;
}

/** The envelope fields a listing asks for; the body and attachments only when a message opens. */
export const ENVELOPE_FIELDS = ['id', 'subject', 'from', 'toRecipients', 'receivedDateTime', 'isRead', 'hasAttachments'];
const MESSAGE_FIELDS = ['subject', 'from', 'toRecipients', 'ccRecipients', 'receivedDateTime', 'body', 'hasAttachments'];
const FOLDER_FIELDS = ['id', 'displayName', 'childFolderCount', 'totalItemCount'];
/** Folder listings are paged too (10 by default); a mailbox with more folders than this shows the first ones. */
const MAX_FOLDER_PAGES = 10;

interface Collection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
}

function addresses(recipients: Array<Recipient | null | undefined> | null | undefined): string | undefined {
  const list = (recipients ?? []).map((r) => r?.emailAddress).filter((a) => a?.address || a?.name);
  if (!list.length) return undefined;
  return list.map((a) => (a?.name && a.name !== a.address ? `${a.name} <${a.address ?? ''}>` : (a?.address ?? ''))).join(', ');
}

export class GraphMailboxReader implements MailboxReader {
  readonly idKind = 'graphId' as const;
  readonly server: string;
  private readonly session: GraphSession;
  private readonly base: string;
  /** totalItemCount per folder ID, from the last folder listing. */
  private readonly totals = new Map<string, number>();

  constructor(private readonly options: GraphReaderOptions) {
    this.session = createGraphClient(options);
    this.base = `/users/${encodeURIComponent(options.mailbox)}`;
    this.server = `Microsoft Graph (${new URL(options.graphEndpoint).host})`;
  }

  private async call<T>(request: () => Promise<unknown>): Promise<T> {
    try {
      return (await cancellable(this.options.signal, request())) as T;
    } catch (error) {
      throw explainGraphFailure(this.session.failure() ?? error, { appOnly: this.options.appOnly, mailbox: this.options.mailbox });
    }
  }

  /** Every page of a folder collection, following `@odata.nextLink` as given. */
  private async allFolders(path: string): Promise<MailFolder[]> {
    const found: MailFolder[] = [];
    let page = await this.call<Collection<MailFolder>>(() => this.session.client.api(path).select(FOLDER_FIELDS).top(100).get());
    for (let pages = 1; ; pages++) {
      found.push(...(page.value ?? []));
      const next = page['@odata.nextLink'];
      if (!next || pages >= MAX_FOLDER_PAGES) return found;
      page = await this.call<Collection<MailFolder>>(() => this.session.client.api(next).get());
    }
  }

  async folders(): Promise<{ folders: FolderItem[]; inbox: string }> {
    const [top, inbox] = await Promise.all([
      this.allFolders(`${this.base}/mailFolders`),
      this.call<MailFolder>(() => this.session.client.api(`${this.base}/mailFolders/inbox`).select(['id']).get())
    ]);
    const folders: FolderItem[] = [];
    for (const folder of top) {
      if (!folder.id) continue;
      const label = folder.displayName ?? folder.id;
      folders.push({ path: folder.id, label });
      if (folder.totalItemCount !== undefined && folder.totalItemCount !== null) this.totals.set(folder.id, folder.totalItemCount);
      if (folder.childFolderCount) {
        for (const child of await this.allFolders(`${this.base}/mailFolders/${encodeURIComponent(folder.id)}/childFolders`)) {
          if (!child.id) continue;
          folders.push({ path: child.id, label: `${label}/${child.displayName ?? child.id}` });
          if (typeof child.totalItemCount === 'number') this.totals.set(child.id, child.totalItemCount);
        }
      }
    }
    return { folders, inbox: inbox.id ?? 'inbox' };
  }

  async page(folder: string, pageSize: number, after?: PageContinuation): Promise<MessagePage> {
    const list =
      after?.kind === 'graph'
        ? this.call<Collection<Message>>(() => this.session.client.api(after.nextLink).get())
        : this.call<Collection<Message>>(() =>
            this.session.client
              .api(`${this.base}/mailFolders/${encodeURIComponent(folder)}/messages`)
              .select(ENVELOPE_FIELDS)
              .top(pageSize)
              .orderby('receivedDateTime desc')
              .get()
          );
    // The first page also asks the folder's size, which the listing does not carry.
    const total = after
      ? Promise.resolve(this.totals.get(folder))
      : this.call<MailFolder>(() =>
          this.session.client
            .api(`${this.base}/mailFolders/${encodeURIComponent(folder)}`)
            .select(['totalItemCount'])
            .get()
        ).then((f) => f.totalItemCount ?? undefined);
    const [page, count] = await Promise.all([list, total]);
    if (count !== undefined) this.totals.set(folder, count);
    const envelopes: EnvelopeSummary[] = (page.value ?? [])
      .filter((m): m is Message & { id: string } => typeof m.id === 'string')
      .map((m) => ({
        id: m.id,
        date: m.receivedDateTime ?? undefined,
        subject: m.subject ?? undefined,
        from: addresses([m.from]),
        to: addresses(m.toRecipients),
        seen: m.isRead ?? false,
        hasAttachments: m.hasAttachments ?? false
      }));
    const nextLink = page['@odata.nextLink'];
    return { folder, total: count, envelopes, next: nextLink ? { kind: 'graph', nextLink } : undefined };
  }

  /** `maxBytes` is IMAP's download bound; here the body comes as JSON, bounded by the transport, and attachments without content. */
  async message(_folder: string, id: string, _maxBytes?: number): Promise<OpenedMessage> {
    const path = `${this.base}/messages/${encodeURIComponent(id)}`;
    const message = await this.call<Message>(() => this.session.client.api(path).select(MESSAGE_FIELDS).get());
    const attachments = message.hasAttachments
      ? ((await this.call<Collection<Attachment>>(() => this.session.client.api(`${path}/attachments`).select(['name', 'contentType', 'size']).get())).value ??
        [])
      : [];
    const html = message.body?.contentType === 'html' ? (message.body.content ?? '') : undefined;
    return {
      from: addresses([message.from]),
      to: addresses(message.toRecipients),
      cc: addresses(message.ccRecipients),
      subject: message.subject ?? undefined,
      date: message.receivedDateTime ?? undefined,
      text: html === undefined ? (message.body?.content ?? '') : undefined,
      html,
      attachments: attachments.map((a) => ({ filename: a.name ?? undefined, contentType: a.contentType ?? 'application/octet-stream', size: a.size ?? 0 }))
    };
  }

  async source(_folder: string, id: string, maxBytes: number): Promise<Buffer> {
    const path = `${this.base}/messages/${encodeURIComponent(id)}/$value`;
    const bytes = Buffer.from(await this.call<ArrayBuffer>(() => this.session.client.api(path).responseType(ResponseType.ARRAYBUFFER).get()));
    if (bytes.byteLength > maxBytes) {
      throw new M365MailError('graph.too_large', l10n.t('The message is {0} bytes, over the preview limit of {1}.', bytes.byteLength, maxBytes));
    }
    return bytes;
  }

  async close(): Promise<void> {
    // Requests are independent HTTPS calls: nothing stays open between them.
  }
}
