import * as vscode from 'vscode';
import { M365MailError } from '../../core/errors';
import { CertificateError, readClientCertificate } from '../../core/certificate';
import type { CredentialSecrets } from '../credentialStore';
import { askFile } from './prompts';

/**
 * Asks for a client certificate and its private key (one PEM file holding both, or two files) and
 * checks that they belong together before anything is stored. Used by the add and edit flows.
 */
export async function askCertificate(): Promise<Required<Pick<CredentialSecrets, 'certificate' | 'privateKey'>>> {
  const read = async (uri: vscode.Uri) => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  const certText = await read(await askFile(vscode.l10n.t('Select the certificate (PEM; may also hold the private key)'), { PEM: ['pem', 'crt', 'cer'] }));
  const keyText = /PRIVATE KEY-----/.test(certText)
    ? certText
    : await read(await askFile(vscode.l10n.t('Select the private key (PEM)'), { PEM: ['pem', 'key'] }));
  try {
    const cert = readClientCertificate(certText, keyText);
    return { certificate: cert.certificatePem, privateKey: cert.privateKeyPem };
  } catch (error) {
    if (error instanceof CertificateError) throw new M365MailError('invalid_certificate', error.message);
    throw error;
  }
}
