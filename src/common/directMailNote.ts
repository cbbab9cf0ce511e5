import type { CredentialDefinition } from '../core/model';
import { mailPortsNote } from '../net/proxyErrors';
import type { Settings } from './settings';

/**
 * What a failed direct IMAP or SMTP connection adds when an HTTPS proxy is configured: the proxy
 * does not carry them, and Microsoft Graph, which does, is named where the credential can use it
 * (a Microsoft credential whose cloud has a Graph endpoint). Undefined without a proxy.
 */
export function directMailNote(def: CredentialDefinition, protocol: 'IMAP' | 'SMTP', port: number, settings: Settings): string | undefined {
  if (!settings.proxy()) return undefined;
  const graphPossible = def.provider !== 'generic' && Boolean(settings.clouds().get(def.cloud)?.graphEndpoint);
  return mailPortsNote(protocol, port, graphPossible);
}
