import * as vscode from 'vscode';

/** Shared definition files are found by this name, as **Export credentials** suggests it. */
export const CREDENTIAL_FILE_GLOB = '**/*.m365mail.json';
const EXCLUDE = '**/node_modules/**';
/** A welcome-view link needs to know only whether there is one; a pick lists a handful. */
const MAX_FILES = 20;
const CONTEXT_KEY = 'm365mail.workspaceHasCredentialFiles';

/**
 * Owns whether the open folder holds shared credential definitions (`*.m365mail.json`), as the
 * context key the Credentials welcome view shows its one-click import by. Nothing is searched at
 * activation: the first search runs when the Credentials view is first shown, and a file watcher
 * keeps the key current after that.
 */
export class WorkspaceCredentialFiles implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private watching = false;

  /** Starts looking once the view is visible (now, if it already is). */
  watchWhenVisible(view: vscode.TreeView<unknown>): void {
    if (view.visible) this.start();
    else this.disposables.push(view.onDidChangeVisibility((e) => e.visible && this.start()));
  }

  /** The definition files in the workspace, nearest first. */
  async find(): Promise<vscode.Uri[]> {
    if (!vscode.workspace.workspaceFolders?.length) return [];
    const files = await vscode.workspace.findFiles(CREDENTIAL_FILE_GLOB, EXCLUDE, MAX_FILES);
    return files.sort((a, b) => a.path.split('/').length - b.path.split('/').length || a.path.localeCompare(b.path));
  }

  private start(): void {
    if (this.watching) return;
    this.watching = true;
    const watcher = vscode.workspace.createFileSystemWatcher(CREDENTIAL_FILE_GLOB, false, true, false);
    const update = () => void this.update();
    this.disposables.push(watcher, watcher.onDidCreate(update), watcher.onDidDelete(update), vscode.workspace.onDidChangeWorkspaceFolders(update));
    update();
  }

  private async update(): Promise<void> {
    const files = await this.find();
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, files.length > 0);
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
