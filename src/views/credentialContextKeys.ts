import * as vscode from 'vscode';
import type { CredentialStore } from '../credentials/credentialStore';
import { setWalkthroughKey, WalkthroughKeys } from './walkthrough';

/**
 * Projects the credential store onto the context keys the walkthrough's "Add" and "Authorize"
 * steps complete on: whether any credential exists, and whether any is authorized. Only a change
 * of either value is sent to VS Code.
 */
export class CredentialContextKeys implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private last: { has: boolean; authorized: boolean } | undefined;

  constructor(private readonly store: CredentialStore) {
    this.subscription = store.onDidChange(() => this.update());
    this.update();
  }

  private update(): void {
    const all = this.store.list();
    const has = all.length > 0;
    const authorized = all.some((d) => ['authorized', 'expiring'].includes(this.store.state(d.id)));
    if (this.last?.has !== has) setWalkthroughKey(WalkthroughKeys.hasCredential, has);
    if (this.last?.authorized !== authorized) setWalkthroughKey(WalkthroughKeys.hasAuthorizedCredential, authorized);
    this.last = { has, authorized };
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
