/**
 * Export and import of credential definitions as JSON, so a team can share them. Only the fields of
 * {@link CredentialDefinition} travel; anything else in a file (a pasted secret, a token) is dropped
 * on import, and export never reads SecretStorage. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { randomUUID } from 'node:crypto';
import type { CredentialDefinition } from './model';

const EXPORT_FORMAT = 'm365mail.credentials';
const EXPORT_VERSION = 1;

const FIELDS = [
  'name',
  'description',
  'provider',
  'cloud',
  'tenant',
  'issuer',
  'authorizationUrl',
  'tokenUrl',
  'deviceAuthorizationUrl',
  'extraAuthorizationParameters',
  'clientId',
  'clientAuth',
  'grant',
  'userName',
  'sharedMailbox',
  'purpose',
  'sendTransport',
  'readTransport',
  'scopes',
  'refreshTokenExpiryDays',
  'redirectUri',
  'imap',
  'smtp'
] as const satisfies ReadonlyArray<keyof CredentialDefinition>;

export type PortableDefinition = Omit<CredentialDefinition, 'id'>;

export function exportDefinitions(definitions: readonly CredentialDefinition[]): string {
  const credentials = definitions.map((d) => pick(d));
  return JSON.stringify({ format: EXPORT_FORMAT, version: EXPORT_VERSION, credentials }, null, 2) + '\n';
}

export class ImportFormatError extends Error {}

/** Parses an export file; each imported definition gets a new id. Validation is the caller's (validateDefinition). */
export function parseExport(text: string): CredentialDefinition[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ImportFormatError(l10n.t('The file is not JSON ({0}).', error instanceof Error ? error.message : String(error)));
  }
  const file = data as { format?: unknown; version?: unknown; credentials?: unknown };
  if (!file || typeof file !== 'object' || file.format !== EXPORT_FORMAT) {
    throw new ImportFormatError(l10n.t('The file is not an M365 Mail export (expected "format": "{0}").', EXPORT_FORMAT));
  }
  if (file.version !== EXPORT_VERSION) {
    throw new ImportFormatError(l10n.t('This export has version {0}; this release reads version {1}.', String(file.version), EXPORT_VERSION));
  }
  if (!Array.isArray(file.credentials)) throw new ImportFormatError(l10n.t('The export has no "credentials" list.'));
  return file.credentials.map((entry, i) => {
    if (!entry || typeof entry !== 'object') throw new ImportFormatError(l10n.t('Credential #{0} is not an object.', i + 1));
    return { id: randomUUID(), ...pick(entry as Partial<CredentialDefinition>) } as CredentialDefinition;
  });
}

function pick(source: Partial<CredentialDefinition>): PortableDefinition {
  const out: Record<string, unknown> = {};
  for (const key of FIELDS) {
    if (source[key] !== undefined) out[key] = structuredClone(source[key]);
  }
  return out as PortableDefinition;
}
