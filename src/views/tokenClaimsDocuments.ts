import * as vscode from 'vscode';
import type { CredentialDefinition } from '../credentials/model';

/**
 * Read-only documents (`m365mail-claims:` scheme) that show the decoded claims of a credential's
 * access token. Read-only so nothing invites saving them, and they never hold the token itself.
 */
export class TokenClaimsDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  static readonly scheme = 'm365mail-claims';
  private readonly contents = new Map<string, string>();
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(TokenClaimsDocuments.scheme, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.path) ?? '';
  }

  async show(def: CredentialDefinition, json: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: TokenClaimsDocuments.scheme, path: `/${def.id}/token-claims.json` });
    this.contents.set(uri.path, json);
    this.changeEmitter.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'json');
    await vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    this.registration.dispose();
    this.changeEmitter.dispose();
    this.contents.clear();
  }
}
