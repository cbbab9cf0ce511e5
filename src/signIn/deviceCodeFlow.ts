import * as vscode from 'vscode';
import type { AuthService } from '../auth/index';
import type { Logger } from '../core/logger';
import type { CredentialDefinition, CredentialStatus } from '../core/model';

/**
 * Device code (RFC 8628): for hosts where no browser can reach back to VS Code. Shows the code,
 * copies it to the clipboard and opens the verification page; polling stops on Cancel or expiry.
 */
export async function runDeviceCodeFlow(
  deps: { auth: Pick<AuthService, 'beginDeviceCode'>; logger: Logger },
  def: CredentialDefinition
): Promise<CredentialStatus> {
  const challenge = await deps.auth.beginDeviceCode(def);
  await vscode.env.clipboard.writeText(challenge.userCode);
  deps.logger.info(`device code sign-in for ${def.id}: verification page ${challenge.verificationUri}`);
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Signing in "{0}": enter the code {1} (copied) at {2}', def.name, challenge.userCode, challenge.verificationUri),
      cancellable: true
    },
    async (_progress, token) => {
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => abort.abort());
      try {
        await vscode.env.openExternal(vscode.Uri.parse(challenge.verificationUriComplete ?? challenge.verificationUri, true));
        return await challenge.complete(abort.signal);
      } finally {
        cancelled.dispose();
      }
    }
  );
}
