/**
 * Field validation for credential definitions. Each validator returns `undefined` when the value is
 * fine, or a message that says what is wrong and what is expected, the form `InputBox.validateInput`
 * takes. `validateDefinition` runs them all, so nothing invalid is saved, whether it comes from the
 * guided flow, an edit, or an imported file. No `vscode` import.
 */
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
  if (!name) return 'Enter a name, for example "Orders mailbox (production)".';
  if (name.length > 80) return 'Keep the name under 80 characters.';
  if (existingNames.some((n) => n.toLowerCase() === name.toLowerCase())) return `A credential named "${name}" already exists. Choose another name.`;
  return undefined;
}

function validateGuid(value: string, what: string): string | undefined {
  if (!GUID.test(value.trim())) {
    return `${what} must be a GUID such as 00000000-0000-0000-0000-000000000000 (the "Application (client) ID" / "Directory (tenant) ID" on the app's overview page).`;
  }
  return undefined;
}

export function validateTenant(value: string): string | undefined {
  const tenant = value.trim();
  if (!tenant) return 'Enter the tenant: its ID (a GUID), a verified domain such as contoso.onmicrosoft.com, or organizations / common / consumers.';
  if (GUID.test(tenant) || TENANT_KEYWORDS.includes(tenant.toLowerCase()) || DOMAIN.test(tenant)) return undefined;
  return `"${tenant}" is not a tenant ID (GUID), a domain, or one of organizations, common, consumers.`;
}

export function validateClientId(value: string, provider: CredentialDefinition['provider']): string | undefined {
  const id = value.trim();
  if (provider === 'microsoft') return validateGuid(id, 'The client ID');
  if (!id) return 'Enter the client ID the provider issued for the app.';
  if (/\s/.test(id)) return 'The client ID cannot contain spaces.';
  return undefined;
}

/** Endpoints must be https; plain http only on loopback (RFC 8252 section 8.3; a local test server). */
export function validateEndpointUrl(value: string, what: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return `${what} is not a valid URL. Paste the full address, starting with https://.`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return undefined;
  return `${what} must use https:// (plain http is accepted only for 127.0.0.1 or localhost).`;
}

/**
 * An issuer identifier (RFC 8414 section 2): an https URL (http only on loopback) with no query or
 * fragment. Responses are checked against it (RFC 9207 `iss`, the ID token's `iss`), so it is the
 * credential's own, never taken from a response.
 */
export function validateIssuer(value: string): string | undefined {
  if (!value.trim()) return "Enter the issuer: the authorization server's identifier, e.g. https://accounts.google.com.";
  const problem = validateEndpointUrl(value, 'The issuer');
  if (problem) return problem;
  const url = new URL(value.trim());
  if (url.search || url.hash) return 'An issuer has no query (?…) or fragment (#…), RFC 8414 section 2.';
  return undefined;
}

export function validateRedirectUri(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'The redirect URI is not a valid URI. Use http://localhost for the loopback sign-in, or the URI shown by "Copy redirect URI".';
  }
  if (url.hash) return 'A redirect URI cannot contain a fragment (#…), RFC 6749 section 3.1.2.';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'A plain http redirect URI must point at localhost or 127.0.0.1.';
  return undefined;
}

export function validateMailbox(value: string, what: string, required: boolean): string | undefined {
  const address = value.trim();
  if (!address) return required ? `Enter ${what}, for example adele@contoso.com.` : undefined;
  // The untrimmed value: a definition file's field is stored as it is, a line break at its end too.
  if (CONTROL_CHARACTERS.test(value)) return `Control characters (line breaks, NUL, ^A, …) cannot be part of ${what}.`;
  if (!MAILBOX.test(address)) return `"${address}" is not an email address (user principal name), for example adele@contoso.com.`;
  return undefined;
}

export function validateScopes(
  scopes: readonly string[],
  definition: Pick<CredentialDefinition, 'provider' | 'cloud' | 'grant'> & Partial<Pick<CredentialDefinition, 'purpose' | 'sendTransport' | 'readTransport'>>,
  clouds: CloudCatalog
): string | undefined {
  if (scopes.length === 0) return 'Enter at least one scope.';
  if (definition.provider !== 'microsoft') {
    return scopes.every((s) => /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)) ? undefined : 'A scope is a token without spaces or quotes (RFC 6749 section 3.3).';
  }
  const known = clouds.knownScopes(definition.cloud ?? 'global');
  const unknown = scopes.filter((s) => !known.has(s));
  const cloud = clouds.get(definition.cloud);
  if (unknown.length) {
    return `Unknown scope${unknown.length > 1 ? 's' : ''} for ${cloud?.label ?? 'this cloud'}: ${unknown.join(' ')}. Mail scopes start with ${cloud?.scopePrefix ?? 'the cloud prefix'}, e.g. ${cloud?.scopePrefix ?? ''}IMAP.AccessAsUser.All${cloud?.graphScopePrefix ? `, or with ${cloud.graphScopePrefix} for Microsoft Graph, e.g. ${cloud.graphScopePrefix}Mail.Send` : ''}.`;
  }
  // Entra issues a token for one resource at a time: the rules hold per resource (Exchange, Graph).
  const byResource = new Map<TokenResource, string[]>();
  for (const scope of scopes) {
    const resource = clouds.resourceOfScope(definition.cloud, scope);
    if (resource) byResource.set(resource, [...(byResource.get(resource) ?? []), scope]);
  }
  if (definition.grant === 'clientCredentials') {
    if (scopes.some((s) => !s.endsWith('/.default')) || [...byResource.values()].some((own) => own.length !== 1)) {
      return `Client credentials take one scope ending in /.default per resource, e.g. ${cloud?.appOnlyScope ?? 'https://outlook.office365.com/.default'}${cloud?.graphScopePrefix ? ` and, for Microsoft Graph, ${cloud.graphScopePrefix}.default` : ''}.`;
    }
  } else if ([...byResource.values()].some((own) => own.length > 1 && own.some((s) => s.endsWith('/.default')))) {
    // Entra allows /.default for delegated requests, but not mixed with explicit scopes of the same resource.
    return '/.default cannot be combined with other mail scopes.';
  }
  if (definition.purpose) {
    const resources = resourcesOf({ ...definition, purpose: definition.purpose });
    if (resources.includes('graph') && !byResource.has('graph') && cloud?.graphScopePrefix) {
      return definition.grant === 'clientCredentials'
        ? `Microsoft Graph needs the scope ${cloud.graphScopePrefix}.default.`
        : `Microsoft Graph needs its scopes, e.g. ${cloud.graphScopePrefix}Mail.Send or ${cloud.graphScopePrefix}Mail.Read.`;
    }
    if (resources.includes('exchange') && !byResource.has('exchange')) {
      return definition.grant === 'clientCredentials'
        ? `IMAP and SMTP need the scope ${cloud?.appOnlyScope ?? ''}.`
        : `IMAP and SMTP need their scopes, e.g. ${cloud?.scopePrefix ?? ''}IMAP.AccessAsUser.All or ${cloud?.scopePrefix ?? ''}SMTP.Send.`;
    }
  }
  return undefined;
}

/** The sending and reading transports: known values, Graph only for Microsoft credentials in a cloud that has it. */
export function validateTransports(def: Pick<CredentialDefinition, 'provider' | 'cloud' | 'sendTransport' | 'readTransport'>, clouds: CloudCatalog): string[] {
  const problems: string[] = [];
  if (def.sendTransport !== undefined && !['smtp', 'graph'].includes(def.sendTransport)) {
    problems.push(`Unknown sending transport "${String(def.sendTransport)}".`);
  }
  if (def.readTransport !== undefined && !['imap', 'graph'].includes(def.readTransport)) {
    problems.push(`Unknown reading transport "${String(def.readTransport)}".`);
  }
  if (def.sendTransport === 'graph' || def.readTransport === 'graph') {
    if (def.provider !== 'microsoft') problems.push('Microsoft Graph is a transport of Microsoft 365 credentials only.');
    else if (clouds.get(def.cloud) && !clouds.get(def.cloud)?.graphEndpoint) {
      problems.push(`The Microsoft cloud "${def.cloud ?? ''}" has no graphEndpoint in m365mail.customClouds, so it cannot use Microsoft Graph.`);
    }
  }
  return problems;
}

export function validateRefreshTokenExpiryDays(value: string | number): string | undefined {
  const days = typeof value === 'number' ? value : Number(value.trim());
  if (!Number.isInteger(days) || days < REFRESH_TOKEN_EXPIRY_DAYS.min || days > REFRESH_TOKEN_EXPIRY_DAYS.max) {
    return `Enter a whole number of days from ${REFRESH_TOKEN_EXPIRY_DAYS.min} to ${REFRESH_TOKEN_EXPIRY_DAYS.max}.`;
  }
  return undefined;
}

export function validateHost(value: string, what: string): string | undefined {
  const host = value.trim();
  if (!host) return `Enter ${what}.`;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) return host.split('.').every((n) => Number(n) <= 255) ? undefined : `${host} is not an IPv4 address.`;
  if (!HOST.test(host)) return `"${host}" is not a host name (no scheme, path or port: e.g. outlook.office365.com).`;
  return undefined;
}

export function validatePort(value: string | number, what: string): string | undefined {
  const port = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `${what} must be a port number from 1 to 65535.`;
  return undefined;
}

/** An IMAP folder (mailbox) name from the webview or the user: a non-empty string without control characters. */
export function validateFolderName(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return 'A folder name must be a non-empty string.';
  if (value.length > 1000) return 'A folder name must be under 1000 characters.';
  if (CONTROL_CHARACTERS.test(value)) return 'A folder name cannot contain control characters (line breaks, NUL, …).';
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
    return 'Extra authorization parameters must be an object of names and string values, e.g. { "access_type": "offline" }.';
  }
  for (const [name, parameter] of Object.entries(value)) {
    if (!PARAMETER_NAME.test(name)) return `"${name}" is not an authorization parameter name (letters, digits, _ . - only).`;
    if (RESERVED_AUTHORIZATION_PARAMETERS.has(name.toLowerCase())) {
      return `The extra authorization parameter "${name}" is set by M365 Mail itself and cannot be changed by a definition.`;
    }
    if (typeof parameter !== 'string') return `The extra authorization parameter "${name}" must be a string.`;
  }
  return undefined;
}

function validateEndpoint(endpoint: MailEndpoint | undefined, what: string): string[] {
  if (!endpoint) return [`${what} is missing.`];
  return [validateHost(endpoint.host, `the ${what} host`), validatePort(endpoint.port, `The ${what} port`)].filter((m): m is string => !!m);
}

/** Every problem with a whole definition; empty when it may be saved. */
export function validateDefinition(def: CredentialDefinition, clouds: CloudCatalog, existingNames: readonly string[] = []): string[] {
  const problems: Array<string | undefined> = [validateName(def.name ?? '', existingNames)];
  if (def.provider === 'microsoft') {
    if (!clouds.get(def.cloud)) problems.push(`Unknown Microsoft cloud "${def.cloud}".`);
    problems.push(validateTenant(def.tenant ?? ''));
  } else if (def.provider === 'generic') {
    problems.push(validateEndpointUrl(def.authorizationUrl ?? '', 'The authorization URL'));
    problems.push(validateEndpointUrl(def.tokenUrl ?? '', 'The token URL'));
    if (def.deviceAuthorizationUrl) problems.push(validateEndpointUrl(def.deviceAuthorizationUrl, 'The device authorization URL'));
    problems.push(validateIssuer(def.issuer ?? ''));
  } else {
    problems.push(`Unknown provider "${String(def.provider)}".`);
  }
  // Checked whatever the provider: an imported file may carry them on any definition.
  problems.push(validateExtraAuthorizationParameters(def.extraAuthorizationParameters));
  problems.push(validateClientId(def.clientId ?? '', def.provider));
  if (!['secretPost', 'secretBasic', 'certificate', 'none'].includes(def.clientAuth)) {
    problems.push(`Unknown client authentication "${String(def.clientAuth)}".`);
  }
  if (!['authorizationCode', 'deviceCode', 'clientCredentials'].includes(def.grant)) problems.push(`Unknown grant "${String(def.grant)}".`);
  if (def.grant === 'clientCredentials' && def.clientAuth === 'none') problems.push('Client credentials need a client secret or a certificate.');
  if (def.grant === 'deviceCode' && def.clientAuth !== 'none') {
    problems.push('The device code grant is for public clients: choose "none" as client authentication.');
  }
  problems.push(validateMailbox(def.userName ?? '', 'the user name', true));
  problems.push(validateMailbox(def.sharedMailbox ?? '', 'the shared mailbox', false));
  if (!['imap', 'smtp', 'both'].includes(def.purpose)) problems.push(`Unknown purpose "${String(def.purpose)}".`);
  problems.push(...validateTransports(def, clouds));
  problems.push(validateScopes(def.scopes ?? [], def, clouds));
  problems.push(validateRefreshTokenExpiryDays(def.refreshTokenExpiryDays));
  if (def.grant === 'authorizationCode') problems.push(validateRedirectUri(def.redirectUri ?? ''));
  problems.push(...validateEndpoint(def.imap, 'IMAP'), ...validateEndpoint(def.smtp, 'SMTP'));
  // What Outlook.com (tenant consumers) and High Volume Email do not allow, whoever wrote the definition.
  problems.push(...presetProblems(def));
  return problems.filter((m): m is string => !!m);
}
