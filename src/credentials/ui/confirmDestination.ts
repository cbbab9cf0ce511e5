import * as vscode from 'vscode';
import type { DestinationConfirmation } from '../../core/endpointTrust';

/**
 * The modal the auth engine shows before a generic credential sends anything to an endpoint that
 * neither the sign-in page's site nor the issuer's metadata vouches for (a shared definition can
 * pair a genuine sign-in page with a foreign token URL). It names the host; only the button says yes.
 */
export async function confirmDestination(request: DestinationConfirmation): Promise<boolean> {
  const send = vscode.l10n.t('Send to {0}', request.host);
  const message = request.roles.includes('token')
    ? vscode.l10n.t('The code, the client secret and refresh tokens of "{0}" will be sent to {1}.', request.credentialName, request.host)
    : vscode.l10n.t(
        'The device code sign-in of "{0}" will be started at {1}, and you will be sent to the page it names.',
        request.credentialName,
        request.host
      );
  const detail = vscode.l10n.t(
    '{0} is not on the site of the sign-in page ({1}), and the issuer {2} does not name it. Continue only if {0} belongs to your provider.',
    request.host,
    request.authorizationHost,
    request.issuer
  );
  return (await vscode.window.showWarningMessage(message, { modal: true, detail }, send)) === send;
}
