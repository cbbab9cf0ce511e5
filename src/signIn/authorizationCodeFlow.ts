import * as vscode from 'vscode';
import type { AuthService } from '../auth/index';
import { startLoopbackServer } from './loopbackServer';
import { CancelledError, M365MailError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { CredentialDefinition, CredentialStatus } from '../core/model';
import { isLoopbackHost } from '../core/validation';
import type { AuthUriHandler } from './authUriHandler';

export interface SignInDeps {
  auth: Pick<AuthService, 'beginAuthorizationCode'>;
  uriHandler: AuthUriHandler;
  logger: Logger;
  timeoutMs: number;
}

/**
 * Authorization code with PKCE and state, as a browser hand-off: the authorization URL opens with
 * `env.openExternal`, and the callback comes back to a single-use loopback listener on 127.0.0.1 and ::1
 * (the registered redirect URI is http://localhost or http://127.0.0.1: RFC 8252 loopback, any
 * port), or to the extension's URI handler (any other redirect URI), or, where the browser cannot
 * reach either, as the address the user pastes. The wait races a timeout and the progress
 * notification's Cancel button.
 */
export async function runAuthorizationCodeFlow(deps: SignInDeps, def: CredentialDefinition): Promise<CredentialStatus> {
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Signing in "{0}": complete the sign-in in your browser…', def.name),
      cancellable: true
    },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => abort.abort());
      const timer = setTimeout(
        () =>
          abort.abort(
            new M365MailError('timeout', vscode.l10n.t('The sign-in was not completed within {0} minutes.', Math.round(deps.timeoutMs / 60_000)), {
              nextStep: vscode.l10n.t(
                'Run "Authorize credential" again and finish the sign-in in the browser; use the device code grant where the browser cannot reach VS Code.'
              )
            })
          ),
        deps.timeoutMs
      );
      const registered = new URL(def.redirectUri);
      const useLoopback = registered.protocol === 'http:' && isLoopbackHost(registered.hostname);
      const loopback = useLoopback
        ? await startLoopbackServer({
            path: registered.pathname,
            timeoutMs: deps.timeoutMs,
            signal: abort.signal,
            onRefused: () => deps.logger.warn(`authorization code sign-in for ${def.id}: a callback with another state reached the loopback listener; ignored`)
          })
        : undefined;
      try {
        let redirectUri: string;
        let browserMayNotReachUs = false;
        if (loopback) {
          const local = new URL(registered.toString());
          local.port = String(loopback.port);
          // Remote-SSH forwards the port and answers a loopback URI (maybe another port: fine for
          // loopback redirects). Web hosts answer a proxy URL (code-server's /proxy/PORT/ or
          // PORT.localhost) the app does not have registered, so keep the local one and offer the
          // paste fallback in case the browser runs elsewhere.
          const external = await vscode.env.asExternalUri(vscode.Uri.parse(local.toString()));
          const externalUrl = new URL(external.toString(true));
          // Entra matches a loopback redirect on scheme, host and path, ignoring only the port: a
          // forwarded URI is usable only if it differs in its port alone.
          if (externalUrl.protocol === 'http:' && isLoopbackHost(externalUrl.hostname) && externalUrl.pathname === local.pathname && !externalUrl.search) {
            redirectUri = externalUrl.toString();
          } else {
            redirectUri = local.toString();
            browserMayNotReachUs = true;
          }
        } else {
          redirectUri = def.redirectUri;
        }
        const request = await deps.auth.beginAuthorizationCode(def, redirectUri);
        loopback?.expectState(request.state);
        deps.logger.info(`authorization code sign-in for ${def.id}: redirect ${redirectUri}, ${loopback ? `loopback port ${loopback.port}` : 'URI handler'}`);

        const aborted = new Promise<never>((_, reject) => {
          const fail = () => reject(abort.signal.reason instanceof M365MailError ? abort.signal.reason : new CancelledError());
          if (abort.signal.aborted) fail();
          abort.signal.addEventListener('abort', fail, { once: true });
        });
        const callbacks: Array<Promise<string>> = [deps.uriHandler.waitForCallback(request.state, abort.signal), aborted];
        if (loopback) callbacks.push(loopback.waitForCallback());

        const opened = await vscode.env.openExternal(vscode.Uri.parse(request.url, true));
        if (!opened || browserMayNotReachUs) callbacks.push(pasteFallback(abort.signal, opened));
        const callbackUrl = await Promise.race(callbacks);
        return await request.complete(callbackUrl);
      } finally {
        clearTimeout(timer);
        cancelled.dispose();
        loopback?.close();
        if (!abort.signal.aborted) abort.abort();
      }
    }
  );
}

async function pasteFallback(signal: AbortSignal, opened: boolean): Promise<string> {
  const paste = vscode.l10n.t('Paste redirect URL…');
  const message = opened
    ? vscode.l10n.t('If the browser cannot reach VS Code after you sign in (a "site can\'t be reached" page), copy the address it shows and paste it here.')
    : vscode.l10n.t('The browser could not be opened. Open the sign-in page yourself, then paste the address the browser ends on.');
  const choice = await vscode.window.showInformationMessage(message, paste);
  if (choice !== paste || signal.aborted) return new Promise<string>(() => undefined);
  const url = await vscode.window.showInputBox({
    title: vscode.l10n.t('Paste the redirect URL'),
    prompt: vscode.l10n.t('The full address from the browser, with ?code=…&state=…'),
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const params = new URL(value.trim()).searchParams;
        return params.has('state') && (params.has('code') || params.has('error'))
          ? undefined
          : vscode.l10n.t('The address must contain code= (or error=) and state=.');
      } catch {
        return vscode.l10n.t('Paste the whole address, starting with http.');
      }
    }
  });
  if (!url) return new Promise<string>(() => undefined);
  return url.trim();
}
