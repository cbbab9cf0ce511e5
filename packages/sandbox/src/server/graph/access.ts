/**
 * Who calls and what they may do, decided as Graph does: the bearer token (signed by the sandbox
 * authorization server, for Graph's audience, unexpired, of the tenant) and its `scp` (delegated) or
 * `roles` (app-only), then the directory (a delegate's shared mailboxes, the same table Dovecot's
 * token check uses) and the failures switched on through the control API.
 */
import type { IncomingMessage } from 'node:http';
import { GRAPH_APP_ID, GRAPH_RESOURCE, mayOpenMailbox, type SandboxUser } from '../fixtures';
import type { TokenCheck } from '../auth/introspect';
import type { GraphFaults } from '../auth/state';
import { graphErrors } from './errors';

export type Caller = { kind: 'user'; upn: string; scopes: Set<string> } | { kind: 'app'; clientId: string; roles: Set<string> };

/** `write`: drafts, their attachments and upload sessions, deleting (Mail.ReadWrite, as Graph asks for each). */
export type Need = 'profile' | 'read' | 'send' | 'write';

const AUDIENCES = new Set([GRAPH_RESOURCE, GRAPH_APP_ID]);

/** The caller of a request, or the 401 Graph answers. */
export function authenticate(req: IncomingMessage, verify: (token: string | undefined) => TokenCheck): Caller {
  const header = req.headers.authorization ?? '';
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!token) throw graphErrors.invalidToken('Access token is empty.');
  const checked = verify(token);
  if (!checked.ok) {
    const why: Record<string, string> = {
      'token expired': 'Lifetime validation failed, the token is expired.',
      'wrong tenant': 'Access token validation failure. Invalid tenant.',
      'bad signature': 'IDX10511: Signature validation failed.'
    };
    throw graphErrors.invalidToken(why[checked.error] ?? 'CompactToken parsing failed with error code: 80049217');
  }
  const p = checked.payload;
  const aud = Array.isArray(p.aud) ? p.aud : [p.aud];
  if (!aud.some((a) => typeof a === 'string' && AUDIENCES.has(a.replace(/\/$/, '')))) {
    throw graphErrors.invalidToken('Access token validation failure. Invalid audience.');
  }
  const scp = typeof p.scp === 'string' ? p.scp.split(' ').filter(Boolean) : [];
  const roles = Array.isArray(p.roles) ? p.roles.filter((r): r is string => typeof r === 'string') : [];
  if (scp.length > 0) {
    const upn = String(p.upn ?? p.preferred_username ?? '');
    if (!upn) throw graphErrors.invalidToken('Access token validation failure. The token has no user.');
    return { kind: 'user', upn, scopes: new Set(scp) };
  }
  return { kind: 'app', clientId: String(p.appid ?? p.azp ?? ''), roles: new Set(roles) };
}

/** Delegated scopes that allow each need, on the user's own mailbox and on another one. */
const DELEGATED: Record<Need, { own: string[]; other: string[] }> = {
  profile: { own: ['User.Read'], other: [] },
  read: { own: ['Mail.Read', 'Mail.ReadWrite', 'Mail.Read.Shared', 'Mail.ReadWrite.Shared'], other: ['Mail.Read.Shared', 'Mail.ReadWrite.Shared'] },
  send: { own: ['Mail.Send', 'Mail.Send.Shared'], other: ['Mail.Send.Shared'] },
  write: { own: ['Mail.ReadWrite', 'Mail.ReadWrite.Shared'], other: ['Mail.ReadWrite.Shared'] }
};
const APP_ROLES: Record<Need, string[]> = { profile: ['User.Read.All'], read: ['Mail.Read', 'Mail.ReadWrite'], send: ['Mail.Send'], write: ['Mail.ReadWrite'] };

/**
 * Throws what Graph answers when `caller` may not do `need` on `mailbox`. A user's directory entry
 * (`GET /users/{id}`) is also readable with any mail permission on that mailbox: the product's
 * connection test looks the mailbox up with only mail permissions granted.
 */
export function authorize(caller: Caller, mailbox: SandboxUser, need: Need, faults: GraphFaults): void {
  const has = (granted: Set<string>, wanted: string[]) => wanted.some((s) => granted.has(s));
  const allowed = (n: Need): boolean => {
    if (caller.kind === 'app') return has(caller.roles, APP_ROLES[n]);
    const own = caller.upn.toLowerCase() === mailbox.upn.toLowerCase();
    if (own) return has(caller.scopes, DELEGATED[n].own);
    return has(caller.scopes, DELEGATED[n].other) && mayOpenMailbox(caller.upn, mailbox.upn);
  };
  const ok = need === 'profile' ? allowed('profile') || allowed('read') || allowed('send') || allowed('write') : allowed(need);
  if (!ok) {
    // A delegate with the Send.Shared scope but no Send As right on that mailbox.
    if (need === 'send' && caller.kind === 'user' && caller.scopes.has('Mail.Send.Shared')) throw graphErrors.sendAsDenied();
    throw graphErrors.accessDenied();
  }
  if (need === 'profile') return;
  const listed = (list: string[]) => list.some((u) => u.toLowerCase() === mailbox.upn.toLowerCase());
  if (listed(faults.accessDenied)) throw caller.kind === 'app' ? graphErrors.accessPolicy() : graphErrors.accessDenied();
  if (listed(faults.mailboxNotEnabled)) throw graphErrors.mailboxNotEnabled();
  if (need === 'send' && listed(faults.sendAsDenied)) throw graphErrors.sendAsDenied();
}
