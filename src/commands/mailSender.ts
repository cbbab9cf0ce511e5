import * as vscode from 'vscode';
import { directMailNote } from '../common/directMailNote';
import { loadChunk } from '../common/lazyChunk';
import type { Settings } from '../common/settings';
import { formatSize } from '../core/format';
import type { Logger } from '../core/logger';
import { mailboxOf, transportsOf, type CredentialDefinition } from '../core/model';
import { toMailServer } from '../core/tokenDestinations';
import { graphTargetOf } from '../common/graphTarget';
import type { TokenBroker } from '../credentials/tokenBroker';
import type { OutgoingMessage } from '../mail/smtp/smtpClient';

/** What a send came to, in the words the notification shows. */
export interface SentReport {
  /** "Server reply: 250 …" or "Microsoft Graph accepted it (202) …". */
  outcome: string;
}

/**
 * One way a credential sends: SMTP with XOAUTH2 (the `smtp` chunk) or Microsoft Graph `sendMail`
 * (the `graph` chunk), chosen by the credential's sending transport. Commands send through this and
 * never look at the transport themselves.
 */
export interface MailSender {
  /** Where the message goes, for titles and confirmations: `smtp.office365.com:587` or `Microsoft Graph (graph.microsoft.com)`. */
  readonly via: string;
  /** What the confirmation says about how this transport sends the message, if anything. */
  describe(message: OutgoingMessage): string | undefined;
  send(message: OutgoingMessage, what: string): Promise<SentReport>;
}

export interface MailSenderDeps {
  tokens: TokenBroker;
  settings: Settings;
  logger: Logger;
}

export function mailSenderFor(def: CredentialDefinition, deps: MailSenderDeps): MailSender {
  return transportsOf(def).send === 'graph' ? graphSender(def, deps) : smtpSender(def, deps);
}

function smtpSender(def: CredentialDefinition, { tokens, settings, logger }: MailSenderDeps): MailSender {
  const via = `${def.smtp.host}:${def.smtp.port}`;
  return {
    via,
    describe: () => undefined,
    send: async (message, what) =>
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Sending {0} with "{1}" through {2}…', what, def.name, def.smtp.host) },
        async () => {
          const token = await tokens.getAccessToken(def.id, { destination: toMailServer(def.smtp) });
          const result = await loadChunk('smtp').sendMail(
            {
              host: def.smtp.host,
              port: def.smtp.port,
              security: def.smtp.security === 'tls' ? 'tls' : 'starttls',
              user: mailboxOf(def),
              accessToken: token.accessToken,
              extraCaCertificates: settings.trustedCaCertificates(),
              directNote: directMailNote(def, 'SMTP', def.smtp.port, settings),
              logger
            },
            message
          );
          logger.info(
            `sent ${what} for ${def.id}: ${result.response} (message ID ${result.messageId ?? '—'}, accepted ${result.accepted.length}, rejected ${result.rejected.length})`
          );
          return {
            outcome: vscode.l10n.t('Server reply: {0}{1}', result.response, result.messageId ? vscode.l10n.t(' · Message-ID {0}', result.messageId) : '')
          };
        }
      )
  };
}

function graphSender(def: CredentialDefinition, { tokens, settings, logger }: MailSenderDeps): MailSender {
  const endpoint = settings.clouds().require(def.cloud).graphEndpoint;
  const host = endpoint ? new URL(endpoint).host : '';
  return {
    via: vscode.l10n.t('Microsoft Graph ({0})', host),
    describe: (message) => {
      if (message.kind !== 'raw' || !('content' in message.raw) || !Buffer.isBuffer(message.raw.content)) return undefined;
      return loadChunk('graph').emlSendPath(message.raw.content, message.envelope.to) === 'mime'
        ? vscode.l10n.t(
            'Sent as its own MIME: Microsoft Graph takes recipients from the headers, so To, Cc and Bcc are replaced by the envelope recipients; the rest is sent as it is.'
          )
        : vscode.l10n.t(
            'Over the 3 MB raw-MIME limit of Microsoft Graph: sent as a draft with its attachments uploaded, to the envelope recipients. Exchange rebuilds the MIME (headers other than five X- headers, the part structure and encodings are its own). Needs the permission Mail.ReadWrite.'
          );
    },
    send: async (message, what) =>
      vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Sending {0} with "{1}" through Microsoft Graph…', what, def.name),
          cancellable: true
        },
        async (progress, cancellation) => {
          const target = graphTargetOf(def, settings, logger, (destination) => tokens.getAccessToken(def.id, { destination, resource: 'graph' }));
          const abort = new AbortController();
          const subscription = cancellation.onCancellationRequested(() => abort.abort());
          try {
            const result = await loadChunk('graph').sendMailOverGraph(
              {
                ...target,
                signal: abort.signal,
                // Throttled: the wait Graph asked for (at most 60 s in all), in this notification; its Cancel ends it.
                progress: { waiting: (wait) => progress.report({ message: wait.message }) },
                onUpload: (name, sent, total) =>
                  progress.report({ message: vscode.l10n.t('Uploading "{0}": {1} of {2}…', name, formatSize(sent), formatSize(total)) })
              },
              message,
              // The smtp chunk parses a large .eml into a draft; the .eml command has loaded it already.
              { planDraft: message.kind === 'raw' ? loadChunk('smtp').planDraft : undefined }
            );
            logger.info(`sent ${what} for ${def.id} over Microsoft Graph (${result.path}): ${result.status}, request-id ${result.requestId ?? '—'}`);
            const accepted = vscode.l10n.t(
              'Microsoft Graph accepted it ({0}: accepted, not yet delivered) · request-id {1}',
              result.status,
              result.requestId ?? '—'
            );
            const how =
              result.path === 'draft'
                ? vscode.l10n.t(
                    ' · sent as a draft with {0} attachment(s) uploaded; Exchange rebuilt the MIME',
                    (result.attachments?.posted ?? 0) + (result.attachments?.uploaded ?? 0)
                  ) + (result.droppedHeaders?.length ? vscode.l10n.t(' · X- headers left out (Graph takes five): {0}', result.droppedHeaders.join(', ')) : '')
                : result.path === 'mime'
                  ? vscode.l10n.t(' · sent as its own MIME')
                  : '';
            return { outcome: accepted + how };
          } finally {
            subscription.dispose();
          }
        }
      )
  };
}
