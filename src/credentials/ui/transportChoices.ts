import * as vscode from 'vscode';
import type { CredentialDefinition, MailPurpose, ReadTransport, SendTransport } from '../../core/model';
import { askChoice, type Choice, type Step } from './prompts';

export interface Transports {
  send: SendTransport;
  read: ReadTransport;
}

/** The choices for a purpose; IMAP/SMTP first, so that accepting the default keeps what every earlier credential had. */
function transportChoices(purpose: MailPurpose): Array<Choice<Transports>> {
  const classic: Choice<Transports> = {
    label:
      purpose === 'both'
        ? vscode.l10n.t('IMAP / SMTP with XOAUTH2')
        : purpose === 'imap'
          ? vscode.l10n.t('IMAP with XOAUTH2')
          : vscode.l10n.t('SMTP with XOAUTH2'),
    description: vscode.l10n.t('what SAP Cloud Integration and AEM use'),
    value: { send: 'smtp', read: 'imap' }
  };
  const graph: Choice<Transports> = {
    label: vscode.l10n.t('Microsoft Graph'),
    description: vscode.l10n.t('works where the tenant keeps SMTP AUTH off'),
    value: { send: 'graph', read: 'graph' }
  };
  if (purpose !== 'both') return [classic, graph];
  return [
    classic,
    graph,
    {
      label: vscode.l10n.t('Microsoft Graph to send, IMAP to read'),
      description: vscode.l10n.t('where only SMTP AUTH is off'),
      value: { send: 'graph', read: 'imap' }
    }
  ];
}

export function askTransports(step: Step, purpose: MailPurpose): Promise<Transports> {
  return askChoice(step, vscode.l10n.t('How will it send and read mail?'), transportChoices(purpose));
}

/** Stores the transports on a definition, leaving out the defaults (SMTP, IMAP) as every earlier definition does. */
export function applyTransports(def: Partial<CredentialDefinition>, transports: Transports): void {
  def.sendTransport = transports.send === 'graph' ? 'graph' : undefined;
  def.readTransport = transports.read === 'graph' ? 'graph' : undefined;
  if (!def.sendTransport) delete def.sendTransport;
  if (!def.readTransport) delete def.readTransport;
}
