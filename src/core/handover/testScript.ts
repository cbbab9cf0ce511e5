/**
 * A shell script that proves a credential with `curl`, as the AEM seed's validation step does: IMAP
 * and SMTP with SASL XOAUTH2, or Microsoft Graph where the credential uses it. The access token is
 * never in the script: it reads it from an environment variable the user fills in by hand, and the
 * script says how. Pure; no `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import type { CloudCatalog } from '../clouds';
import { mailboxOf, resourcesOf, transportsOf, type CredentialDefinition, type MailEndpoint, type TokenResource } from '../model';

export const TOKEN_VARIABLE = 'M365MAIL_TOKEN';
/** Only when a credential uses both resources: Entra issues one token per resource. */
export const GRAPH_TOKEN_VARIABLE = 'M365MAIL_GRAPH_TOKEN';

export interface TestScript {
  text: string;
  /** Which token goes into which variable, so the host can offer to copy each. */
  variables: Array<{ name: string; resource: TokenResource }>;
}

/** POSIX single quotes: nothing inside is expanded. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function imapUrl(server: MailEndpoint): string {
  return `imaps://${server.host}:${server.port}/`;
}

function smtpUrl(server: MailEndpoint): string {
  return server.security === 'tls' ? `smtps://${server.host}:${server.port}` : `smtp://${server.host}:${server.port}`;
}

export function connectionTestScript(def: CredentialDefinition, clouds: CloudCatalog): TestScript {
  const resources = resourcesOf(def);
  const variableOf = (resource: TokenResource) => (resource === 'graph' && resources.length > 1 ? GRAPH_TOKEN_VARIABLE : TOKEN_VARIABLE);
  const variables = resources.map((resource) => ({ name: variableOf(resource), resource }));
  const { send, read } = transportsOf(def);
  const mailbox = mailboxOf(def);
  const user = shellQuote(`${mailbox}:`);
  const graph = def.provider === 'microsoft' ? clouds.get(def.cloud)?.graphEndpoint : undefined;
  const graphUser = graph ? `${graph}/v1.0/users/${encodeURIComponent(mailbox)}` : '';
  const ref = (resource: TokenResource) => `"$${variableOf(resource)}"`;
  const lines = [
    '#!/bin/sh',
    `# ${l10n.t('M365 Mail: a curl test of "{0}" ({1}).', def.name, mailbox)}`,
    `# ${l10n.t('No token is written in this script. It reads a fresh access token from the environment:')}`
  ];
  for (const variable of variables) {
    const what = variable.resource === 'graph' ? l10n.t('the Microsoft Graph token') : l10n.t("the mail servers' token");
    lines.push(
      `#   ${variable.name}: ${what}. ${l10n.t('In VS Code run "M365 Mail: Use in…" → "A script" → "Copy access token for {0}", then in this shell:', variable.name)}`,
      `#     read -rs ${variable.name} && export ${variable.name}`,
      `#   ${l10n.t('paste it and press Enter (it is not echoed, and not kept in the shell history). It is valid for about an hour.')}`
    );
  }
  lines.push('', 'set -eu');
  for (const variable of variables) {
    lines.push(`: "\${${variable.name}:?${l10n.t('set {0} first (see the top of this script)', variable.name)}}"`);
  }
  const reads = def.purpose !== 'smtp';
  const sends = def.purpose !== 'imap';
  if (reads && read === 'imap') {
    lines.push(
      '',
      `# ${l10n.t('IMAP: sign in with XOAUTH2 and examine INBOX (read-only: nothing is changed).')}`,
      `curl --silent --show-error --url ${shellQuote(imapUrl(def.imap))} --login-options 'AUTH=XOAUTH2' --user ${user} --oauth2-bearer ${ref('exchange')} --request 'EXAMINE INBOX'`
    );
  }
  if (reads && read === 'graph') {
    lines.push(
      '',
      `# ${l10n.t('Microsoft Graph: read the inbox folder (read-only).')}`,
      `curl --silent --show-error --fail-with-body --oauth2-bearer ${ref('graph')} ${shellQuote(`${graphUser}/mailFolders/inbox?$select=displayName,totalItemCount`)}`
    );
  }
  if (sends && send === 'smtp') {
    const subject = l10n.t('M365 Mail: curl test of "{0}"', def.name);
    lines.push(
      '',
      `# ${l10n.t('SMTP: sign in with XOAUTH2 and send a short test mail to {0} itself.', mailbox)}`,
      `printf 'From: %s\\r\\nTo: %s\\r\\nSubject: %s\\r\\n\\r\\n%s\\r\\n' ${shellQuote(mailbox)} ${shellQuote(mailbox)} ${shellQuote(subject)} ${shellQuote(l10n.t('Sent by curl with SASL XOAUTH2.'))} |`,
      `  curl --silent --show-error --url ${shellQuote(smtpUrl(def.smtp))}${def.smtp.security === 'starttls' ? ' --ssl-reqd' : ''} --login-options 'AUTH=XOAUTH2' --user ${user} --oauth2-bearer ${ref('exchange')} --mail-from ${shellQuote(mailbox)} --mail-rcpt ${shellQuote(mailbox)} --upload-file -`
    );
  }
  if (sends && send === 'graph') {
    const message = {
      message: {
        subject: l10n.t('M365 Mail: curl test of "{0}"', def.name),
        body: { contentType: 'Text', content: l10n.t('Sent by curl through Microsoft Graph.') },
        toRecipients: [{ emailAddress: { address: mailbox } }]
      },
      saveToSentItems: false
    };
    lines.push(
      '',
      `# ${l10n.t('Microsoft Graph: send a short test mail to {0} itself (sendMail answers 202 with no body).', mailbox)}`,
      `curl --silent --show-error --fail-with-body --oauth2-bearer ${ref('graph')} --header 'Content-Type: application/json' --data ${shellQuote(JSON.stringify(message))} ${shellQuote(`${graphUser}/sendMail`)}`
    );
  }
  lines.push('', `echo ${shellQuote(l10n.t('Done: every command above succeeded.'))}`, '');
  return { text: lines.join('\n'), variables };
}
