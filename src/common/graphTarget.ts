import * as vscode from 'vscode';
import { M365MailError } from '../core/errors';
import type { Logger } from '../core/logger';
import { mailboxOf, type CredentialDefinition } from '../core/model';
import { toGraphServer, type TokenDestination } from '../core/tokenDestinations';
import type { ProxyConfig } from '../net/proxyRoute';
import type { Settings } from './settings';

/** What every Graph request of a credential needs (the `graph` chunk's GraphConnection plus the mailbox). */
export interface GraphTarget {
  graphEndpoint: string;
  /** The cloud's Graph host as the token broker's destination. */
  destination: TokenDestination;
  getAccessToken: () => Promise<string>;
  extraCaCertificates: readonly string[];
  proxy?: ProxyConfig;
  logger: Logger;
  /** `/users/{mailbox}`: the user, or the shared mailbox. */
  mailbox: string;
  /** Client credentials: app-only tokens, whose errors have other next steps. */
  appOnly: boolean;
  /** The cloud's Outlook hosts, where Graph's upload sessions for large attachments may point. */
  uploadHosts: readonly string[];
}

/**
 * A credential's Graph endpoint (from its cloud) with a token getter for the resource `graph`;
 * refuses, with what to do, a cloud that has none.
 */
export function graphTargetOf(
  def: CredentialDefinition,
  settings: Settings,
  logger: Logger,
  getGraphToken: (destination: TokenDestination) => Promise<{ accessToken: string }>
): GraphTarget {
  const cloud = settings.clouds().require(def.cloud);
  const endpoint = cloud.graphEndpoint;
  const destination = endpoint ? toGraphServer(endpoint) : undefined;
  if (!endpoint || !destination) {
    throw new M365MailError('graph.no_endpoint', vscode.l10n.t('The Microsoft cloud of "{0}" has no Graph endpoint.', def.name), {
      nextStep: vscode.l10n.t('Add graphEndpoint to the cloud in m365mail.customClouds, or use SMTP and IMAP (Edit credential).')
    });
  }
  return {
    graphEndpoint: endpoint,
    destination,
    getAccessToken: async () => (await getGraphToken(destination)).accessToken,
    extraCaCertificates: settings.trustedCaCertificates(),
    proxy: settings.proxy(),
    logger,
    mailbox: mailboxOf(def),
    appOnly: def.grant === 'clientCredentials',
    uploadHosts: cloud.graphUploadHosts ?? []
  };
}
