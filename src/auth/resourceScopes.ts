/**
 * Which scopes one resource's token request carries. Entra gives a token for one resource per
 * request, so a credential that uses Exchange (IMAP, SMTP) and Microsoft Graph asks for each apart.
 * No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { CloudCatalog } from '../core/clouds';
import type { CredentialDefinition, TokenResource } from '../core/model';
import { AuthError } from './errors';

/**
 * The definition as one resource's token request sees it: only that resource's scopes (and the
 * OpenID ones), since Entra gives a token for one resource per request. A sign-in asks for the
 * resource of the first scope; the other is fetched silently with the refresh token it gives.
 */
export function scopedDefinition(
  clouds: CloudCatalog,
  def: CredentialDefinition,
  resource: TokenResource | 'signIn'
): { def: CredentialDefinition; resource: TokenResource } {
  const signIn = clouds.signInResource(def);
  const wanted = resource === 'signIn' ? signIn : resource;
  const scopes = clouds.scopesFor(def, wanted);
  if (scopes.length) return { def: { ...def, scopes }, resource: wanted };
  if (wanted === signIn) return { def, resource: wanted };
  throw new AuthError('no_scopes', l10n.t('"{0}" has no scopes for {1}.', def.name, wanted === 'graph' ? 'Microsoft Graph' : l10n.t('IMAP and SMTP')), {
    nextStep: l10n.t('Edit the credential: choose the transport again, or add the scopes, then authorize it again.')
  });
}
