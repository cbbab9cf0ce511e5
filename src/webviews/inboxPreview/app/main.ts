/**
 * The inbox preview webview: folders, a page of the newest envelopes, and one message at a time.
 * Talks to the extension only through the typed protocol (../protocol.ts). Keyboard: Tab moves
 * between folder list, message list and message; arrows move within a list; Enter opens.
 */
import * as l10n from '@vscode/l10n';
import { formatDateTime, formatSize } from '../../../core/format';
import { useDisplayLanguage, type DisplayLanguage } from '../../../core/localization';
import type { EnvelopeSummary, MessageView } from '../../../core/messageView';
import type { FolderItem, HostMessage, WebviewMessage } from '../protocol';
import { frameDocument, sanitizeMailHtml } from './sanitize';
import './styles.css';

declare function acquireVsCodeApi(): { postMessage(message: WebviewMessage): void; setState(state: unknown): void; getState(): unknown };

// Before anything is rendered: this bundle's own copy of @vscode/l10n starts without a bundle, and
// the panel hands it VS Code's display language in a data block of the page (webviewHtml.ts).
useDisplayLanguage(JSON.parse(document.getElementById('display-language')?.textContent ?? '{"language":"en"}') as DisplayLanguage);

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const el = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Partial<HTMLElementTagNameMap[K]> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] => {
  const node: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};

/** The page's fixed parts, in the display language; the ids are what the code below and the tests address. */
function renderShell(): void {
  const folders = el('select', { id: 'folders' });
  folders.setAttribute('aria-label', l10n.t('Folder'));
  const header = el(
    'header',
    {},
    el('h1', { id: 'title' }),
    el('span', { id: 'mailbox' }),
    el('label', { htmlFor: 'folders', className: 'visually-hidden', textContent: l10n.t('Folder') }),
    folders,
    el('button', { id: 'refresh', title: l10n.t('Refresh'), textContent: l10n.t('Refresh') }),
    el('span', { id: 'status', role: 'status' })
  );
  const columns = [l10n.t('Date'), l10n.t('From'), l10n.t('Subject'), l10n.t('Size')];
  const list = el(
    'section',
    { className: 'list' },
    el('table', {}, el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', { textContent: c })))), el('tbody', { id: 'envelopes' })),
    el('div', {}, el('span', { id: 'count' }), ' ', el('button', { id: 'more', hidden: true, textContent: l10n.t('Older messages') }))
  );
  list.setAttribute('aria-label', l10n.t('Messages'));
  const message = el('section', { id: 'message', tabIndex: -1 });
  message.setAttribute('aria-label', l10n.t('Message'));
  document.body.prepend(header, el('main', {}, list, message));
  $('status').setAttribute('aria-live', 'polite');
}

/** What the status line says of a state when the extension sent no words of its own. */
const STATE_LABELS: Record<string, () => string> = {
  loading: () => l10n.t('Loading…'),
  ready: () => l10n.t('Ready'),
  reconnecting: () => l10n.t('Reconnecting…'),
  error: () => l10n.t('Failed')
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
      el('td', { textContent: e.date ? formatDateTime(e.date) : '' }),
      el('td', { textContent: e.from ?? '' }),
      el('td', { textContent: `${e.hasAttachments ? '📎 ' : ''}${e.subject ?? l10n.t('(no subject)')}` }),
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
  $('count').textContent = total === undefined ? l10n.t('{0} in {1}', envelopes.length, label) : l10n.t('{0} of {1} in {2}', envelopes.length, total, label);
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
  button(l10n.t('Open as .eml'), () => post({ type: 'openAsEml', folder: message.folder, id: message.id, target: 'editor' }));
  button(l10n.t('Save as .eml…'), () => post({ type: 'openAsEml', folder: message.folder, id: message.id, target: 'file' }));
  const parts: Array<Node | string> = [
    header(l10n.t('From'), message.from),
    header(l10n.t('To'), message.to),
    header(l10n.t('Cc'), message.cc),
    header(l10n.t('Date'), message.date ? formatDateTime(message.date) : undefined),
    el('h2', { textContent: message.subject ?? l10n.t('(no subject)') })
  ];
  if (message.attachments.length) {
    parts.push(
      el(
        'ul',
        { className: 'attachments' },
        ...message.attachments.map((a) => el('li', { textContent: `📎 ${a.filename ?? l10n.t('(unnamed)')} · ${a.contentType} · ${formatSize(a.size)}` }))
      )
    );
  }
  if (message.html !== undefined) {
    const { html, blockedRemote } = sanitizeMailHtml(message.html, message.allowRemote);
    if (blockedRemote > 0 && !message.allowRemote) {
      const notice = el('div', { className: 'notice', textContent: `${l10n.t('Remote content blocked ({0}).', blockedRemote)} ` });
      const allow = el('button', { textContent: l10n.t('Allow remote content for this message') });
      allow.addEventListener('click', () => post({ type: 'allowRemote', folder: message.folder, id: message.id }));
      notice.append(allow);
      parts.push(notice);
    }
    // No allow-scripts, no allow-same-origin: the frame can neither run code nor reach the webview.
    const frame = el('iframe', { className: 'body', title: l10n.t('Message body') });
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
      setStatus(message.text ?? STATE_LABELS[message.state]?.() ?? '', message.state);
      break;
  }
});

renderShell();
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
