/**
 * Where an access token may go. A definition file is shared by a team, so it is untrusted input: a
 * tampered one can keep the team's real tenant and client ID and point IMAP at a look-alike host
 * with a valid certificate, which would then receive a genuine token in `AUTHENTICATE XOAUTH2`.
 * This module decides, for a definition and a mail server, whether that server is one the token's
 * issuer names as its own or needs the user's approval. The host asks and remembers
 * (`credentials/tokenDestinationGuard.ts`). No `vscode` import.
 *
 * The rules:
 * - Microsoft: the server (host and port) must be one of the cloud's own (IMAP, SMTP, Graph, and in
 *   the global cloud the SMTP servers of Outlook.com and High Volume Email), built in or from
 *   `m365mail.customClouds`. A credential whose cloud is unknown (a custom cloud removed from the
 *   setting) is refused: falling back to the global cloud would send a token somewhere else.
 * - A generic definition that signs in at a preset's hosts (Gmail: accounts.google.com and
 *   oauth2.googleapis.com): the preset's servers.
 * - Any other generic definition: the authorization URL's own host name, on any port. Nothing wider
 *   ("the same site") is allowed without asking: telling `login.example.co.uk` from `evil.co.uk`, or
 *   two tenants of a shared hosting domain apart, needs the Public Suffix List, and one remembered
 *   question per host costs less than carrying that list. An IP literal or `localhost` is never
 *   taken as the authorization server's: any local process can listen on another of its ports.
 * Ports count for clouds and presets: they name exact servers, and on a shared address (loopback,
 * the sandbox) another port is another program.
 */
import * as l10n from '@vscode/l10n';
import { createHash } from 'node:crypto';
import { GENERIC_PRESETS, type CloudCatalog } from './clouds';
import type { CredentialDefinition, MailEndpoint } from './model';

/** Where a caller is about to use a token: a mail server, or nowhere but this machine (refresh, token details). */
export type TokenDestination = { kind: 'mailServer'; host: string; port: number } | { kind: 'thisMachine' };

export type MailServer = Pick<MailEndpoint, 'host' | 'port'>;

/** The destination of a token handed to a credential's IMAP or SMTP server. */
export function toMailServer(endpoint: MailServer): TokenDestination {
  return { kind: 'mailServer', host: endpoint.host, port: endpoint.port };
}

/**
 * The destination of a token handed to Microsoft Graph at `graphEndpoint` (an https origin): its
 * host on its port, 443 unless the origin names another. Undefined when it is not a URL.
 */
export function toGraphServer(graphEndpoint: string): (TokenDestination & { kind: 'mailServer' }) | undefined {
  try {
    const url = new URL(graphEndpoint);
    return { kind: 'mailServer', host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 443 };
  } catch {
    return undefined;
  }
}

/** A token that stays on this machine: a refresh, the token details view. */
export const THIS_MACHINE: TokenDestination = { kind: 'thisMachine' };

export type DestinationVerdict =
  /** The issuer's own server: no question. `owner` names the cloud, the preset or the authorization host. */
  | { kind: 'own'; why: 'cloudServer' | 'presetServer' | 'authorizationHost'; owner: string }
  /** Another server: only with the user's approval. `expected` lists the owner's own servers, if it names any. */
  | { kind: 'ask'; why: 'notCloudServer' | 'notPresetServer' | 'notAuthorizationHost'; owner: string; expected: string[] }
  /** Never: the definition's cloud is unknown, or the host is not a host name. */
  | { kind: 'refuse'; why: 'unknownCloud' | 'invalidHost'; subject: string };

/** What the definition says about the issuer, enough for {@link classifyDestination}. */
export type DestinationFields = Pick<CredentialDefinition, 'provider' | 'cloud' | 'authorizationUrl' | 'tokenUrl'>;

/**
 * The host as a connection would reach it, for comparison: lower case, one trailing dot dropped
 * (`outlook.office365.com.` is the same name), IDNs in their `xn--` form, IPv4 and IPv6 literals in
 * canonical form (brackets dropped). Undefined for anything that is not a bare host: a port, a
 * path, credentials, spaces, empty labels.
 */
export function normalizeHost(host: string): string | undefined {
  let value = host.trim();
  if (!value || /[\s/\\@?#%]/.test(value)) return undefined;
  const bracketed = /^\[(.*)\]$/.exec(value);
  if (bracketed) value = bracketed[1];
  const ipv6 = value.includes(':');
  if (ipv6 && !/^[0-9a-f:.]+$/i.test(value)) return undefined;
  if (!ipv6 && value.endsWith('.')) value = value.slice(0, -1);
  if (!ipv6 && (value === '' || value.split('.').some((label) => label === ''))) return undefined;
  let parsed: string;
  try {
    parsed = new URL(`http://${ipv6 ? `[${value}]` : value}/`).hostname;
  } catch {
    return undefined;
  }
  return ipv6 ? parsed.replace(/^\[|\]$/g, '') : parsed;
}

export function isIpLiteral(normalizedHost: string): boolean {
  return normalizedHost.includes(':') || /^\d{1,3}(\.\d{1,3}){3}$/.test(normalizedHost);
}

function isLocalName(normalizedHost: string): boolean {
  return isIpLiteral(normalizedHost) || normalizedHost === 'localhost' || normalizedHost.endsWith('.localhost');
}

/** `host:port`, with IPv6 in brackets: how a destination is shown and remembered. */
export function serverLabel(server: MailServer): string {
  const host = normalizeHost(server.host) ?? server.host;
  return `${host.includes(':') ? `[${host}]` : host}:${server.port}`;
}

function sameServer(a: MailServer, b: MailServer): boolean {
  const host = normalizeHost(a.host);
  return host !== undefined && host === normalizeHost(b.host) && a.port === b.port;
}

function urlHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return normalizeHost(new URL(url).hostname);
  } catch {
    return undefined;
  }
}

/** The preset a generic definition signs in with, if both its authorization and token URLs are the preset's hosts. */
export function presetOf(def: Pick<DestinationFields, 'authorizationUrl' | 'tokenUrl'>): (typeof GENERIC_PRESETS)[keyof typeof GENERIC_PRESETS] | undefined {
  const authorization = urlHost(def.authorizationUrl);
  const token = urlHost(def.tokenUrl);
  if (!authorization || !token) return undefined;
  return Object.values(GENERIC_PRESETS).find((p) => urlHost(p.authorizationUrl) === authorization && urlHost(p.tokenUrl) === token);
}

/** Where the decision for one credential and one mail server comes out. Pure: same input, same verdict. */
export function classifyDestination(def: DestinationFields, clouds: CloudCatalog, server: MailServer): DestinationVerdict {
  if (def.provider === 'microsoft') {
    const cloud = clouds.get(def.cloud);
    if (!cloud) return { kind: 'refuse', why: 'unknownCloud', subject: def.cloud ?? 'global' };
    if (normalizeHost(server.host) === undefined) return { kind: 'refuse', why: 'invalidHost', subject: server.host };
    const graph = cloud.graphEndpoint ? toGraphServer(cloud.graphEndpoint) : undefined;
    const own: MailServer[] = [cloud.imap, cloud.smtp, ...(cloud.presetServers ?? []), ...(graph ? [graph] : [])];
    if (own.some((s) => sameServer(server, s))) return { kind: 'own', why: 'cloudServer', owner: cloud.label };
    return { kind: 'ask', why: 'notCloudServer', owner: cloud.label, expected: own.map(serverLabel) };
  }
  const host = normalizeHost(server.host);
  if (host === undefined) return { kind: 'refuse', why: 'invalidHost', subject: server.host };
  const preset = presetOf(def);
  if (preset) {
    const own = [preset.imap, preset.smtp];
    if (own.some((s) => sameServer(server, s))) return { kind: 'own', why: 'presetServer', owner: preset.label };
    return { kind: 'ask', why: 'notPresetServer', owner: preset.label, expected: own.map(serverLabel) };
  }
  const authorizationHost = urlHost(def.authorizationUrl) ?? '';
  if (authorizationHost && host === authorizationHost && !isLocalName(host)) return { kind: 'own', why: 'authorizationHost', owner: authorizationHost };
  return { kind: 'ask', why: 'notAuthorizationHost', owner: authorizationHost, expected: [] };
}

/** Why a verdict is what it is, as a phrase that follows "imap.example.net:993 is …". */
export function describeVerdict(verdict: DestinationVerdict): string {
  switch (verdict.why) {
    case 'cloudServer':
    case 'presetServer':
      return l10n.t('a server of {0}', verdict.owner);
    case 'authorizationHost':
      return l10n.t('the host of the authorization URL');
    case 'notCloudServer':
    case 'notPresetServer':
      return l10n.t('not a server of {0} (its servers: {1})', verdict.owner, verdict.expected.join(', '));
    case 'notAuthorizationHost':
      return verdict.owner ? l10n.t('not the host of the authorization URL ({0})', verdict.owner) : l10n.t('not the host of the authorization URL');
    case 'unknownCloud':
      return l10n.t('not usable: the Microsoft cloud "{0}" is not in the m365mail.customClouds setting', verdict.subject);
    case 'invalidHost':
      return l10n.t('not usable: "{0}" is not a host name', verdict.subject);
  }
}

/**
 * Names a definition's content, so that an approval given for one version of a credential is not
 * taken for another: any edit, and any import (which also gives a new id), asks again.
 */
export function definitionFingerprint(def: CredentialDefinition): string {
  return createHash('sha256').update(canonicalJson(def)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
