/**
 * Token validation for the mail servers (Dovecot's oauth2 passdb, `introspection_mode = post`).
 *
 * Contract: `POST {origin}/_sandbox/introspect/{imap|smtp}?user=<login user>` with form body
 * `token=<access token>` (or `Authorization: Bearer <token>`); `user` may be absent. Always 200:
 * `{"active":true,"username":"<mailbox>","scope":"..."}` or `{"active":false,"error":"<reason>"}`.
 *
 * Friction 5: oidc-provider refuses to introspect JWT access tokens, so the JWT is verified here
 * with the server's own signing key: signature, issuer, expiry, audience, the service's permission
 * (`scp` delegated or `roles` app-only), and whether the token's user may open the mailbox.
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { mayOpenMailbox, SANDBOX_TENANT, SANDBOX_USERS, SERVICE_PERMISSIONS, type MailService } from '../fixtures';

export type IntrospectionResult = { active: true; username: string; scope: string; client_id: string; exp: number } | { active: false; error: string };

const AUDIENCES = new Set(['https://outlook.office.com', 'https://outlook.office365.com']);

export type TokenCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; error: string };

/** Signature, issuer, tenant and lifetime of a sandbox access token (not its audience or permissions). */
export function verifyAccessToken(token: string | undefined, opts: { issuer: string; publicKey: KeyObject; kid: string; now?: number }): TokenCheck {
  const fail = (error: string): TokenCheck => ({ ok: false, error });
  if (!token) return fail('no token');
  const parts = token.split('.');
  if (parts.length !== 3) return fail('not a JWT');
  let header: { alg?: string; kid?: string };
  let payload: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return fail('malformed JWT');
  }
  if (header.alg !== 'RS256' || (header.kid !== undefined && header.kid !== opts.kid)) return fail('unknown signing key or algorithm');
  const signedOk = verifySignature('RSA-SHA256', Buffer.from(`${parts[0]}.${parts[1]}`), opts.publicKey, Buffer.from(parts[2], 'base64url'));
  if (!signedOk) return fail('bad signature');
  if (payload.iss !== opts.issuer) return fail('wrong issuer');
  if (payload.tid !== SANDBOX_TENANT.id) return fail('wrong tenant');
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp <= now) return fail('token expired');
  if (typeof payload.nbf === 'number' && payload.nbf > now + 60) return fail('token not yet valid');
  return { ok: true, payload };
}

export function introspectAccessToken(opts: {
  token: string | undefined;
  service: string;
  user: string | undefined;
  issuer: string;
  publicKey: KeyObject;
  kid: string;
  now?: number;
}): IntrospectionResult {
  const inactive = (error: string): IntrospectionResult => ({ active: false, error });
  if (!(opts.service in SERVICE_PERMISSIONS)) return inactive(`unknown service '${opts.service}'`);
  const permission = SERVICE_PERMISSIONS[opts.service as MailService];
  const checked = verifyAccessToken(opts.token, opts);
  if (!checked.ok) return inactive(checked.error);
  const payload = checked.payload as Record<string, unknown> & { exp: number };
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!aud.some((a) => typeof a === 'string' && AUDIENCES.has(a))) return inactive('wrong audience');

  const scp = typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [];
  const roles = Array.isArray(payload.roles) ? (payload.roles as unknown[]).filter((r): r is string => typeof r === 'string') : [];
  const appOnly = scp.length === 0 && roles.length > 0;
  const clientId = String(payload.appid ?? payload.azp ?? '');

  if (appOnly) {
    if (!roles.includes(permission.app)) return inactive(`token lacks app permission ${permission.app}`);
    if (!opts.user) return inactive('an app-only token needs the mailbox as user');
    const mailbox = SANDBOX_USERS.find((u) => u.upn.toLowerCase() === opts.user!.toLowerCase());
    if (!mailbox) return inactive(`mailbox ${opts.user} not found`);
    return { active: true, username: mailbox.upn, scope: roles.join(' '), client_id: clientId, exp: payload.exp };
  }

  if (!scp.includes(permission.delegated)) return inactive(`token lacks scope ${permission.delegated} (it has: ${scp.join(' ') || 'none'})`);
  const tokenUser = String(payload.upn ?? payload.preferred_username ?? '');
  if (!tokenUser) return inactive('token has no user');
  const mailbox = opts.user || tokenUser;
  if (!mayOpenMailbox(tokenUser, mailbox)) return inactive(`${tokenUser} may not open mailbox ${mailbox}`);
  const canonical = SANDBOX_USERS.find((u) => u.upn.toLowerCase() === mailbox.toLowerCase())?.upn ?? mailbox;
  return { active: true, username: canonical, scope: scp.join(' '), client_id: clientId, exp: payload.exp };
}
