/**
 * Opens a PKCS#12 file (.pfx / .p12, RFC 7292) with its password and returns its private key and
 * certificates as unencrypted PEM, the form SecretStorage keeps. node-forge does the decryption, so
 * files from older Windows tools (RC2-40 and 3DES PBE, which OpenSSL 3 refuses without its legacy
 * provider, and BoringSSL in VS Code's Electron may not have) open the same as modern AES-256 ones.
 * Node's crypto only parses the decrypted key. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { CertificateError } from '../../core/certificate';

export interface UnlockedCertificate {
  /** Every certificate in the file, PEM, as the file lists them (the store puts the key's own first). */
  certificatePem: string;
  /** PKCS#8 PEM, unencrypted. */
  privateKeyPem: string;
}

const binary = (bytes: Uint8Array) => Buffer.from(bytes).toString('binary');

export type Pbkdf2 = (password: string, ...rest: unknown[]) => unknown;

/**
 * Runs `decrypt` with PBKDF2 (PBES2, RFC 8018) given the password as UTF-8, as OpenSSL and Node
 * encrypt it. forge passes the JavaScript string as bytes there, which breaks a non-ASCII password,
 * while its PKCS#12 key derivation and MAC (RFC 7292 appendix B, BMPString) need the string as it
 * is: only the PBKDF2 call is changed, and only during this synchronous call, in this chunk's copy.
 */
export function withUtf8Pbkdf2<T>(password: string, decrypt: () => T): T {
  const pkcs5 = forge.pkcs5 as unknown as { pbkdf2: Pbkdf2 };
  const original = pkcs5.pbkdf2;
  pkcs5.pbkdf2 = (given, ...rest) => original(given === password ? forge.util.encodeUtf8(given) : given, ...rest);
  try {
    return decrypt();
  } finally {
    pkcs5.pbkdf2 = original;
  }
}

export function wrongPassword(fileName: string, cause?: unknown): CertificateError {
  return new CertificateError('wrong_password', l10n.t('The password does not open {0}.', fileName), {
    cause,
    nextStep: l10n.t('Run the command again and type the password that was set when the file was exported (it is case-sensitive).')
  });
}

/** forge's messages are its only signal; they are sorted here, once, into our codes. */
function classify(error: unknown, fileName: string): CertificateError {
  const message = error instanceof Error ? error.message : String(error);
  if (/MAC could not be verified|wrong password|Failed to decrypt|Invalid password/i.test(message)) return wrongPassword(fileName, error);
  if (/unsupported|not supported/i.test(message)) {
    return new CertificateError('unsupported_cipher', l10n.t('{0} uses a format or cipher M365 Mail cannot open ({1}).', fileName, message), {
      cause: error,
      nextStep: l10n.t('Export the certificate again as a .pfx with AES-256 (or 3DES) encryption, or as PEM.')
    });
  }
  return new CertificateError('unreadable', l10n.t('{0} is not a readable PKCS#12 (.pfx/.p12) file ({1}).', fileName, message), {
    cause: error,
    nextStep: l10n.t('Select the .pfx/.p12 file itself (not a renamed copy of another file), or export the certificate again.')
  });
}

function keyPem(bag: forge.pkcs12.Bag): string {
  // forge makes an RSA key object; other keys (EC) it leaves as their PrivateKeyInfo.
  const info = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
  const der = Buffer.from(forge.asn1.toDer(info).getBytes(), 'binary');
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString();
}

function certificatePem(bag: forge.pkcs12.Bag): string {
  // forge keeps the certificate's own TBSCertificate, so the DER (and the thumbprint) is the file's.
  const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
  return new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')).toString();
}

export function unlockPkcs12(bytes: Uint8Array, password: string, fileName: string): UnlockedCertificate {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(binary(bytes), true);
  } catch (error) {
    throw classify(error, fileName);
  }
  let pfx: forge.pkcs12.Pkcs12Pfx;
  try {
    pfx = withUtf8Pbkdf2(password, () => forge.pkcs12.pkcs12FromAsn1(asn1, false, password));
  } catch (error) {
    throw classify(error, fileName);
  }
  const { pki } = forge;
  const bagsOf = (bagType: string) => pfx.getBags({ bagType })[bagType] ?? [];
  const keyBags = [...bagsOf(pki.oids.pkcs8ShroudedKeyBag), ...bagsOf(pki.oids.keyBag)];
  const certBags = bagsOf(pki.oids.certBag);
  if (!keyBags.length) {
    throw new CertificateError('no_key', l10n.t('{0} holds no private key.', fileName), {
      nextStep: l10n.t('Export the certificate again with its private key (Windows: "Yes, export the private key"; openssl pkcs12 -export with -inkey).')
    });
  }
  if (!certBags.length) {
    throw new CertificateError('no_certificate', l10n.t('{0} holds a private key but no certificate.', fileName), {
      nextStep: l10n.t('Export the certificate again with the certificate included, or select the certificate and key as PEM files.')
    });
  }
  let keys: string[];
  let certificates: string[];
  try {
    keys = keyBags.map(keyPem);
    certificates = certBags.map(certificatePem);
  } catch (error) {
    throw classify(error, fileName);
  }
  // A file with several keys: the one a certificate belongs to.
  const parsed = certificates.map((pem) => new X509Certificate(pem));
  const privateKeyPem = keys.find((k) => parsed.some((c) => c.checkPrivateKey(createPrivateKey(k)))) ?? keys[0];
  return { certificatePem: certificates.join(''), privateKeyPem };
}
