import * as os from 'node:os';
import * as vscode from 'vscode';
import { CancelledError, M365MailError } from '../core/errors';
import { presetRefusal } from '../core/presets';
import { loadChunk } from '../common/lazyChunk';
import type { Logger } from '../core/logger';
import type { SecretRedactor } from '../core/redact';
import type { Settings } from '../common/settings';
import type { CredentialStore } from '../credentials/credentialStore';
import type { OutgoingMessage } from '../mail/smtp/smtpClient';
import { formatSize } from '../core/format';
import { mailboxOf, transportsOf, type CredentialDefinition } from '../core/model';
import type { TokenBroker } from '../credentials/tokenBroker';
import { validateMailbox } from '../core/validation';
import { InboxPreviewPanel } from '../webviews/inboxPreview/inboxPreviewPanel';
import { setWalkthroughKey, WalkthroughKeys } from '../views/walkthrough';
import { CommandIds } from './commandIds';
import { mailSenderFor } from './mailSender';
import type { GraphSwitch } from './graphSwitch';
import type { CredentialPicker } from './pickCredential';
import type { CommandRegistry } from './registry';

export interface MailCommandDeps {
  extensionUri: vscode.Uri;
  store: CredentialStore;
  tokens: TokenBroker;
  settings: Settings;
  logger: Logger;
  /** The server's reply shown after a send passes it. */
  redactor: SecretRedactor;
  pickCredential: CredentialPicker;
  /** "Send through Microsoft Graph instead" when SMTP AUTH is off. */
  graphSwitch: GraphSwitch;
}

/** Proof that a credential works: a test mail, the open .eml, the inbox preview. */
export function registerMailCommands(registry: CommandRegistry, deps: MailCommandDeps): void {
  const { tokens, settings, logger } = deps;

  const senderDeps = { tokens, settings, logger };

  async function askRecipients(def: CredentialDefinition, fileRecipients: string[] = []): Promise<string[]> {
    type Choice = vscode.QuickPickItem & { value: 'self' | 'file' | 'other' };
    const choices: Choice[] = [
      { label: vscode.l10n.t('Send to {0}', mailboxOf(def)), description: vscode.l10n.t("the credential's own mailbox (safest)"), value: 'self' }
    ];
    if (fileRecipients.length) {
      choices.push({ label: vscode.l10n.t("Send to the file's recipients"), description: fileRecipients.join(', '), value: 'file' });
    }
    choices.push({ label: vscode.l10n.t('Enter recipients…'), value: 'other' });
    const picked = await vscode.window.showQuickPick(choices, { placeHolder: vscode.l10n.t('Who receives it? (envelope recipients)'), ignoreFocusOut: true });
    if (!picked) throw new CancelledError();
    if (picked.value === 'self') return [mailboxOf(def)];
    if (picked.value === 'file') return fileRecipients;
    const typed = await vscode.window.showInputBox({
      prompt: vscode.l10n.t('Recipients, separated by commas'),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const list = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        if (list.length === 0) return vscode.l10n.t('Enter at least one address.');
        return list.map((a) => validateMailbox(a, vscode.l10n.t('a recipient'), true)).find(Boolean);
      }
    });
    if (!typed) throw new CancelledError();
    return typed
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }

  function reportSent(def: CredentialDefinition, outcome: string, recipients: string[]): void {
    // The server accepted it: the walkthrough's "Send a test mail" step is done (any sent mail proves it).
    setWalkthroughKey(WalkthroughKeys.sentTestMail);
    void vscode.window.showInformationMessage(vscode.l10n.t('Sent with "{0}" to {1}. {2}', def.name, recipients.join(', '), deps.redactor.redact(outcome)));
  }

  /**
   * Sends and says so. SMTP AUTH off (5.7.139) comes back with "Send through Microsoft Graph
   * instead", after which the same message (composed again for the switched credential) is sent
   * over Graph when the user says so.
   */
  async function sendAndReport(
    def: CredentialDefinition,
    compose: (def: CredentialDefinition) => OutgoingMessage,
    what: string,
    to: string[],
    note = ''
  ): Promise<void> {
    try {
      const sent = await mailSenderFor(def, senderDeps).send(compose(def), what);
      reportSent(def, sent.outcome, to);
    } catch (error) {
      throw deps.graphSwitch.offer(error, def, {
        question: (switched) => `${vscode.l10n.t('"{0}" now sends through Microsoft Graph. Send {1} again?', switched.name, what)}${note}`,
        button: vscode.l10n.t('Send again'),
        run: (switched) => sendAndReport(switched, compose, what, to)
      });
    }
  }

  function testMail(def: CredentialDefinition, to: string[], sentAt: Date): OutgoingMessage {
    const via = transportsOf(def).send === 'graph' ? mailSenderFor(def, senderDeps).via : '';
    return {
      kind: 'compose',
      from: mailboxOf(def),
      to,
      subject: vscode.l10n.t('M365 Mail test from "{0}"', def.name),
      text: [
        vscode.l10n.t('This test message was sent by M365 Mail for VS Code.'),
        '',
        `${vscode.l10n.t('Credential')}: ${def.name}`,
        `${vscode.l10n.t('Mailbox')}: ${mailboxOf(def)}`,
        via
          ? `${vscode.l10n.t('Sent through')}: ${via}`
          : `${vscode.l10n.t('SMTP server')}: ${def.smtp.host}:${def.smtp.port} (${def.smtp.security === 'tls' ? 'TLS' : 'STARTTLS'}, SASL XOAUTH2)`,
        `${vscode.l10n.t('Sent at')}: ${sentAt.toISOString()}`,
        `${vscode.l10n.t('From host')}: ${os.hostname()}`
      ].join('\r\n'),
      headers: { 'X-Mailer': 'M365 Mail for VS Code' }
    };
  }

  registry.register(CommandIds.sendTestMail, async (arg) => {
    const def = await deps.pickCredential(arg, vscode.l10n.t('Credential to send a test mail with'));
    const to = await askRecipients(def);
    await sendAndReport(def, (d) => testMail(d, to, new Date()), vscode.l10n.t('a test mail'), to);
  });

  registry.register(CommandIds.sendEml, async (arg) => {
    const started = performance.now();
    const smtp = loadChunk('smtp');
    // The file is checked before anything else: its problem is the one the user can act on.
    const source = await emlSource(arg, smtp.checkEmlSize);
    const summary = await smtp.summarizeEml(source.bytes);
    logger.info(
      `.eml ${source.fromDisk ? 'read from disk' : "taken from the editor's text"}: ${formatSize(summary.sizeBytes)} checked and summarized in ${Math.round(performance.now() - started)} ms`
    );
    if (deps.store.list().length === 0) throw new M365MailError('no_credentials', vscode.l10n.t('Add and authorize a credential first.'));
    const raw = { content: Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength) };
    const def = await deps.pickCredential(undefined, vscode.l10n.t('Send "{0}" with which credential?', summary.subject ?? vscode.l10n.t('(no subject)')));
    const fileRecipients = [...summary.to, ...summary.cc, ...summary.bcc];
    const to = await askRecipients(def, fileRecipients);
    const sender = mailSenderFor(def, senderDeps);
    const graphRecipients = vscode.l10n.t(
      'Microsoft Graph takes recipients from the headers: To, Cc and Bcc are replaced by the envelope recipients; the rest is sent as it is.'
    );
    const message = { kind: 'raw', envelope: { from: mailboxOf(def), to }, raw } as const;
    const attachments = summary.attachments.map((a) => `${a.filename ?? vscode.l10n.t('(unnamed)')} (${formatSize(a.sizeBytes)})`).join(', ');
    const detail = [
      `${vscode.l10n.t('From')}: ${summary.from ?? '—'}`,
      `${vscode.l10n.t('To')}: ${summary.to.join(', ') || '—'}`,
      summary.cc.length ? `Cc: ${summary.cc.join(', ')}` : '',
      `${vscode.l10n.t('Subject')}: ${summary.subject ?? '—'}`,
      `${vscode.l10n.t('Attachments')}: ${attachments || vscode.l10n.t('none')}`,
      `${vscode.l10n.t('Size')}: ${formatSize(summary.sizeBytes)}`,
      '',
      `${vscode.l10n.t('Credential')}: ${def.name} (${mailboxOf(def)} via ${sender.via})`,
      `${vscode.l10n.t('Envelope recipients')}: ${to.join(', ')}`,
      sender.describe(message) ?? ''
    ]
      .filter((l) => l !== '')
      .join('\n');
    const sendButton = vscode.l10n.t('Send');
    const confirmed = await vscode.window.showInformationMessage(vscode.l10n.t('Send this message as it is?'), { modal: true, detail }, sendButton);
    if (confirmed !== sendButton) throw new CancelledError();
    // After a switch to Graph, "Send again?" says what Graph does with the file's recipients.
    await sendAndReport(def, (d) => ({ ...message, envelope: { from: mailboxOf(d), to } }), vscode.l10n.t('the .eml file'), to, ` ${graphRecipients}`);
  });

  registry.register(CommandIds.previewInbox, async (arg) => {
    const def = await deps.pickCredential(arg, vscode.l10n.t('Credential whose mailbox to preview'));
    const refusal = presetRefusal(def, 'inboxPreview');
    if (refusal) throw new M365MailError('not_supported', refusal);
    InboxPreviewPanel.show(def, {
      extensionUri: deps.extensionUri,
      getAccessToken: (id, destination, resource) => tokens.getAccessToken(id, { destination, resource }),
      settings,
      logger,
      redactor: deps.redactor,
      onListed: () => setWalkthroughKey(WalkthroughKeys.previewedInbox)
    });
  });
}

interface EmlSource {
  bytes: Uint8Array;
  /** Read through VS Code's file system (local, remote or virtual), not from an editor. */
  fromDisk: boolean;
}

/**
 * The message to send: a file from the Explorer, the dialog or a saved editor is read as bytes
 * through `workspace.fs`, never opened as a text document (that decodes, copies and tokenizes it,
 * seconds for tens of MB, and fails on binary files before they can be refused with a reason).
 * Only an unsaved or dirty editor, or a scheme without a file system, is sent as its text.
 */
async function emlSource(arg: unknown, checkSize: (size: number) => void): Promise<EmlSource> {
  const uri = arg instanceof vscode.Uri ? arg : (activeEmlEditor()?.document.uri ?? (await pickEmlFile()));
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  const hasFileSystem = vscode.workspace.fs.isWritableFileSystem(uri.scheme) !== undefined;
  if ((open && (open.isDirty || open.isUntitled)) || !hasFileSystem) {
    const document = open ?? (await vscode.workspace.openTextDocument(uri));
    return { bytes: new TextEncoder().encode(document.getText()), fromDisk: false };
  }
  // An oversized file is refused before it is read into memory.
  checkSize((await vscode.workspace.fs.stat(uri)).size);
  return { bytes: await vscode.workspace.fs.readFile(uri), fromDisk: true };
}

function activeEmlEditor(): vscode.TextEditor | undefined {
  const editor = vscode.window.activeTextEditor;
  return editor && (editor.document.languageId === 'eml' || editor.document.fileName.toLowerCase().endsWith('.eml')) ? editor : undefined;
}

async function pickEmlFile(): Promise<vscode.Uri> {
  const [picked] =
    (await vscode.window.showOpenDialog({ filters: { 'E-mail message': ['eml'] }, canSelectMany: false, openLabel: vscode.l10n.t('Send') })) ?? [];
  if (!picked) throw new CancelledError();
  return picked;
}
