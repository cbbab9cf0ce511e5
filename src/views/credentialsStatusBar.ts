import * as vscode from 'vscode';
import type { CredentialStore } from '../credentials/credentialStore';

/** A status bar item that appears only while some credential needs attention (expiring, expired, failed). */
export class CredentialsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('m365mail.attention', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: CredentialStore) {
    this.item.name = vscode.l10n.t('M365 Mail credentials');
    this.item.command = 'm365mail.credentials.focus';
    this.subscription = store.onDidChange(() => this.update());
    this.update();
  }

  update(): void {
    const attention = this.store.list().filter((d) => ['expiring', 'expired', 'failed'].includes(this.store.state(d.id)));
    if (attention.length === 0) {
      this.item.hide();
      return;
    }
    const broken = attention.some((d) => this.store.state(d.id) !== 'expiring');
    this.item.text = `$(${broken ? 'error' : 'warning'}) ${vscode.l10n.t('M365 Mail: {0}', attention.length)}`;
    this.item.tooltip = vscode.l10n.t('Credentials that need attention: {0}', attention.map((d) => `${d.name} (${this.store.state(d.id)})`).join(', '));
    this.item.backgroundColor = new vscode.ThemeColor(broken ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
