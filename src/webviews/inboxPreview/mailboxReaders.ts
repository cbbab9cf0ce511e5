import { loadChunk } from '../../common/lazyChunk';
import { directMailNote } from '../../common/directMailNote';
import { graphTargetOf } from '../../common/graphTarget';
import type { Settings } from '../../common/settings';
import type { Logger } from '../../core/logger';
import type { MailboxReader } from '../../core/mailboxReader';
import { mailboxOf, transportsOf, type CredentialDefinition, type TokenResource } from '../../core/model';
import { toMailServer, type TokenDestination } from '../../core/tokenDestinations';

export interface MailboxReaderDeps {
  /** A token for the credential and resource, handed to `destination` (the IMAP server or the Graph host). */
  getAccessToken: (credentialId: string, destination: TokenDestination, resource: TokenResource) => Promise<{ accessToken: string }>;
  settings: Settings;
  logger: Logger;
}

/** The reader for a credential's reading transport: IMAP (the `imap` chunk) or Microsoft Graph (the `graph` chunk). */
export function mailboxReaderFor(def: CredentialDefinition, deps: MailboxReaderDeps, hooks: { onReconnecting?: () => void } = {}): MailboxReader {
  const { settings, logger } = deps;
  if (transportsOf(def).read === 'graph') {
    const target = graphTargetOf(def, settings, logger, (destination) => deps.getAccessToken(def.id, destination, 'graph'));
    return new (loadChunk('graph').GraphMailboxReader)(target);
  }
  return new (loadChunk('imap').ImapMailboxReader)({
    host: def.imap.host,
    port: def.imap.port,
    user: mailboxOf(def),
    getAccessToken: async () => (await deps.getAccessToken(def.id, toMailServer(def.imap), 'exchange')).accessToken,
    extraCaCertificates: settings.trustedCaCertificates(),
    directNote: directMailNote(def, 'IMAP', def.imap.port, settings),
    logger,
    onReconnecting: hooks.onReconnecting
  });
}
