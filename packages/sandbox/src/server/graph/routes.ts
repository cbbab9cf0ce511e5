/**
 * The Graph endpoints the sandbox serves, under `/v1.0/me/…` and `/v1.0/users/{id|upn}/…`:
 * the user, sendMail, mail folders, a folder's messages (newest first, paged by an opaque
 * `$skiptoken` in `@odata.nextLink` that names where the page before ended), one message, its MIME (`$value`) and its attachments; drafts
 * and their attachments in draftRoutes.ts.
 */
import { findUser } from '../auth/directory';
import type { SandboxUser } from '../fixtures';
import { authorize, type Caller, type Need } from './access';
import { graphErrors } from './errors';
import { folderId, folderPath, messageRef, parseSkipToken, skipToken } from './ids';
import type { MailStore } from './mailStore';
import { graphAttachments, graphFolder, graphMessage, needsSource, parseSource } from './messages';
import { composeJsonMessage, mimeMessage, type OutgoingMessage } from './send';
import type { GraphFaults } from '../auth/state';
import { draftRoute } from './draftRoutes';
import { DRAFTS_FOLDER, type DraftStore } from './drafts';
import type { UploadSessions } from './uploads';

export interface GraphRequest {
  method: string;
  /** Path below `/v1.0`, e.g. `/users/adele@contoso.test/mailFolders/inbox/messages`. */
  path: string;
  query: URLSearchParams;
  /** `https://127.0.0.1:PORT/v1.0`, for `@odata.context` and `@odata.nextLink`. */
  base: string;
  caller: Caller;
  contentType: string;
  body: () => Promise<Buffer>;
}

export type GraphAnswer = { status: number; json?: unknown; raw?: { contentType: string; data: Buffer }; headers?: Record<string, string> };

export interface GraphContext {
  store: MailStore;
  faults: () => GraphFaults;
  submit: (message: OutgoingMessage) => Promise<void>;
  drafts: DraftStore;
  uploads: UploadSessions;
  /** Where upload sessions' URLs point: the service's own origin, or the one the control API set. */
  uploadOrigin: () => string;
}

const MAX_TOP = 1000;
const DEFAULT_TOP = 10;

/** The mailbox a path addresses (`me` or `users/{id}`) and the rest of the path. */
export function addressedMailbox(path: string, caller: Caller): { user: SandboxUser; segment: string; rest: string } {
  const me = /^\/me(\/.*)?$/i.exec(path);
  if (me) {
    if (caller.kind === 'app') throw graphErrors.badRequest('/me request is only valid with delegated authentication flow.');
    const user = findUser(caller.upn);
    if (!user) throw graphErrors.userNotFound(caller.upn);
    return { user, segment: 'me', rest: me[1] ?? '' };
  }
  const users = /^\/users\/([^/]+)(\/.*)?$/i.exec(path);
  if (!users) throw graphErrors.noRoute('GET', path);
  const id = decodeURIComponent(users[1]);
  const user = findUser(id);
  if (!user) throw graphErrors.userNotFound(id);
  return { user, segment: `users('${user.upn}')`, rest: users[2] ?? '' };
}

function selectOf(query: URLSearchParams): string[] | undefined {
  const s = query.get('$select');
  return s
    ? s
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : undefined;
}

function topOf(query: URLSearchParams): number {
  const raw = query.get('$top');
  if (raw === null) return DEFAULT_TOP;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
    throw graphErrors.badRequest(`Invalid value '${raw}' for $top: a whole number from 1 to ${MAX_TOP}.`, 'ErrorInvalidArgument');
  }
  return top;
}

export async function route(ctx: GraphContext, req: GraphRequest): Promise<GraphAnswer> {
  const { user, segment, rest } = addressedMailbox(req.path, req.caller);
  const need = (n: Need) => authorize(req.caller, user, n, ctx.faults());
  const context = `${req.base}/$metadata#${segment === 'me' ? `users('${user.upn}')` : segment}`;
  const get = req.method === 'GET';

  if (rest === '' && get) {
    need('profile');
    return {
      status: 200,
      json: {
        '@odata.context': `${req.base}/$metadata#users/$entity`,
        id: user.oid,
        displayName: user.displayName,
        mail: user.upn,
        userPrincipalName: user.upn
      }
    };
  }

  if (rest.toLowerCase() === '/sendmail' && req.method === 'POST') {
    need('send');
    const body = await req.body();
    let message: OutgoingMessage;
    let saveToSentItems = true;
    if (/^text\/plain\b/i.test(req.contentType)) {
      message = await mimeMessage(body);
    } else {
      let json: { message?: unknown; saveToSentItems?: unknown };
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        throw graphErrors.badRequest('Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.');
      }
      message = await composeJsonMessage(json?.message as Parameters<typeof composeJsonMessage>[0], { name: user.displayName, address: user.upn });
      saveToSentItems = json.saveToSentItems !== false && json.saveToSentItems !== 'false';
    }
    // Sending as another mailbox than the one addressed needs Send As on that one too.
    if (message.from.toLowerCase() !== user.upn.toLowerCase()) {
      const sender = findUser(message.from);
      if (!sender) throw graphErrors.sendAsDenied();
      authorize(req.caller, sender, 'send', ctx.faults());
    }
    await ctx.submit(message);
    if (saveToSentItems) await ctx.store.append(user.upn, 'Sent Items', message.sentCopy, ['\\Seen']);
    return { status: 202 };
  }

  const drafted = await draftRoute(ctx, req, user, rest, context);
  if (drafted) return drafted;

  const folders = /^\/mailfolders(?:\/([^/]+))?(\/childfolders|\/messages)?(?:\/([^/]+))?(\/\$value|\/attachments)?$/i.exec(rest);
  const messages = /^\/messages\/([^/]+)(\/\$value|\/attachments)?$/i.exec(rest);
  if (!get || (!folders && !messages)) throw graphErrors.noRoute(req.method, req.path);
  need('read');

  if (folders && !folders[1]) {
    const all = await ctx.store.folders(user.upn);
    return { status: 200, json: { '@odata.context': `${context}/mailFolders`, value: all.filter((f) => !f.parentPath).map(graphFolder) } };
  }
  if (folders && !folders[2]) {
    const path = folderPath(decodeURIComponent(folders[1]));
    const found = (await ctx.store.folders(user.upn)).find((f) => f.path === path);
    if (!found) throw graphErrors.folderNotFound();
    return { status: 200, json: { '@odata.context': `${context}/mailFolders/$entity`, ...graphFolder(found) } };
  }
  if (folders && folders[2].toLowerCase() === '/childfolders' && !folders[3]) {
    const path = folderPath(decodeURIComponent(folders[1]));
    const all = await ctx.store.folders(user.upn);
    if (!all.some((f) => f.path === path)) throw graphErrors.folderNotFound();
    return {
      status: 200,
      json: { '@odata.context': `${context}/mailFolders('${folderId(path)}')/childFolders`, value: all.filter((f) => f.parentPath === path).map(graphFolder) }
    };
  }
  if (folders && folders[2].toLowerCase() === '/messages' && !folders[3]) {
    return listMessages(ctx, req, user, folderPath(decodeURIComponent(folders[1])), context);
  }
  const [id, tail] = folders ? [folders[3], folders[4]] : [messages![1], messages![2]];
  if (!id) throw graphErrors.noRoute(req.method, req.path);
  return oneMessage(ctx, req, user, decodeURIComponent(id), tail?.toLowerCase(), context);
}

async function listMessages(ctx: GraphContext, req: GraphRequest, user: SandboxUser, folder: string, context: string): Promise<GraphAnswer> {
  const orderby = req.query.get('$orderby');
  if (orderby !== null && orderby.replace(/\s+/g, ' ').trim().toLowerCase() !== 'receiveddatetime desc') {
    throw graphErrors.badRequest(`The sandbox orders messages by 'receivedDateTime desc' only, not '${orderby}'.`, 'ErrorInvalidProperty');
  }
  for (const unsupported of ['$skip', '$filter', '$search']) {
    if (req.query.has(unsupported)) {
      throw graphErrors.badRequest(`The sandbox does not support ${unsupported}; follow @odata.nextLink to page.`, 'ErrorInvalidUrlQuery');
    }
  }
  const top = topOf(req.query);
  const select = selectOf(req.query);
  const token = req.query.get('$skiptoken');
  const skip = token === null ? undefined : parseSkipToken(token);
  const withSource = needsSource(select);
  const page = await ctx.store.page(user.upn, folder, top, skip?.belowUid, {
    envelope: true,
    internalDate: true,
    flags: true,
    bodyStructure: true,
    source: withSource
  });
  if (!page) throw graphErrors.folderNotFound();
  // A page token from before the folder was recreated does not point into this one.
  if (skip && skip.uidValidity !== page.uidValidity) throw graphErrors.badRequest('The $skiptoken is no longer valid for this folder.', 'ErrorInvalidUrlQuery');
  const where = { folder, uidValidity: page.uidValidity };
  const value = await Promise.all(
    page.messages.map(async (m) => graphMessage(m, where, withSource && m.source ? await parseSource(m.source) : undefined, select))
  );
  const json: Record<string, unknown> = { '@odata.context': `${context}/mailFolders('${folderId(folder)}')/messages`, value };
  const lowest = page.messages.at(-1);
  if (page.older && lowest) {
    const next = new URLSearchParams(req.query);
    next.set('$skiptoken', skipToken({ uidValidity: page.uidValidity, belowUid: lowest.uid }));
    json['@odata.nextLink'] = `${req.base}${req.path}?${next.toString().replace(/%24/g, '$')}`;
  }
  return { status: 200, json };
}

async function oneMessage(
  ctx: GraphContext,
  req: GraphRequest,
  user: SandboxUser,
  id: string,
  tail: string | undefined,
  context: string
): Promise<GraphAnswer> {
  // A draft made over Graph is read from its current copy in Drafts, under its own ID.
  const ref = ctx.drafts.isDraftId(id) ? { folder: DRAFTS_FOLDER, ...ctx.drafts.get(user, id).copy } : messageRef(id);
  const m = await ctx.store.message(user.upn, ref.folder, ref.uidValidity, ref.uid);
  if (!m?.source) throw graphErrors.itemNotFound();
  if (tail === '/$value') return { status: 200, raw: { contentType: 'text/plain', data: m.source } };
  const parsed = await parseSource(m.source);
  if (tail === '/attachments') {
    return { status: 200, json: { '@odata.context': `${context}/messages('${id}')/attachments`, value: graphAttachments(parsed, id) } };
  }
  return { status: 200, json: { '@odata.context': `${context}/messages/$entity`, ...graphMessage(m, ref, parsed, selectOf(req.query)), id } };
}
