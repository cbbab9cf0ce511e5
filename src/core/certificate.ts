/**
 * Reads a client certificate and its private key from PEM text (one file with both, or two files),
 * and checks that they belong together before anything is stored. Also tells what a chosen file
 * holds (PEM, a DER certificate, PKCS#12), so the host knows whether to ask for a password; the
 * unlocking itself (node-forge) lives in the `certificates` chunk. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { M365MailError } from './errors';

export interface ClientCertificate {
  /** The certificate that matches the key first, then the rest of the chain as the file had it. */
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-256 thumbprint (hex, upper case), as Entra shows it and as the `x5t#S256` header carries it. */
  thumbprintSha256: string;
  subject: string;
  validTo: string;
}

/** Why a certificate or key was refused; each is its own error code (and telemetry code). */
export type CertificateProblem =
  'wrong_password' | 'no_key' | 'no_certificate' | 'not_a_certificate' | 'unsupported_cipher' | 'encrypted_key' | 'mismatch' | 'unreadable';

/** A certificate or key that cannot be used, with what to do about it. Branded, so it survives the chunk boundary. */
export class CertificateError extends M365MailError {
  override readonly name = 'CertificateError';
  static override readonly brand: string = 'CertificateError';

  constructor(
    readonly problem: CertificateProblem,
    message: string,
    options: { nextStep?: string; cause?: unknown } = {}
  ) {
    super(`certificate.${problem}`, message, options);
  }
}

const CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

function findCertificates(pem: string): string[] {
  return [...pem.matchAll(CERT)].map((m) => m[0]);
}

export function findPrivateKey(pem: string): string | undefined {
  return KEY.exec(pem)?.[0];
}

/** A PKCS#8 `ENCRYPTED PRIVATE KEY`, or a traditional key with OpenSSL's `Proc-Type: 4,ENCRYPTED` header. */
export function isEncryptedPrivateKey(keyPem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(keyPem) || /Proc-Type:\s*4\s*,\s*ENCRYPTED/i.test(keyPem);
}

/** What a chosen file holds, from its bytes (the name's extension is only a hint users get wrong). */
export type CertificateFileKind = 'pem' | 'pkcs12' | 'derCertificate' | 'unknown';

/**
 * Tells PEM text from a PKCS#12 container (PFX: SEQUENCE { INTEGER 3, … }, RFC 7292 section 4)
 * and from a DER certificate (SEQUENCE { SEQUENCE tbsCertificate, … }, RFC 5280 section 4.1).
 */
export function certificateFileKind(bytes: Uint8Array): CertificateFileKind {
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 64 * 1024));
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(head)) return 'pem';
  if (bytes[0] !== 0x30 || bytes.length < 4) return 'unknown';
  // Skip the outer SEQUENCE's length (short form, or long form with up to 4 length bytes).
  const lengthByte = bytes[1];
  const inner = lengthByte < 0x80 ? 2 : 2 + (lengthByte & 0x7f);
  if ((lengthByte & 0x7f) > 4 || inner + 3 > bytes.length) return 'unknown';
  if (bytes[inner] === 0x02 && bytes[inner + 1] === 0x01 && bytes[inner + 2] === 0x03) return 'pkcs12';
  if (bytes[inner] === 0x30) {
    try {
      new X509Certificate(bytes);
      return 'derCertificate';
    } catch {
      return 'unknown';
    }
  }
  return 'unknown';
}

/** A DER (binary) certificate as PEM text, the form the rest of the flow and the store use. */
export function derCertificateToPem(bytes: Uint8Array): string {
  return new X509Certificate(bytes).toString();
}

function readKey(privateKeyPem: string): KeyObject {
  try {
    return createPrivateKey(privateKeyPem);
  } catch (error) {
    throw new CertificateError('unreadable', l10n.t('The private key cannot be read: {0}.', error instanceof Error ? error.message : String(error)), {
      cause: error
    });
  }
}

function readCertificate(pem: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (error) {
    throw new CertificateError('unreadable', l10n.t('The certificate cannot be read: {0}.', error instanceof Error ? error.message : String(error)), {
      cause: error
    });
  }
}

export function readClientCertificate(certificateText: string, keyText: string = certificateText): ClientCertificate {
  const certificates = findCertificates(certificateText);
  if (!certificates.length) {
    throw new CertificateError(
      'no_certificate',
      l10n.t(
        'No certificate found: expected a PEM block "-----BEGIN CERTIFICATE-----", a DER .cer/.crt file, or a .pfx/.p12 file (M365 Mail asks for its password and unlocks it).'
      )
    );
  }
  const privateKeyPem = findPrivateKey(keyText);
  if (!privateKeyPem) {
    throw new CertificateError(
      'no_key',
      l10n.t('No private key found: expected a PEM block "-----BEGIN PRIVATE KEY-----" (or RSA/EC/ENCRYPTED PRIVATE KEY).'),
      {
        nextStep: l10n.t('Select the file that holds the private key, or a .pfx/.p12 file exported with its private key.')
      }
    );
  }
  if (isEncryptedPrivateKey(privateKeyPem)) {
    throw new CertificateError('encrypted_key', l10n.t('The private key is encrypted: it has to be unlocked with its passphrase before it is stored.'));
  }
  const key = readKey(privateKeyPem);
  const parsed = certificates.map((pem) => ({ pem, certificate: readCertificate(pem) }));
  let leaf: (typeof parsed)[number] | undefined;
  try {
    leaf = parsed.find((p) => p.certificate.checkPrivateKey(key));
  } catch (error) {
    throw new CertificateError('unreadable', l10n.t('The private key cannot be read: {0}.', error instanceof Error ? error.message : String(error)), {
      cause: error
    });
  }
  if (!leaf) {
    throw new CertificateError('mismatch', l10n.t('The private key does not belong to this certificate.'), {
      nextStep: l10n.t('Select the key that was made with this certificate (or the .pfx/.p12 file that holds both).')
    });
  }
  const chain = [leaf, ...parsed.filter((p) => p !== leaf)];
  return {
    certificatePem: chain.map((p) => p.pem).join('\n') + '\n',
    privateKeyPem,
    thumbprintSha256: leaf.certificate.fingerprint256.replace(/:/g, ''),
    subject: leaf.certificate.subject.replace(/\n/g, ', '),
    validTo: leaf.certificate.validTo
  };
}
