/**
 * Field validation for credential definitions. Each validator returns `undefined` when the value is
 * fine, or a message that says what is wrong and what is expected, the form `InputBox.validateInput`
 * takes. `validateDefinition` runs them all, so nothing invalid is saved, whether it comes from the
 * guided flow, an edit, or an imported file. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { CloudCatalog } from './clouds';
import { presetProblems } from './presets';
import { REFRESH_TOKEN_EXPIRY_DAYS, resourcesOf, type CredentialDefinition, type MailEndpoint, type TokenResource } from './model';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A DNS name with at least one dot (contoso.onmicrosoft.com), RFC 1123 labels.
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
// Deliberately loose (RFC 5321 allows much); catches the common slips: spaces, no @, no domain.
const MAILBOX = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[^\s@<>()[\],;:"]+$/;
const HOST = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const TENANT_KEYWORDS = ['organizations', 'common', 'consumers'];
// C0 controls (CR, LF, NUL, …) and DEL: in an IMAP command they end the line or the string, so a
// folder name carrying one could smuggle a second command (RFC 9051 section 4.3: quoted strings hold
// none); in a SASL XOAUTH2 string ^A (0x01) ends the `user=` field, so a mailbox carrying one could
// add fields of its own.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\x00-\x1f\x7f]/;

export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

export function validateName(value: string, existingNames: readonly string[] = []): string | undefined {
  const name = value.trim();
  if (!name) return l10n.t('Enter a name, for example "Orders mailbox (production)".');
  if (name.length > 80) return l10n.t('Keep the name under 80 characters.');
  if (existingNames.some((n) => n.toLowerCase() === name.toLowerCase())) return l10n.t('A credential named "{0}" already exists. Choose another name.', name);
  return undefined;
}

function validateGuid(value: string, what: string): string | undefined {
  if (!GUID.test(value.trim())) {
    return l10n.t({
      message:
        '{0} must be a GUID such as 00000000-0000-0000-0000-000000000000 (the "Application (client) ID" / "Directory (tenant) ID" on the app\'s overview page).',
      args: [what],
      comment: ['{0} is "The client ID". The quoted names are the labels of the Microsoft Entra admin center.']
    });
  }
  return undefined;
}

export function validateTenant(value: string): string | undefined {
  const tenant = value.trim();
  if (!tenant) {
    return l10n.t({
      message: 'Enter the tenant: its ID (a GUID), a verified domain such as contoso.onmicrosoft.com, or organizations / common / consumers.',
      comment: ['organizations, common and consumers are keywords of Microsoft Entra; keep them as is.']
    });
  }
  if (GUID.test(tenant) || TENANT_KEYWORDS.includes(tenant.toLowerCase()) || DOMAIN.test(tenant)) return undefined;
  return l10n.t({
    message: '"{0}" is not a tenant ID (GUID), a domain, or one of organizations, common, consumers.',
    args: [tenant],
    comment: ['organizations, common and consumers are keywords of Microsoft Entra; keep them as is.']
  });
}

export function validateClientId(value: string, provider: CredentialDefinition['provider']): string | undefined {
  const id = value.trim();
  if (provider === 'microsoft') return validateGuid(id, l10n.t('The client ID'));
  if (!id) return l10n.t('Enter the client ID the provider issued for the app.');
  if (/\s/.test(id)) return l10n.t('The client ID cannot contain spaces.');
  return undefined;
}

/** Endpoints must be https; plain http only on loopback (RFC 8252 section 8.3; a local test server). */
export function validateEndpointUrl(value: string, what: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return l10n.t({
      message: '{0} is not a valid URL. Paste the full address, starting with https://.',
      args: [what],
      comment: ['{0} names the field, e.g. "The token URL" or "the user name" (translated on their own).']
    });
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return l10n.t({
    message: '{0} must use https:// (plain http is accepted only for 127.0.0.1 or localhost).',
    args: [what],
    comment: ['{0} names the field, e.g. "The token URL" or "the user name" (translated on their own).']
  });
}

/**
 * An issuer identifier (RFC 8414 section 2): an https URL (http only on loopback) with no query or
 * fragment. Responses are checked against it (RFC 9207 `iss`, the ID token's `iss`), so it is the
 * credential's own, never taken from a response.
 */
export function validateIssuer(value: string): string | undefined {
  if (!value.trim()) return l10n.t("Enter the issuer: the authorization server's identifier, e.g. https://accounts.google.com.");
  const problem = validateEndpointUrl(value, l10n.t('The issuer'));
  if (problem) return problem;
  const url = new URL(value.trim());
  if (url.search || url.hash) return l10n.t('An issuer has no query (?…) or fragment (#…), RFC 8414 section 2.');
  return undefined;
}

export function validateRedirectUri(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return l10n.t({
      message: 'The redirect URI is not a valid URI. Use http://localhost for the loopback sign-in, or the URI shown by "Copy redirect URI".',
      comment: ['"Copy redirect URI" is the name of a command: use its translated title.']
    });
  }
  if (url.hash) return l10n.t('A redirect URI cannot contain a fragment (#…), RFC 6749 section 3.1.2.');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return l10n.t('A plain http redirect URI must point at localhost or 127.0.0.1.');
  return undefined;
}

export function validateMailbox(value: string, what: string, required: boolean): string | undefined {
  const address = value.trim();
  if (!address) {
    return required
      ? l10n.t({
          message: 'Enter {0}, for example adele@contoso.com.',
          args: [what],
          comment: ['{0} names the field, e.g. "The token URL" or "the user name" (translated on their own).']
        })
      : undefined;
  }
  // The untrimmed value: a definition file's field is stored as it is, a line break at its end too.
  if (CONTROL_CHARACTERS.test(value)) {
    return l10n.t({
      message: 'Control characters (line breaks, NUL, ^A, …) cannot be part of {0}.',
      args: [what],
      comment: ['{0} names the field, e.g. "The token URL" or "the user name" (translated on their own).']
    });
  }
  if (!MAILBOX.test(address)) return l10n.t('"{0}" is not an email address (user principal name), for example adele@contoso.com.', address);
  return undefined;
}

export function validateScopes(
  scopes: readonly string[],
  definition: Pick<CredentialDefinition, 'provider' | 'cloud' | 'grant'> & Partial<Pick<CredentialDefinition, 'purpose' | 'sendTransport' | 'readTransport'>>,
  clouds: CloudCatalog
): string | undefined {
  if (scopes.length === 0) return l10n.t('Enter at least one scope.');
  if (definition.provider !== 'microsoft') {
    return scopes.every((s) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s))
      ? undefined
      : l10n.t('A scope is a token without spaces or quotes (RFC 6749 section 3.3).');
  }
  const known = clouds.knownScopes(definition.cloud ?? 'global');
  const unknown = scopes.filter((s) => !known.has(s));
  const cloud = clouds.get(definition.cloud);
  if (unknown.length) {
    const where = cloud?.label ?? l10n.t('this cloud');
    const prefix = cloud?.scopePrefix ?? l10n.t('the cloud prefix');
    const found =
      unknown.length > 1 ? l10n.t('Unknown scopes for {0}: {1}.', where, unknown.join(' ')) : l10n.t('Unknown scope for {0}: {1}.', where, unknown.join(' '));
    const expected = cloud?.graphScopePrefix
      ? l10n.t(
          'Mail scopes start with {0}, e.g. {1}IMAP.AccessAsUser.All, or with {2} for Microsoft Graph, e.g. {2}Mail.Send.',
          prefix,
          cloud.scopePrefix ?? '',
          cloud.graphScopePrefix
        )
      : l10n.t('Mail scopes start with {0}, e.g. {1}IMAP.AccessAsUser.All.', prefix, cloud?.scopePrefix ?? '');
    return `${found} ${expected}`;
  }
  // Entra issues a token for one resource at a time: the rules hold per resource (Exchange, Graph).
  const byResource = new Map<TokenResource, string[]>();
  for (const scope of scopes) {
    const resource = clouds.resourceOfScope(definition.cloud, scope);
    if (resource) byResource.set(resource, [...(byResource.get(resource) ?? []), scope]);
  }
  if (definition.grant === 'clientCredentials') {
    if (scopes.some((s) => !s.endsWith('/.default')) || [...byResource.values()].some((own) => own.length !== 1)) {
      const exchange = cloud?.appOnlyScope ?? 'https://outlook.office365.com/.default';
      return cloud?.graphScopePrefix
        ? l10n.t(
            'Client credentials take one scope ending in /.default per resource, e.g. {0} and, for Microsoft Graph, {1}.default.',
            exchange,
            cloud.graphScopePrefix
          )
        : l10n.t('Client credentials take one scope ending in /.default per resource, e.g. {0}.', exchange);
    }
  } else if ([...byResource.values()].some((own) => own.length > 1 && own.some((s) => s.endsWith('/.default')))) {
    // Entra allows /.default for delegated requests, but not mixed with explicit scopes of the same resource.
    return l10n.t('/.default cannot be combined with other mail scopes.');
  }
  if (definition.purpose) {
    const resources = resourcesOf({ ...definition, purpose: definition.purpose });
    if (resources.includes('graph') && !byResource.has('graph') && cloud?.graphScopePrefix) {
      return definition.grant === 'clientCredentials'
        ? l10n.t('Microsoft Graph needs the scope {0}.default.', cloud.graphScopePrefix)
        : l10n.t('Microsoft Graph needs its scopes, e.g. {0}Mail.Send or {0}Mail.Read.', cloud.graphScopePrefix);
    }
    if (resources.includes('exchange') && !byResource.has('exchange')) {
      return definition.grant === 'clientCredentials'
        ? l10n.t('IMAP and SMTP need the scope {0}.', cloud?.appOnlyScope ?? '')
        : l10n.t('IMAP and SMTP need their scopes, e.g. {0}IMAP.AccessAsUser.All or {0}SMTP.Send.', cloud?.scopePrefix ?? '');
    }
  }
  return undefined;
}

/** The sending and reading transports: known values, Graph only for Microsoft credentials in a cloud that has it. */
export function validateTransports(def: Pick<CredentialDefinition, 'provider' | 'cloud' | 'sendTransport' | 'readTransport'>, clouds: CloudCatalog): string[] {
  const problems: string[] = [];
  if (def.sendTransport !== undefined && !['smtp', 'graph'].includes(def.sendTransport)) {
    problems.push(l10n.t('Unknown sending transport "{0}".', String(def.sendTransport)));
  }
  if (def.readTransport !== undefined && !['imap', 'graph'].includes(def.readTransport)) {
    problems.push(l10n.t('Unknown reading transport "{0}".', String(def.readTransport)));
  }
  if (def.sendTransport === 'graph' || def.readTransport === 'graph') {
    if (def.provider !== 'microsoft') problems.push(l10n.t('Microsoft Graph is a transport of Microsoft 365 credentials only.'));
    else if (clouds.get(def.cloud) && !clouds.get(def.cloud)?.graphEndpoint) {
      problems.push(
        l10n.t({
          message: 'The Microsoft cloud "{0}" has no graphEndpoint in m365mail.customClouds, so it cannot use Microsoft Graph.',
          args: [def.cloud ?? ''],
          comment: ['graphEndpoint is a field of the setting m365mail.customClouds; keep both as is.']
        })
      );
    }
  }
  return problems;
}

export function validateRefreshTokenExpiryDays(value: string | number): string | undefined {
  const days = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(days) || days < REFRESH_TOKEN_EXPIRY_DAYS.min || days > REFRESH_TOKEN_EXPIRY_DAYS.max) {
    return l10n.t('Enter a whole number of days from {0} to {1}.', REFRESH_TOKEN_EXPIRY_DAYS.min, REFRESH_TOKEN_EXPIRY_DAYS.max);
  }
  return undefined;
}

export function validateHost(value: string, what: string): string | undefined {
  const host = value.trim();
  if (!host) return l10n.t({ message: 'Enter {0}.', args: [what], comment: ['{0} names the field, e.g. "the IMAP host" (translated on its own).'] });
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((n) => Number(n) <= 255) ? undefined : l10n.t('{0} is not an IPv4 address.', host);
  if (!HOST.test(host)) return l10n.t('"{0}" is not a host name (no scheme, path or port: e.g. outlook.office365.com).', host);
  return undefined;
}

export function validatePort(value: string | number, what: string): string | undefined {
  const port = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return l10n.t({
      message: '{0} must be a port number from 1 to 65535.',
      args: [what],
      comment: ['{0} names the field, e.g. "The IMAP port" (translated on its own).']
    });
  }
  return undefined;
}

/** An IMAP folder (mailbox) name from the webview or the user: a non-empty string without control characters. */
export function validateFolderName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return l10n.t('A folder name must be a non-empty string.');
  if (value.length > 1000) return l10n.t('A folder name must be under 1000 characters.');
  if (CONTROL_CHARACTERS.test(value)) return l10n.t('A folder name cannot contain control characters (line breaks, NUL, …).');
  return undefined;
}

/**
 * Authorization request parameters a definition may not set through `extraAuthorizationParameters`:
 * the protocol's own (RFC 6749 section 4.1.1, RFC 7636, OpenID Connect Core 3.1.2.1), the ones that
 * carry the whole request elsewhere (`request`, `request_uri`, RFC 9101) or change how the answer
 * comes back (`response_mode`), and client authentication, which never belongs in a browser URL.
 * A shared definition that could set these could send the code (and so the token) where the user
 * did not agree, or turn PKCE off. `prompt` and `login_hint`-like UI parameters stay allowed: they
 * change only what the user is shown (Google needs `prompt=consent` to issue a refresh token).
 */
export const RESERVED_AUTHORIZATION_PARAMETERS: ReadonlySet<string> = new Set([
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'code_verifier',
  'response_mode',
  'request',
  'request_uri',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'grant_type'
]);
// A parameter name: a token of URL-safe characters, as the providers' own parameters are.
const PARAMETER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** `extraAuthorizationParameters`: an object of string values whose names are not {@link RESERVED_AUTHORIZATION_PARAMETERS}. */
export function validateExtraAuthorizationParameters(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return l10n.t('Extra authorization parameters must be an object of names and string values, e.g. { "access_type": "offline" }.');
  }
  for (const [name, parameter] of Object.entries(value)) {
    if (!PARAMETER_NAME.test(name)) return l10n.t('"{0}" is not an authorization parameter name (letters, digits, _ . - only).', name);
    if (RESERVED_AUTHORIZATION_PARAMETERS.has(name.toLowerCase())) {
      return l10n.t('The extra authorization parameter "{0}" is set by M365 Mail itself and cannot be changed by a definition.', name);
    }
    if (typeof parameter !== 'string') return l10n.t('The extra authorization parameter "{0}" must be a string.', name);
  }
  return undefined;
}

function validateEndpoint(endpoint: MailEndpoint | undefined, kind: 'IMAP' | 'SMTP'): string[] {
  if (!endpoint) return [l10n.t('{0} is missing.', kind)];
  return [validateHost(endpoint.host, l10n.t('the {0} host', kind)), validatePort(endpoint.port, l10n.t('The {0} port', kind))].filter((m): m is string => !!m);
}

/** Every problem with a whole definition; empty when it may be saved. */
export function validateDefinition(def: CredentialDefinition, clouds: CloudCatalog, existingNames: readonly string[] = []): string[] {
  const problems: Array<string | undefined> = [validateName(def.name ?? '', existingNames)];
  if (def.provider === 'microsoft') {
    if (!clouds.get(def.cloud)) problems.push(l10n.t('Unknown Microsoft cloud "{0}".', String(def.cloud)));
    problems.push(validateTenant(def.tenant ?? ''));
  } else if (def.provider === 'generic') {
    problems.push(validateEndpointUrl(def.authorizationUrl ?? '', l10n.t('The authorization URL')));
    problems.push(validateEndpointUrl(def.tokenUrl ?? '', l10n.t('The token URL')));
    if (def.deviceAuthorizationUrl) problems.push(validateEndpointUrl(def.deviceAuthorizationUrl, l10n.t('The device authorization URL')));
    problems.push(validateIssuer(def.issuer ?? ''));
  } else {
    problems.push(l10n.t('Unknown provider "{0}".', String(def.provider)));
  }
  // Checked whatever the provider: an imported file may carry them on any definition.
  problems.push(validateExtraAuthorizationParameters(def.extraAuthorizationParameters));
  problems.push(validateClientId(def.clientId ?? '', def.provider));
  if (!['secretPost', 'secretBasic', 'certificate', 'none'].includes(def.clientAuth)) {
    problems.push(l10n.t('Unknown client authentication "{0}".', String(def.clientAuth)));
  }
  if (!['authorizationCode', 'deviceCode', 'clientCredentials'].includes(def.grant)) problems.push(l10n.t('Unknown grant "{0}".', String(def.grant)));
  if (def.grant === 'clientCredentials' && def.clientAuth === 'none') problems.push(l10n.t('Client credentials need a client secret or a certificate.'));
  if (def.grant === 'deviceCode' && def.clientAuth !== 'none') {
    problems.push(
      l10n.t({
        message: 'The device code grant is for public clients: choose "none" as client authentication.',
        comment: ['"none" is a value of the definition field clientAuth; keep it as is.']
      })
    );
  }
  problems.push(validateMailbox(def.userName ?? '', l10n.t('the user name'), true));
  problems.push(validateMailbox(def.sharedMailbox ?? '', l10n.t('the shared mailbox'), false));
  if (!['imap', 'smtp', 'both'].includes(def.purpose)) problems.push(l10n.t('Unknown purpose "{0}".', String(def.purpose)));
  problems.push(...validateTransports(def, clouds));
  problems.push(validateScopes(def.scopes ?? [], def, clouds));
  problems.push(validateRefreshTokenExpiryDays(def.refreshTokenExpiryDays));
  if (def.grant === 'authorizationCode') problems.push(validateRedirectUri(def.redirectUri ?? ''));
  problems.push(...validateEndpoint(def.imap, 'IMAP'), ...validateEndpoint(def.smtp, 'SMTP'));
  // What Outlook.com (tenant consumers) and High Volume Email do not allow, whoever wrote the definition.
  problems.push(...presetProblems(def));
  return problems.filter((m): m is string => !!m);
}
