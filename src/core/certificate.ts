/**
 * Reads a client certificate and its private key from PEM text (one file with both, or two files),
 * and checks that they belong together before anything is stored. No `vscode` import.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';

export interface ClientCertificate {
  certificatePem: string;
  privateKeyPem: string;
  /** SHA-256 thumbprint (hex, upper case), as Entra shows it and as the `x5t#S256` header carries it. */
  thumbprintSha256: string;
  subject: string;
  validTo: string;
}

const CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/;

export class CertificateError extends Error {}

function findCertificate(pem: string): string | undefined {
  return CERT.exec(pem)?.[0];
}

function findPrivateKey(pem: string): string | undefined {
  return KEY.exec(pem)?.[0];
}

export function readClientCertificate(certificateText: string, keyText: string = certificateText): ClientCertificate {
  const certificatePem = findCertificate(certificateText);
  if (!certificatePem) {
    throw new CertificateError(
      'No certificate found: expected a PEM block "-----BEGIN CERTIFICATE-----". Convert a .pfx with `openssl pkcs12 -in app.pfx -out app.pem -nodes`.'
    );
  }
  const privateKeyPem = findPrivateKey(keyText);
  if (!privateKeyPem) throw new CertificateError('No private key found: expected a PEM block "-----BEGIN PRIVATE KEY-----" (or RSA/EC PRIVATE KEY).');
  if (privateKeyPem.includes('ENCRYPTED')) {
    throw new CertificateError(
      'The private key is encrypted. Export it without a passphrase (`openssl pkey -in key.pem -out plain.pem`); M365 Mail keeps it in VS Code secret storage.'
    );
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch (error) {
    throw new CertificateError(`The certificate cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
  let matches: boolean;
  try {
    matches = certificate.checkPrivateKey(createPrivateKey(privateKeyPem));
  } catch (error) {
    throw new CertificateError(`The private key cannot be read: ${error instanceof Error ? error.message : String(error)}.`);
  }
  if (!matches) throw new CertificateError('The private key does not belong to this certificate.');
  return {
    certificatePem,
    privateKeyPem,
    thumbprintSha256: certificate.fingerprint256.replace(/:/g, ''),
    subject: certificate.subject.replace(/\n/g, ', '),
    validTo: certificate.validTo
  };
}
