/**
 * Where a generic OAuth2 credential may send the authorization code, the client secret and its
 * refresh tokens. A definition can come from a shared file, so its token endpoint is untrusted
 * input: paired with a genuine sign-in page, a foreign token URL would receive everything. An
 * endpoint is vouched for when
 *
 * - it is the built-in preset's own endpoint for the preset's issuer (Gmail), or
 * - it is on the same site as the sign-in page the user sees (the authorization URL), or
 * - the issuer's own metadata (RFC 8414 / OpenID discovery) names it, and the issuer itself is on
 *   the sign-in page's site (metadata is self-asserted: a foreign issuer could name anything), or
 * - the user confirmed its origin for this credential, as the definition stands now.
 *
 * "Same site" is the same origin (scheme, host, port, as the WHATWG URL parser normalizes them):
 * without a public-suffix list a registrable domain cannot be told apart from a shared hosting
 * suffix (`a.github.io` and `b.github.io`), and a host suffix rule would accept exactly those; a
 * port is another server, and http is not https. A provider whose token endpoint is on another
 * host (Google's `oauth2.googleapis.com`) is vouched for by its metadata or its preset.
 * No `vscode` import.
 */

export type EndpointRole = 'token' | 'deviceAuthorization';

/** The endpoints of a definition that decide where things go. */
export interface DefinitionEndpoints {
  issuer?: string;
  authorizationUrl?: string;
  tokenUrl?: string;
  deviceAuthorizationUrl?: string;
}

/** An authorization server's metadata, already checked to be the issuer's own (its `issuer` equals the one asked). */
export interface IssuerMetadata {
  issuer: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  deviceAuthorizationEndpoint?: string;
}

export type Vouch = 'preset' | 'sameSite' | 'metadata' | 'confirmed';

export interface Destination {
  role: EndpointRole;
  url: string;
  /** `https://host[:port]`: what a confirmation is remembered for. */
  origin: string;
  /** What the user is shown: the host, with its port when not the default. */
  host: string;
  vouchedBy?: Vouch;
}

/** What the user is asked to confirm: an origin, and which of the credential's requests would go there. */
export interface DestinationConfirmation {
  credentialName: string;
  host: string;
  origin: string;
  roles: EndpointRole[];
  /** The sign-in page's site, to say what the host is not. */
  authorizationHost: string;
  issuer: string;
}

/** Asks the user; true only on an explicit yes. */
export type ConfirmDestination = (request: DestinationConfirmation) => Promise<boolean>;

function parse(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** Same scheme, host and port. Opaque origins (`data:`, `file:`) are never the same as anything. */
export function sameOrigin(a: string | undefined, b: string | undefined): boolean {
  const x = parse(a);
  const y = parse(b);
  return !!x && !!y && x.origin !== 'null' && x.origin === y.origin;
}

/** The same URL once both are normalized (case of scheme and host, default port); path and query count. */
export function sameUrl(a: string | undefined, b: string | undefined): boolean {
  const x = parse(a);
  const y = parse(b);
  return !!x && !!y && x.href === y.href;
}

const ROLES: ReadonlyArray<{ role: EndpointRole; field: 'tokenUrl' | 'deviceAuthorizationUrl'; meta: 'tokenEndpoint' | 'deviceAuthorizationEndpoint' }> = [
  { role: 'token', field: 'tokenUrl', meta: 'tokenEndpoint' },
  { role: 'deviceAuthorization', field: 'deviceAuthorizationUrl', meta: 'deviceAuthorizationEndpoint' }
];

/**
 * Each endpoint a definition would send something to, with what vouches for it (none: it must be
 * confirmed before anything is sent). `known` are the built-in presets; `confirmedOrigins` what the
 * user confirmed for this credential as it stands ({@link confirmationsFor}).
 */
export function assessDestinations(
  def: DefinitionEndpoints,
  context: { metadata?: IssuerMetadata; known: readonly DefinitionEndpoints[]; confirmedOrigins: readonly string[] }
): Destination[] {
  const out: Destination[] = [];
  const metadataCounts = !!context.metadata && sameUrl(context.metadata.issuer, def.issuer) && sameOrigin(def.issuer, def.authorizationUrl);
  for (const { role, field, meta } of ROLES) {
    const url = def[field];
    if (!url) continue;
    const parsed = parse(url);
    const destination: Destination = { role, url, origin: parsed?.origin ?? url, host: parsed?.host ?? url };
    if (context.known.some((preset) => sameUrl(preset.issuer, def.issuer) && sameUrl(preset[field], url))) destination.vouchedBy = 'preset';
    else if (sameOrigin(url, def.authorizationUrl)) destination.vouchedBy = 'sameSite';
    else if (metadataCounts && sameUrl(context.metadata?.[meta], url)) destination.vouchedBy = 'metadata';
    else if (parsed && parsed.origin !== 'null' && context.confirmedOrigins.includes(parsed.origin)) destination.vouchedBy = 'confirmed';
    out.push(destination);
  }
  return out;
}

/** The confirmations still to ask for, one per origin, naming every request that would go there. */
export function pendingConfirmations(credentialName: string, def: DefinitionEndpoints, destinations: readonly Destination[]): DestinationConfirmation[] {
  const byOrigin = new Map<string, DestinationConfirmation>();
  for (const d of destinations) {
    if (d.vouchedBy) continue;
    const existing = byOrigin.get(d.origin);
    if (existing) existing.roles.push(d.role);
    else {
      byOrigin.set(d.origin, {
        credentialName,
        host: d.host,
        origin: d.origin,
        roles: [d.role],
        authorizationHost: parse(def.authorizationUrl)?.host ?? def.authorizationUrl ?? '',
        issuer: def.issuer ?? ''
      });
    }
  }
  return [...byOrigin.values()];
}

/**
 * Confirmations are remembered with the endpoints they were given for: any change of the issuer,
 * the authorization URL or an endpoint (an edit) makes them void, so the user is asked again.
 */
function fingerprint(def: DefinitionEndpoints): string {
  return JSON.stringify([def.issuer ?? '', def.authorizationUrl ?? '', def.tokenUrl ?? '', def.deviceAuthorizationUrl ?? '']);
}

/** The origins confirmed for the definition as it stands, from what {@link recordConfirmation} stored (unparsable text: none). */
export function confirmationsFor(def: DefinitionEndpoints, stored: string | undefined): string[] {
  if (!stored) return [];
  try {
    const record = JSON.parse(stored) as { endpoints?: unknown; origins?: unknown };
    if (record.endpoints !== fingerprint(def) || !Array.isArray(record.origins)) return [];
    return record.origins.filter((o): o is string => typeof o === 'string');
  } catch {
    return [];
  }
}

/** The text to store once the user confirmed `origin` (earlier confirmations of the same endpoints kept). */
export function recordConfirmation(def: DefinitionEndpoints, stored: string | undefined, origin: string): string {
  const origins = new Set(confirmationsFor(def, stored));
  origins.add(origin);
  return JSON.stringify({ endpoints: fingerprint(def), origins: [...origins] });
}
