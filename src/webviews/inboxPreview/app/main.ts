/**
 * The inbox preview webview: folders, a page of the newest envelopes, and one message at a time.
 * Talks to the extension only through the typed protocol (../protocol.ts). Keyboard: Tab moves
 * between folder list, message list and message; arrows move within a list; Enter opens.
 */
import { formatSize } from '../../../core/format';
import type { EnvelopeSummary, MessageView } from '../../../core/messageView';
import type { FolderItem, HostMessage, WebviewMessage } from '../protocol';
import { frameDocument, sanitizeMailHtml } from './sanitize';
import './styles.css';

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void; setState(state: unknown): void; getState(): unknown };

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

let currentFolder = '';
/**
 * The folder and the message the user asked for last. Replies are matched to them: requests are
 * answered independently (over Graph each is its own HTTPS request), so picking folder A then B
 * quickly could bring A's page last, and it must not replace B's.
 */
let wantedFolder = '';
let wantedMessage: string | undefined;
/** The cursor of the next page, as the extension issued it; none on the last page. */
let nextCursor: string | undefined;
let envelopes: EnvelopeSummary[] = [];
/** What each folder is called: an IMAP path, or Graph's display names (its IDs are opaque). */
let folderLabels = new Map<string, string>();

function setStatus(text: string, state: string): void {
  const status = $('status');
  status.textContent = text;
  status.dataset.state = state;
}

function renderFolders(folders: FolderItem[], selected: string): void {
  const list = $<HTMLSelectElement>('folders');
  folderLabels = new Map(folders.map((f) => [f.path, f.label]));
  list.replaceChildren(...folders.map((f) => el('option', { value: f.path, textContent: f.label, selected: f.path === selected })));
  currentFolder = selected;
  wantedFolder = selected;
}

function renderEnvelopes(folder: string, total: number | undefined, page: EnvelopeSummary[], append: boolean, cursor: string | undefined): void {
  currentFolder = folder;
  nextCursor = cursor;
  envelopes = append ? [...envelopes, ...page] : page;
  const body = $('envelopes');
  const rows = envelopes.map((e) => {
    const row = el(
      'tr',
      { tabIndex: -1, className: e.seen ? 'seen' : 'unseen' },
      el('td', { textContent: e.date ? new Date(e.date).toLocaleString() : '' }),
      el('td', { textContent: e.from ?? '' }),
      el('td', { textContent: `${e.hasAttachments ? '📎 ' : ''}${e.subject ?? '(no subject)'}` }),
      el('td', { textContent: e.size === undefined ? '' : formatSize(e.size), className: 'num' })
    );
    row.dataset.id = e.id;
    row.setAttribute('role', 'row');
    row.addEventListener('click', () => open(e.id, row));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') open(e.id, row);
      if (event.key === 'ArrowDown') (row.nextElementSibling as HTMLElement | null)?.focus();
      if (event.key === 'ArrowUp') (row.previousElementSibling as HTMLElement | null)?.focus();
    });
    return row;
  });
  body.replaceChildren(...rows);
  if (rows[0]) rows[0].tabIndex = 0;
  const label = folderLabels.get(folder) ?? folder;
  $('count').textContent = total === undefined ? `${envelopes.length} in ${label}` : `${envelopes.length} of ${total} in ${label}`;
  $<HTMLButtonElement>('more').hidden = nextCursor === undefined;
}

function open(id: string, row: HTMLElement): void {
  for (const r of document.querySelectorAll('#envelopes tr')) r.classList.remove('selected');
  row.classList.add('selected');
  wantedMessage = `${currentFolder}/${id}`;
  post({ type: 'openMessage', folder: currentFolder, id });
}

function renderMessage(message: MessageView): void {
  const pane = $('message');
  const header = (label: string, value?: string) =>
    value ? el('div', { className: 'header' }, el('span', { className: 'label', textContent: `${label}: ` }), value) : '';
  const actions = el('div', { className: 'actions' });
  const button = (text: string, onClick: () => void) => {
    const b = el('button', { textContent: text });
    b.addEventListener('click', onClick);
    actions.append(b);
    return b;
  };
  button('Open as .eml', () => post({ type: 'openAsEml', folder: message.folder, id: message.id, target: 'editor' }));
  button('Save as .eml…', () => post({ type: 'openAsEml', folder: message.folder, id: message.id, target: 'file' }));
  const parts: Array<Node | string> = [
    header('From', message.from),
    header('To', message.to),
    header('Cc', message.cc),
    header('Date', message.date ? new Date(message.date).toLocaleString() : undefined),
    el('h2', { textContent: message.subject ?? '(no subject)' })
  ];
  if (message.attachments.length) {
    parts.push(
      el(
        'ul',
        { className: 'attachments' },
        ...message.attachments.map((a) => el('li', { textContent: `📎 ${a.filename ?? '(unnamed)'} · ${a.contentType} · ${formatSize(a.size)}` }))
      )
    );
  }
  if (message.html !== undefined) {
    const { html, blockedRemote } = sanitizeMailHtml(message.html, message.allowRemote);
    if (blockedRemote > 0 && !message.allowRemote) {
      const notice = el('div', { className: 'notice', textContent: `Remote content blocked (${blockedRemote}). ` });
      const allow = el('button', { textContent: 'Allow remote content for this message' });
      allow.addEventListener('click', () => post({ type: 'allowRemote', folder: message.folder, id: message.id }));
      notice.append(allow);
      parts.push(notice);
    }
    // No allow-scripts, no allow-same-origin: the frame can neither run code nor reach the webview.
    const frame = el('iframe', { className: 'body', title: 'Message body' });
    frame.setAttribute('sandbox', 'allow-popups allow-popups-to-escape-sandbox');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.srcdoc = frameDocument(html, message.allowRemote);
    parts.push(frame);
  } else {
    parts.push(el('pre', { className: 'text', textContent: message.text ?? '' }));
  }
  pane.replaceChildren(actions, ...parts);
  pane.focus();
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'init':
      $('title').textContent = message.title;
      $('mailbox').textContent = message.mailbox;
      break;
    case 'folders':
      renderFolders(message.folders, message.selected);
      break;
    case 'envelopes':
      if (message.folder !== wantedFolder) break;
      renderEnvelopes(message.folder, message.total, message.envelopes, message.append, message.cursor);
      break;
    case 'message':
      if (`${message.message.folder}/${message.message.id}` !== wantedMessage) break;
      renderMessage(message.message);
      break;
    case 'status':
      setStatus(message.text ?? message.state, message.state);
      break;
  }
});

$<HTMLSelectElement>('folders').addEventListener('change', (event) => {
  wantedFolder = (event.target as HTMLSelectElement).value;
  post({ type: 'selectFolder', folder: wantedFolder });
});
$('more').addEventListener('click', () => {
  if (nextCursor === undefined) return;
  // A cursor is spent once: a second click before the page arrives must not ask again.
  const cursor = nextCursor;
  nextCursor = undefined;
  post({ type: 'loadMore', folder: currentFolder, cursor });
});
$('refresh').addEventListener('click', () => post({ type: 'refresh' }));
post({ type: 'ready' });
