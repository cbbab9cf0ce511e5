import * as vscode from 'vscode';
import { M365MailError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { loadChunk } from '../../common/lazyChunk';
import { mailboxOf, type CredentialDefinition } from '../../core/model';
import { toMailServer, type TokenDestination } from '../../core/tokenDestinations';
import type { ImapSession } from '../../mail/imap/imapSession';
import { webviewHtml } from '../webviewHtml';
import { PAGE_SIZE, parseWebviewMessage, type HostMessage, type WebviewMessage } from './protocol';

export interface InboxPreviewDeps {
  extensionUri: vscode.Uri;
  /** A token for the credential, handed to `destination` (the preview's IMAP server). */
  getAccessToken: (credentialId: string, destination: TokenDestination) => Promise<{ accessToken: string }>;
  trustedCaCertificates: () => string[];
  logger: Logger;
}

/** How long the page may take to report `ready` before the user is told that it is still waiting. */
const START_TIMEOUT_MS = 20_000;

/** Largest message the preview will download and render. */
const MAX_PREVIEW_BYTES = 25 * 1024 * 1024;

/**
 * "Preview inbox folder": a webview panel per credential showing folders, the newest envelopes
 * page by page, and one message. The IMAP session is opened on demand with a token from the one
 * token broker, and reopened once if it dropped.
 */
export class InboxPreviewPanel implements vscode.Disposable {
  private static readonly open = new Map<string, InboxPreviewPanel>();
  private session: ImapSession | undefined;
  private readonly remoteAllowed = new Set<string>();
  /** The folder paths last sent to the page; a message naming another is refused. */
  private listedFolders: ReadonlySet<string> | undefined;
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
      `<header><h1 id="title"></h1><span id="mailbox"></span><label for="folders" class="visually-hidden">Folder</label><select id="folders" aria-label="Folder"></select><button id="refresh" title="Refresh">Refresh</button><span id="status" role="status" aria-live="polite"></span></header>
<main><section class="list" aria-label="Messages"><table><thead><tr><th>Date</th><th>From</th><th>Subject</th><th>Size</th></tr></thead><tbody id="envelopes"></tbody></table><div><span id="count"></span> <button id="more" hidden>Older messages</button></div></section>
<section id="message" tabindex="-1" aria-label="Message"></section></main>`,
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

  private async imap(): Promise<ImapSession> {
    if (this.session?.usable) return this.session;
    // A dropped session is closed for good (imapflow does not reconnect); a new one replaces it.
    void this.session?.close();
    this.session = undefined;
    const { ImapSession } = loadChunk('imap');
    const token = await this.deps.getAccessToken(this.def.id, toMailServer(this.def.imap));
    this.session = await ImapSession.open({
      host: this.def.imap.host,
      port: this.def.imap.port,
      user: mailboxOf(this.def),
      accessToken: token.accessToken,
      extraCaCertificates: this.deps.trustedCaCertificates(),
      logger: this.deps.logger
    });
    return this.session;
  }

  /** Runs an IMAP operation; if the connection dropped, reconnects once and tries again (reads only, so repeating is safe). */
  private async withImap<T>(operation: (session: ImapSession) => Promise<T>): Promise<T> {
    try {
      return await operation(await this.imap());
    } catch (error) {
      if (error instanceof M365MailError && error.code.startsWith('network.') && this.session && !this.session.usable) {
        this.post({ type: 'status', state: 'reconnecting', text: vscode.l10n.t('Connection dropped; reconnecting…') });
        this.deps.logger.warn(`[imap] connection to ${this.def.imap.host} dropped; reconnecting once`);
        this.session = undefined;
        return operation(await this.imap());
      }
      throw error;
    }
  }

  /** The page renders hostile mail: what it posts is checked before anything reaches IMAP. */
  private receive(value: unknown): void {
    const parsed = parseWebviewMessage(value, this.listedFolders);
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
          this.post({ type: 'status', state: 'loading', text: vscode.l10n.t('Connecting to {0}…', this.def.imap.host) });
          const folders = await this.withImap((s) => s.folders());
          this.listedFolders = new Set(['INBOX', ...folders.map((f) => f.path)]);
          this.post({ type: 'folders', folders, selected: 'INBOX' });
          await this.loadPage('INBOX');
          break;
        }
        case 'selectFolder':
          await this.loadPage(message.folder);
          break;
        case 'loadMore':
          await this.loadPage(message.folder, message.beforeSeq);
          break;
        case 'openMessage':
          await this.openMessage(message.folder, message.uid);
          break;
        case 'allowRemote':
          this.remoteAllowed.add(`${message.folder}/${message.uid}`);
          await this.openMessage(message.folder, message.uid);
          break;
        case 'openAsEml':
          await this.openAsEml(message.folder, message.uid, message.target);
          break;
      }
    } catch (error) {
      const text = error instanceof M365MailError ? `${error.message}${error.options.nextStep ? ` ${error.options.nextStep}` : ''}` : String(error);
      this.deps.logger.error(`inbox preview: ${text}`);
      this.post({ type: 'status', state: 'error', text });
    }
  }

  private async loadPage(folder: string, endSeq?: number): Promise<void> {
    this.post({ type: 'status', state: 'loading', text: vscode.l10n.t('Loading {0}…', folder) });
    const started = performance.now();
    const page = await this.withImap((s) => s.envelopes(folder, PAGE_SIZE, endSeq));
    this.post({ type: 'envelopes', folder, total: page.total, firstSeq: page.firstSeq, envelopes: page.envelopes, append: endSeq !== undefined });
    this.post({ type: 'status', state: 'ready', text: vscode.l10n.t('{0} messages · page in {1} ms', page.total, Math.round(performance.now() - started)) });
  }

  private async openMessage(folder: string, uid: number): Promise<void> {
    const source = await this.withImap((s) => s.source(folder, uid, MAX_PREVIEW_BYTES));
    const parsed = await loadChunk('imap').parseForPreview(source);
    this.post({ type: 'message', message: { folder, uid, ...parsed, allowRemote: this.remoteAllowed.has(`${folder}/${uid}`) } });
  }

  private async openAsEml(folder: string, uid: number, target: 'editor' | 'file'): Promise<void> {
    const source = await this.withImap((s) => s.source(folder, uid, MAX_PREVIEW_BYTES));
    if (target === 'editor') {
      const doc = await vscode.workspace.openTextDocument({ language: 'eml', content: source.toString('utf8') });
      await vscode.window.showTextDocument(doc);
      return;
    }
    const uri = await vscode.window.showSaveDialog({ filters: { 'E-mail message': ['eml'] }, saveLabel: vscode.l10n.t('Save message') });
    if (!uri) return;
    // Bytes as received: a saved message sends back byte-identical.
    await vscode.workspace.fs.writeFile(uri, source);
    void vscode.window.showInformationMessage(vscode.l10n.t('Saved {0}.', uri.fsPath));
  }

  dispose(): void {
    InboxPreviewPanel.open.delete(this.def.id);
    void this.session?.close();
    this.session = undefined;
    vscode.Disposable.from(...this.disposables).dispose();
    this.panel.dispose();
  }
}
