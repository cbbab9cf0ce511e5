import * as vscode from 'vscode';

/**
 * The "Credentials" view. While there are no credentials it returns no children, and VS Code shows
 * the view's welcome content (package.json `viewsWelcome`) with the "Add credential" button.
 */
export class CredentialsTreeProvider implements vscode.TreeDataProvider<vscode.TreeItem>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.TreeItem | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;

  getTreeItem(element: vscode.TreeItem): vscode.TreeItem {
    return element;
  }

  getChildren(): vscode.TreeItem[] {
    return [];
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}
