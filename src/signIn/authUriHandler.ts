import * as vscode from 'vscode';
import { CancelledError } from '../core/errors';

/**
 * Receives `<uriScheme>://m365mail.m365-mail/callback?code=…&state=…` when a credential's redirect
 * URI is the extension's own (desktop: the OS hands vscode:// links to VS Code; web and remote
 * hosts: `env.asExternalUri` turns it into an https URL the workbench forwards). Each waiting
 * sign-in is matched by its `state`; callbacks without a waiter are ignored.
 */
export class AuthUriHandler implements vscode.UriHandler, vscode.Disposable {
  static readonly CALLBACK_PATH = '/callback';
  private readonly waiters = new Map<string, (url: string) => void>();
  private readonly registration: vscode.Disposable;

  constructor() {
    this.registration = vscode.window.registerUriHandler(this);
  }

  /** The extension's callback URI in this host, before `asExternalUri`. */
  static callbackUri(): vscode.Uri {
    return vscode.Uri.parse(`${vscode.env.uriScheme}://m365mail.m365-mail${AuthUriHandler.CALLBACK_PATH}`);
  }

  handleUri(uri: vscode.Uri): void {
    if (uri.path !== AuthUriHandler.CALLBACK_PATH) return;
    const state = new URLSearchParams(uri.query).get('state');
    const waiter = state ? this.waiters.get(state) : undefined;
    if (waiter) {
      this.waiters.delete(state as string);
      waiter(`${AuthUriHandler.callbackUri().toString(true)}?${uri.query}`);
    }
  }

  waitForCallback(state: string, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiters.set(state, resolve);
      signal.addEventListener(
        'abort',
        () => {
          this.waiters.delete(state);
          reject(new CancelledError());
        },
        { once: true }
      );
    });
  }

  dispose(): void {
    this.waiters.clear();
    this.registration.dispose();
  }
}
