/**
 * Decodes the claims of a JWT access token for display (audience, scopes, user, expiry). It does not
 * verify the signature: the token came from the token endpoint over TLS, and this is only shown to
 * the user. Opaque tokens (not JWTs) have no readable claims. No `vscode` import.
 */
export interface TokenClaimsSummary {
  audience?: string;
  scopes: string[];
  roles: string[];
  user?: string;
  tenant?: string;
  appId?: string;
  issuer?: string;
  issuedAt?: string;
  expiresAt?: string;
  /** Every claim, as decoded. */
  claims: Record<string, unknown>;
}

export function decodeJwtClaims(token: string): TokenClaimsSummary | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!claims || typeof claims !== 'object') return undefined;
  const str = (k: string) => (typeof claims[k] === 'string' ? (claims[k] as string) : undefined);
  const time = (k: string) => (typeof claims[k] === 'number' ? new Date((claims[k] as number) * 1000).toISOString() : undefined);
  return {
    audience: Array.isArray(claims.aud) ? (claims.aud as string[]).join(' ') : str('aud'),
    scopes: (str('scp') ?? str('scope') ?? '').split(' ').filter(Boolean),
    roles: Array.isArray(claims.roles) ? (claims.roles as unknown[]).map(String) : [],
    user: str('upn') ?? str('preferred_username') ?? str('unique_name') ?? str('email') ?? str('sub'),
    tenant: str('tid'),
    appId: str('appid') ?? str('azp') ?? str('client_id'),
    issuer: str('iss'),
    issuedAt: time('iat'),
    expiresAt: time('exp'),
    claims
  };
}
