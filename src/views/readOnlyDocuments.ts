import * as vscode from 'vscode';

/**
 * Read-only virtual documents under one URI scheme: the decoded claims of an access token
 * (`m365mail-claims:`) and the connection reports (`m365mail-report:`). Read-only and virtual on
 * purpose: nothing invites editing or saving them, closing one never asks to save, and nothing lands
 * on disk. A document is replaced by the next one at the same path, and an open editor or preview
 * follows. They never hold a token or a secret.
 */
export class ReadOnlyDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly registration: vscode.Disposable;

  constructor(readonly scheme: string) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(scheme, this);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  /** Sets the text of the document at `path` (starting with `/`) and returns its URI. */
  set(path: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: this.scheme, path });
    this.contents.set(uri.path, text);
    this.changeEmitter.fire(uri);
    return uri;
  }

  dispose(): void {
    this.registration.dispose();
    this.changeEmitter.dispose();
    this.contents.clear();
  }
}
