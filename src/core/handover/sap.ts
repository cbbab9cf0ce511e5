/**
 * SAP Cloud Integration: the values of its "OAuth2 Authorization Code" security material with
 * Microsoft 365 as the provider (the SAP seeds), and the redirect URI its tenant signs in with,
 * `https://<host>/itspaces/odata/api/v1/OAuthTokenFromCode`. Pure; no `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { CloudCatalog } from '../clouds';
import { grantLabel, type HandoverDocument, type Unsupported } from './fields';
import { mailServerScopesOf, oauthEndpointsOf, usesClientSecret } from './oauthSettings';
import type { CredentialDefinition } from '../model';

const REDIRECT_PATH = '/itspaces/odata/api/v1/OAuthTokenFromCode';

/** A DNS host name: labels of letters, digits and hyphens, at least two of them. */
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The tenant's host from what the user typed: the host itself, or any address of the tenant's web
 * UI (`https://<host>/itspaces`, as the SAP seed says to find it).
 */
export function parseSapHost(input: string): { host: string } | { problem: string } {
  const trimmed = input.trim();
  if (!trimmed) return { problem: 'empty' };
  let host: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      if (url.protocol !== 'https:') return { problem: 'not https' };
      if (url.port) return { problem: 'port' };
      host = url.hostname;
    } catch {
      return { problem: 'not a URL' };
    }
  } else {
    host = trimmed.replace(/\/.*$/, '');
  }
  host = host.toLowerCase();
  return HOST_NAME.test(host) ? { host } : { problem: 'not a host name' };
}

export function sapRedirectUri(host: string): string {
  return `https://${host}${REDIRECT_PATH}`;
}

export function sapSecurityMaterial(def: CredentialDefinition, clouds: CloudCatalog, host: string): HandoverDocument | Unsupported {
  if (def.grant !== 'authorizationCode') {
    return {
      kind: 'unsupported',
      reason: l10n.t(
        'SAP Cloud Integration\'s "OAuth2 Authorization Code" signs in in a browser (authorization code); "{0}" uses {1}.',
        def.name,
        grantLabel(def.grant)
      )
    };
  }
  if (!usesClientSecret(def)) {
    return { kind: 'unsupported', reason: l10n.t('SAP Cloud Integration\'s "OAuth2 Authorization Code" needs a client secret; "{0}" has none.', def.name) };
  }
  const { authorizationUrl, tokenUrl } = oauthEndpointsOf(def, clouds);
  const redirectUri = sapRedirectUri(host);
  const microsoft = def.provider === 'microsoft';
  return {
    title: l10n.t('SAP Cloud Integration: OAuth2 Authorization Code for "{0}"', def.name),
    intro: [
      l10n.t(
        'In the tenant {0}: Monitor → Integrations and APIs → Security Material → Add (Create) → OAuth2 Authorization Code. Enter these values, then Deploy and Authorize.',
        host
      )
    ],
    fields: [
      { label: l10n.t('Name'), value: def.name, note: l10n.t('any name; the mail adapters refer to it') },
      { label: l10n.t('Provider'), value: microsoft ? 'Microsoft 365' : 'Generic' },
      { label: l10n.t('Authorization URL'), value: authorizationUrl },
      { label: l10n.t('Token Service URL'), value: tokenUrl },
      { label: l10n.t('Refresh Token Expiry'), value: String(def.refreshTokenExpiryDays), note: l10n.t('days (3 to 90)') },
      { label: l10n.t('Redirect URL'), value: redirectUri, note: l10n.t('shown by the tenant; register it in the app as a Web redirect URI') },
      { label: l10n.t('Client ID'), value: def.clientId },
      { label: l10n.t('Client Secret'), note: l10n.t("the secret's value, from the app registration; M365 Mail never shows it") },
      { label: l10n.t('Send As'), value: def.clientAuth === 'secretBasic' ? 'Basic Auth Header' : 'Body Parameter' },
      { label: l10n.t('User Name'), value: def.userName ?? '' },
      { label: l10n.t('Scope'), value: mailServerScopesOf(def, clouds).join(' '), note: l10n.t('separated by a blank') }
    ],
    notes: [
      l10n.t('Register {0} in the app registration under Authentication → Web, beside the redirect URI M365 Mail uses ({1}).', redirectUri, def.redirectUri),
      l10n.t(
        'Mail sender adapter (IMAP): Authentication "OAuth2 Authorization Code", Protection IMAPS. Mail receiver adapter (SMTP): Protection STARTTLS Mandatory.'
      ),
      ...(def.sharedMailbox ? [l10n.t('The adapters address the shared mailbox {0}; User Name is the user who signs in.', def.sharedMailbox)] : [])
    ]
  };
}
