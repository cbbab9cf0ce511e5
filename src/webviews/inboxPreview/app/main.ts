/**
 * The inbox preview webview: folders, a page of the newest envelopes, and one message at a time.
 * Talks to the extension only through the typed protocol (../protocol.ts). Keyboard: Tab moves
 * between folder list, message list and message; arrows move within a list; Enter opens.
 */
import { formatSize } from '../../../core/format';
import type { EnvelopeSummary, MessageView } from '../../../core/messageView';
import type { HostMessage, WebviewMessage } from '../protocol';
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
let firstSeq = 1;
let envelopes: EnvelopeSummary[] = [];

function setStatus(text: string, state: string): void {
  const status = $('status');
  status.textContent = text;
  status.dataset.state = state;
}

function renderFolders(folders: Array<{ path: string; name: string; specialUse?: string }>, selected: string): void {
  const list = $<HTMLSelectElement>('folders');
  list.replaceChildren(...folders.map((f) => el('option', { value: f.path, textContent: f.path, selected: f.path === selected })));
  currentFolder = selected;
}

function renderEnvelopes(folder: string, total: number, pageFirstSeq: number, page: EnvelopeSummary[], append: boolean): void {
  currentFolder = folder;
  firstSeq = pageFirstSeq;
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
    row.dataset.uid = String(e.uid);
    row.setAttribute('role', 'row');
    row.addEventListener('click', () => open(e.uid, row));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') open(e.uid, row);
      if (event.key === 'ArrowDown') (row.nextElementSibling as HTMLElement | null)?.focus();
      if (event.key === 'ArrowUp') (row.previousElementSibling as HTMLElement | null)?.focus();
    });
    return row;
  });
  body.replaceChildren(...rows);
  if (rows[0]) rows[0].tabIndex = 0;
  $('count').textContent = `${envelopes.length} of ${total} in ${folder}`;
  $<HTMLButtonElement>('more').hidden = firstSeq <= 1;
}

function open(uid: number, row: HTMLElement): void {
  for (const r of document.querySelectorAll('#envelopes tr')) r.classList.remove('selected');
  row.classList.add('selected');
  post({ type: 'openMessage', folder: currentFolder, uid });
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
  button('Open as .eml', () => post({ type: 'openAsEml', folder: message.folder, uid: message.uid, target: 'editor' }));
  button('Save as .eml…', () => post({ type: 'openAsEml', folder: message.folder, uid: message.uid, target: 'file' }));
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
      allow.addEventListener('click', () => post({ type: 'allowRemote', folder: message.folder, uid: message.uid }));
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
      renderEnvelopes(message.folder, message.total, message.firstSeq, message.envelopes, message.append);
      break;
    case 'message':
      renderMessage(message.message);
      break;
    case 'status':
      setStatus(message.text ?? message.state, message.state);
      break;
  }
});

$<HTMLSelectElement>('folders').addEventListener('change', (event) => post({ type: 'selectFolder', folder: (event.target as HTMLSelectElement).value }));
$('more').addEventListener('click', () => post({ type: 'loadMore', folder: currentFolder, beforeSeq: firstSeq - 1 }));
$('refresh').addEventListener('click', () => post({ type: 'refresh' }));
post({ type: 'ready' });
