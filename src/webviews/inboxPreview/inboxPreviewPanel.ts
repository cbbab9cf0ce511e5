import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { M365MailError, userMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { SecretRedactor } from '../../core/redact';
import type { MailboxReader, PageContinuation } from '../../core/mailboxReader';
import { mailboxOf, type CredentialDefinition } from '../../core/model';
import { webviewHtml } from '../webviewHtml';
import { mailboxReaderFor, type MailboxReaderDeps } from './mailboxReaders';
import { PAGE_SIZE, parseWebviewMessage, type HostMessage, type WebviewMessage } from './protocol';

export interface InboxPreviewDeps extends MailboxReaderDeps {
  extensionUri: vscode.Uri;
  logger: Logger;
  /** The page shows a failure's words (a server's among them) only once they have passed it. */
  redactor: SecretRedactor;
  /** Called after a folder's first page reached the page: the mailbox was really read. */
  onListed?: () => void;
}

/** How long the page may take to report `ready` before the user is told that it is still waiting. */
const START_TIMEOUT_MS = 20_000;

/** Largest message the preview will download and render. */
const MAX_PREVIEW_BYTES = 25 * 1024 * 1024;

/**
 * "Preview inbox folder": a webview panel per credential showing folders, the newest envelopes
 * page by page, and one message. It reads through a {@link MailboxReader} (IMAP or Microsoft Graph,
 * by the credential's reading transport), made on first use, with tokens from the one token broker.
 */
export class InboxPreviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, InboxPreviewPanel>();
  private reader: MailboxReader | undefined;
  private readonly remoteAllowed = new Set<string>();
  /** The folder paths last sent to the page; a message naming another is refused. */
  private listedFolders: ReadonlySet<string> | undefined;
  /** The message IDs sent per folder; a message naming another is refused. */
  private readonly listedMessages = new Map<string, Set<string>>();
  /** Page cursors sent and not yet spent, with where each continues (kept here, never in the page). */
  private readonly cursors = new Map<string, { folder: string; next: PageContinuation }>();
  private folderLabels = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly html: string;
  private started = false;
  private startedAt = 0;
  private wasVisible = true;
  private startTimer: ReturnType<typeof setTimeout> | undefined;

  static show(def: CredentialDefinition, deps: InboxPreviewDeps, column: vscode.ViewColumn = vscode.ViewColumn.Active): InboxPreviewPanel {
    const existing = InboxPreviewPanel.open.get(def.id);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const bundleRoot = vscode.Uri.joinPath(deps.extensionUri, 'dist', 'webviews');
    const panel = vscode.window.createWebviewPanel('m365mail.inboxPreview', vscode.l10n.t('Inbox: {0}', def.name), column, {
      enableScripts: true,
      localResourceRoots: [bundleRoot],
      retainContextWhenHidden: false
    });
    const preview = new InboxPreviewPanel(panel, def, deps, bundleRoot);
    InboxPreviewPanel.open.set(def.id, preview);
    return preview;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly def: CredentialDefinition,
    private readonly deps: InboxPreviewDeps,
    bundleRoot: vscode.Uri
  ) {
    panel.iconPath = vscode.Uri.joinPath(deps.extensionUri, 'media', 'm365-mail.svg');
    this.html = webviewHtml(
      panel.webview,
      bundleRoot,
      'inboxPreview',
      // The page builds its own markup, in the display language (app/main.ts).
      '',
      // The message frame is an about:srcdoc document, which inherits this policy and adds its own
      // (frameDocument in app/sanitize.ts). So this one must let through what a mail may use once
      // sanitized: inline styles (mail HTML is styled inline; scripts still need the nonce) and
      // remote images, which the frame's own policy blocks until the user allows them.
      { imgSrc: 'https:', frameSrc: "'self'", styleSrc: "'unsafe-inline'" }
    );
    this.render();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((value: unknown) => this.receive(value)),
      // A hidden panel's content is discarded (no retainContextWhenHidden) and starts again when shown.
      panel.onDidChangeViewState(() => {
        if (panel.visible && !this.wasVisible) this.watchStart();
        this.wasVisible = panel.visible;
      }),
      { dispose: () => clearTimeout(this.startTimer) }
    );
  }

  /**
   * Sets the content and notes how long the page takes to say `ready` (logged). VS Code's webview
   * host creates the page's frame only once its service worker's update check is done; if that
   * takes longer than START_TIMEOUT_MS the user is told once what is going on and what helps,
   * and the panel keeps waiting (a new panel would wait on the same check).
   */
  private render(): void {
    this.panel.webview.html = this.html;
    this.watchStart();
  }

  private watchStart(): void {
    clearTimeout(this.startTimer);
    this.started = false;
    this.startedAt = performance.now();
    this.startTimer = setTimeout(() => {
      if (this.started || !this.panel.visible) return;
      this.deps.logger.warn(
        `[preview] the inbox preview of ${this.def.id} has not started after ${START_TIMEOUT_MS} ms; still waiting for VS Code's webview host`
      );
      void vscode.window.showWarningMessage(
        vscode.l10n.t('The inbox preview is still waiting for VS Code to prepare its page. If it stays blank, reload the window (Developer: Reload Window).')
      );
    }, START_TIMEOUT_MS);
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private mailbox(): MailboxReader {
    this.reader ??= mailboxReaderFor(this.def, this.deps, {
      onReconnecting: () => this.post({ type: 'status', state: 'reconnecting', text: vscode.l10n.t('Connection dropped; reconnecting…') })
    });
    return this.reader;
  }

  /** The page renders hostile mail: what it posts is checked before anything reaches IMAP. */
  private receive(value: unknown): void {
    const parsed = parseWebviewMessage(value, {
      // No reader yet means nothing listed yet, so every message ID is refused whatever its shape.
      idKind: this.reader?.idKind ?? 'imapUid',
      folders: this.listedFolders,
      messages: this.listedMessages,
      cursors: new Set(this.cursors.keys())
    });
    if ('problem' in parsed) {
      this.deps.logger.warn(`[preview] ignored a message from the inbox preview of ${this.def.id}: ${parsed.problem}`);
      return;
    }
    void this.handle(parsed.message);
  }

  private async handle(message: WebviewMessage): Promise<void> {
    try {
      switch (message.type) {
        case 'ready':
        case 'refresh': {
          if (message.type === 'ready') {
            this.started = true;
            clearTimeout(this.startTimer);
            this.deps.logger.info(`[preview] the inbox preview of ${this.def.id} started in ${Math.round(performance.now() - this.startedAt)} ms`);
          }
          this.post({ type: 'init', title: this.def.name, mailbox: mailboxOf(this.def) });
          const reader = this.mailbox();
          this.post({ type: 'status', state: 'loading', text: vscode.l10n.t('Connecting to {0}…', reader.server) });
          const { folders, inbox } = await reader.folders();
          this.listedFolders = new Set([inbox, ...folders.map((f) => f.path)]);
          this.folderLabels = new Map(folders.map((f) => [f.path, f.label]));
          // The page keeps showing the rows it has until the new first page replaces them (loadPage
          // starts a folder's listing again then), and a user may click one meanwhile: its ID stays
          // valid. Only what a folder no longer listed held is dropped.
          for (const folder of this.listedMessages.keys()) if (!this.listedFolders.has(folder)) this.listedMessages.delete(folder);
          for (const [key, cursor] of this.cursors) if (!this.listedFolders.has(cursor.folder)) this.cursors.delete(key);
          this.post({ type: 'folders', folders, selected: inbox });
          await this.loadPage(inbox);
          break;
        }
        case 'selectFolder':
          await this.loadPage(message.folder);
          break;
        case 'loadMore': {
          const cursor = this.cursors.get(message.cursor);
          this.cursors.delete(message.cursor);
          if (cursor?.folder !== message.folder) {
            this.deps.logger.warn(`[preview] ignored a page cursor of another folder from the inbox preview of ${this.def.id}`);
            break;
          }
          await this.loadPage(message.folder, cursor.next);
          break;
        }
        case 'openMessage':
          await this.openMessage(message.folder, message.id);
          break;
        case 'allowRemote':
          this.remoteAllowed.add(`${message.folder}/${message.id}`);
          await this.openMessage(message.folder, message.id);
          break;
        case 'openAsEml':
          await this.openAsEml(message.folder, message.id, message.target);
          break;
      }
    } catch (error) {
      const text = error instanceof M365MailError ? userMessage(error, this.deps.redactor) : this.deps.redactor.redact(String(error));
      this.deps.logger.error(`inbox preview: ${text}`);
      this.post({ type: 'status', state: 'error', text });
    }
  }

  private async loadPage(folder: string, after?: PageContinuation): Promise<void> {
    this.post({ type: 'status', state: 'loading', text: vscode.l10n.t('Loading {0}…', this.folderLabel(folder)) });
    const started = performance.now();
    const page = await this.mailbox().page(folder, PAGE_SIZE, after);
    if (!after) {
      // A first page starts the folder's listing again: older cursors of the folder are void.
      this.listedMessages.set(folder, new Set());
      for (const [key, cursor] of this.cursors) if (cursor.folder === folder) this.cursors.delete(key);
    }
    const listed = this.listedMessages.get(folder) ?? new Set<string>();
    for (const envelope of page.envelopes) listed.add(envelope.id);
    this.listedMessages.set(folder, listed);
    let cursor: string | undefined;
    if (page.next) {
      cursor = randomUUID();
      this.cursors.set(cursor, { folder, next: page.next });
    }
    this.post({ type: 'envelopes', folder, total: page.total, envelopes: page.envelopes, append: after !== undefined, cursor });
    if (!after) this.deps.onListed?.();
    const ms = Math.round(performance.now() - started);
    this.post({
      type: 'status',
      state: 'ready',
      text: page.total === undefined ? vscode.l10n.t('page in {0} ms', ms) : vscode.l10n.t('{0} messages · page in {1} ms', page.total, ms)
    });
  }

  private folderLabel(folder: string): string {
    return this.folderLabels.get(folder) ?? folder;
  }

  private async openMessage(folder: string, id: string): Promise<void> {
    const opened = await this.mailbox().message(folder, id, MAX_PREVIEW_BYTES);
    this.post({ type: 'message', message: { folder, id, ...opened, allowRemote: this.remoteAllowed.has(`${folder}/${id}`) } });
  }

  private async openAsEml(folder: string, id: string, target: 'editor' | 'file'): Promise<void> {
    const source = await this.mailbox().source(folder, id, MAX_PREVIEW_BYTES);
    if (target === 'editor') {
      const doc = await vscode.workspace.openTextDocument({ language: 'eml', content: source.toString('utf8') });
      await vscode.window.showTextDocument(doc);
      return;
    }
    const uri = await vscode.window.showSaveDialog({ filters: { [vscode.l10n.t('E-mail message')]: ['eml'] }, saveLabel: vscode.l10n.t('Save message') });
    if (!uri) return;
    // Bytes as received: a saved message sends back byte-identical.
    await vscode.workspace.fs.writeFile(uri, source);
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}.', uri.fsPath));
  }

  dispose(): void {
    InboxPreviewPanel.open.delete(this.def.id);
    void this.reader?.close();
    this.reader = undefined;
    vscode.Disposable.from(...this.disposables).dispose();
    this.panel.dispose();
  }
}
