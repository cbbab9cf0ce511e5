import * as vscode from 'vscode';
import { CancelledError } from '../../core/errors';
import {
  CertificateError,
  certificateFileKind,
  derCertificateToPem,
  findPrivateKey,
  isEncryptedPrivateKey,
  readClientCertificate
} from '../../core/certificate';
import { loadChunk } from '../../common/lazyChunk';
import type { CredentialSecrets } from '../credentialStore';
import { askFile } from './prompts';

/**
 * Asks for a client certificate and its private key: a .pfx/.p12 file with its password, one PEM
 * file holding both, or a certificate (PEM or DER) and a key file, the key possibly encrypted with a
 * passphrase. A password is used once to unlock the file and never stored: what is stored is the
 * unlocked PEM key and the certificate chain, checked to belong together first. Used by the add
 * and edit flows; nothing is saved when a step fails. node-forge, which does the unlocking, is in
 * the `certificates` chunk, loaded only when a file needs it.
 */
export async function askCertificate(): Promise<Required<Pick<CredentialSecrets, 'certificate' | 'privateKey'>>> {
  const first = await pick(vscode.l10n.t('Select the client certificate (.pfx/.p12, or PEM; a PEM may also hold the private key)'), ALL());
  let certificateText: string;
  let key: { text: string; name: string };
  if (first.kind === 'pkcs12') {
    const unlocked = await withPassword(
      vscode.l10n.t('Password of {0}', first.name),
      vscode.l10n.t('The password the file was exported with'),
      first.name,
      (password) => loadChunk('certificates').unlockPkcs12(first.bytes, password, first.name)
    );
    certificateText = unlocked.certificatePem;
    key = { text: unlocked.privateKeyPem, name: first.name };
  } else if (first.kind === 'derCertificate' || /-----BEGIN CERTIFICATE-----/.test(first.text)) {
    certificateText = first.kind === 'derCertificate' ? derCertificateToPem(first.bytes) : first.text;
    key = findPrivateKey(first.text) ? first : await pickKey();
  } else if (findPrivateKey(first.text)) {
    // A key chosen first: the certificate comes next.
    key = first;
    const second = await pick(vscode.l10n.t('Select the certificate of this key (PEM or DER)'), { [vscode.l10n.t('Certificate')]: ['pem', 'crt', 'cer'] });
    certificateText = second.kind === 'derCertificate' ? derCertificateToPem(second.bytes) : second.text;
  } else {
    certificateText = first.text; // readClientCertificate names what is missing
    key = first;
  }
  let keyText = key.text;
  if (isEncryptedPrivateKey(keyText)) {
    keyText = await withPassword(
      vscode.l10n.t('Passphrase of the private key in {0}', key.name),
      vscode.l10n.t('The passphrase the key was encrypted with'),
      key.name,
      (passphrase) => loadChunk('certificates').decryptPrivateKey(key.text, passphrase, key.name)
    );
  }
  const certificate = readClientCertificate(certificateText, keyText);
  return { certificate: certificate.certificatePem, privateKey: certificate.privateKeyPem };
}

const ALL = (): Record<string, string[]> => ({ [vscode.l10n.t('Certificate or key')]: ['pfx', 'p12', 'pem', 'crt', 'cer', 'key'] });

interface PickedFile {
  name: string;
  bytes: Uint8Array;
  text: string;
  kind: ReturnType<typeof certificateFileKind>;
}

async function pick(title: string, filters: Record<string, string[]>): Promise<PickedFile> {
  const uri = await askFile(title, filters);
  const bytes = await vscode.workspace.fs.readFile(uri);
  const name = uri.path.split('/').pop() ?? uri.path;
  const kind = certificateFileKind(bytes);
  if (kind === 'unknown') {
    throw new CertificateError('not_a_certificate', vscode.l10n.t('{0} is neither a PEM file, a DER certificate nor a PKCS#12 (.pfx/.p12) file.', name), {
      nextStep: vscode.l10n.t('Select the certificate file exported from Entra, Key Vault or Windows (.pfx, .p12, .pem, .crt, .cer).')
    });
  }
  return { name, bytes, kind, text: kind === 'pem' ? new TextDecoder().decode(bytes) : '' };
}

async function pickKey(): Promise<PickedFile> {
  return pick(vscode.l10n.t('Select the private key (PEM)'), { [vscode.l10n.t('Private key')]: ['pem', 'key'] });
}

/**
 * Asks for a password in a password box and unlocks with it. A wrong one asks again (the add flow's
 * earlier answers are not lost); Escape cancels. The password lives only in this call.
 */
async function withPassword<T>(title: string, prompt: string, fileName: string, unlock: (password: string) => T): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const password = await vscode.window.showInputBox({
      // A new title per retry, so the box visibly changes (and a test can wait on it).
      title: attempt ? vscode.l10n.t('{0} (attempt {1})', title, attempt + 1) : title,
      prompt: attempt ? vscode.l10n.t('The password does not open {0}. Type it again (it is case-sensitive), or press Escape to cancel.', fileName) : prompt,
      password: true,
      ignoreFocusOut: true
    });
    if (password === undefined) throw new CancelledError();
    try {
      return unlock(password);
    } catch (error) {
      if (!(error instanceof CertificateError && error.problem === 'wrong_password')) throw error;
    }
  }
}
