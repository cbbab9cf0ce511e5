import * as vscode from 'vscode';
import type { AuthService } from '../auth/index';
import type { Logger } from '../core/logger';
import type { CredentialDefinition, CredentialStatus } from '../core/model';
import type { AuthUriHandler } from './authUriHandler';
import { runAuthorizationCodeFlow } from './authorizationCodeFlow';
import { runDeviceCodeFlow } from './deviceCodeFlow';

export interface CredentialSignInDeps {
  auth: Pick<AuthService, 'beginAuthorizationCode' | 'beginDeviceCode' | 'authorizeClientCredentials'>;
  uriHandler: AuthUriHandler;
  logger: Logger;
  /** `m365mail.authorizationTimeoutSeconds`, read at each sign-in. */
  timeoutMs: () => number;
}

/** Signs a credential in with its grant; resolves its new status. Says nothing itself: each caller words the outcome. */
export type CredentialSignIn = (def: CredentialDefinition) => Promise<CredentialStatus>;

/**
 * The sign-in for each grant: the browser hand-off (authorization code), the device code, or an
 * app-only token request (client credentials, no browser).
 */
export function credentialSignIn(deps: CredentialSignInDeps): CredentialSignIn {
  return async (def) => {
    if (def.grant === 'clientCredentials') {
      return vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Requesting an app-only token for "{0}"…', def.name) },
        () => deps.auth.authorizeClientCredentials(def)
      );
    }
    if (def.grant === 'deviceCode') return runDeviceCodeFlow({ auth: deps.auth, logger: deps.logger }, def);
    return runAuthorizationCodeFlow({ auth: deps.auth, uriHandler: deps.uriHandler, logger: deps.logger, timeoutMs: deps.timeoutMs() }, def);
  };
}
