/**
 * Decrypts a PEM private key with its passphrase: PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2 with AES or
 * 3DES, PKCS#12-style PBE with 3DES or RC2, RFC 8018 / RFC 7292 appendix C), or a traditional
 * OpenSSL key with `Proc-Type: 4,ENCRYPTED` and `DEK-Info` (RSA or EC). node-forge decrypts, so the
 * result does not depend on which ciphers the OpenSSL (or BoringSSL) under Node has; Node's crypto
 * only parses the plain key. Returns unencrypted PKCS#8 PEM. No `vscode` import.
 */
import * as l10n from '@vscode/l10n';
import { createPrivateKey } from 'node:crypto';
import forge from 'node-forge';
import { CertificateError, findPrivateKey } from '../../core/certificate';
import { withUtf8Pbkdf2, wrongPassword } from './pkcs12';

/** A decipher, started with its IV, that forge's cipher and RC2 APIs both give. */
interface Decipher {
  update(data: forge.util.ByteStringBuffer): void;
  finish(): boolean;
  output: forge.util.ByteStringBuffer;
}

const block = (algorithm: forge.cipher.Algorithm) => (key: string, iv: string) => {
  const decipher = forge.cipher.createDecipher(algorithm, key);
  decipher.start({ iv });
  return decipher;
};
const rc2 = (bits: number) => (key: string, iv: string) => {
  const decipher = forge.rc2.createDecryptionCipher(key, bits);
  decipher.start(iv);
  return decipher as unknown as Decipher;
};

/** OpenSSL's `DEK-Info` ciphers: key length, and how forge makes the decipher. */
const LEGACY_CIPHERS: Record<string, { keyLength: number; decipher: (key: string, iv: string) => Decipher }> = {
  'DES-CBC': { keyLength: 8, decipher: block('DES-CBC') },
  'DES-EDE3-CBC': { keyLength: 24, decipher: block('3DES-CBC') },
  'AES-128-CBC': { keyLength: 16, decipher: block('AES-CBC') },
  'AES-192-CBC': { keyLength: 24, decipher: block('AES-CBC') },
  'AES-256-CBC': { keyLength: 32, decipher: block('AES-CBC') },
  'RC2-40-CBC': { keyLength: 5, decipher: rc2(40) },
  'RC2-64-CBC': { keyLength: 8, decipher: rc2(64) },
  'RC2-CBC': { keyLength: 16, decipher: rc2(128) }
};

/** OpenSSL's EVP_BytesToKey with MD5, one iteration: how a `Proc-Type` key's cipher key is made. Typed here; forge has it as `pbe.opensslDeriveBytes`. */
const { opensslDeriveBytes } = (forge as unknown as { pbe: { opensslDeriveBytes(password: string, salt: string, length: number): string } }).pbe;

function unsupported(fileName: string, what: string): CertificateError {
  return new CertificateError('unsupported_cipher', l10n.t('The private key in {0} is encrypted with {1}, which M365 Mail cannot decrypt.', fileName, what), {
    nextStep: l10n.t('Encrypt the key with AES-256 (`openssl pkcs8 -topk8 -v2 aes-256-cbc`), or select a .pfx/.p12 file.')
  });
}

function plainKeyPem(der: string, type: 'pkcs8' | 'pkcs1' | 'sec1', fileName: string): string {
  try {
    return createPrivateKey({ key: Buffer.from(der, 'binary'), format: 'der', type })
      .export({ type: 'pkcs8', format: 'pem' })
      .toString();
  } catch (error) {
    // A wrong passphrase whose padding happened to look right decrypts to bytes that are no key.
    throw wrongPassword(fileName, error);
  }
}

function decryptPkcs8(body: string, passphrase: string, fileName: string): string {
  let info: forge.asn1.Asn1 | null;
  try {
    info = withUtf8Pbkdf2(passphrase, () => forge.pki.decryptPrivateKeyInfo(forge.asn1.fromDer(body), passphrase));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/unsupported/i.test(message)) {
      throw unsupported(
        fileName,
        l10n.t({ message: 'a cipher or key derivation forge does not support', comment: ['forge is the name of a JavaScript library.'] })
      );
    }
    // forge parses the decrypted bytes as ASN.1 itself: a wrong passphrase can fail there.
    if (/ASN\.1|Too few bytes|Unparsed/i.test(message)) throw wrongPassword(fileName, error);
    throw new CertificateError('unreadable', l10n.t('The encrypted private key in {0} cannot be read ({1}).', fileName, message), { cause: error });
  }
  if (!info) throw wrongPassword(fileName);
  return plainKeyPem(forge.asn1.toDer(info).getBytes(), 'pkcs8', fileName);
}

function decryptLegacy(message: forge.pem.ObjectPEM, passphrase: string, fileName: string): string {
  const dekInfo = message.dekInfo as { algorithm?: string; parameters?: string } | undefined;
  const cipher = LEGACY_CIPHERS[dekInfo?.algorithm?.toUpperCase() ?? ''];
  if (!cipher || !dekInfo?.parameters) throw unsupported(fileName, dekInfo?.algorithm ?? l10n.t('an unnamed cipher'));
  const iv = forge.util.hexToBytes(dekInfo.parameters);
  const decipher = cipher.decipher(opensslDeriveBytes(forge.util.encodeUtf8(passphrase), iv.substring(0, 8), cipher.keyLength), iv);
  decipher.update(forge.util.createBuffer(message.body));
  if (!decipher.finish()) throw wrongPassword(fileName);
  const type = message.type === 'EC PRIVATE KEY' ? 'sec1' : message.type === 'RSA PRIVATE KEY' ? 'pkcs1' : 'pkcs8';
  return plainKeyPem(decipher.output.getBytes(), type, fileName);
}

/** The key of `keyText` decrypted with `passphrase`, as unencrypted PKCS#8 PEM. */
export function decryptPrivateKey(keyText: string, passphrase: string, fileName: string): string {
  const block = findPrivateKey(keyText);
  if (!block) throw new CertificateError('no_key', l10n.t('{0} holds no private key.', fileName));
  let message: forge.pem.ObjectPEM;
  try {
    [message] = forge.pem.decode(block);
  } catch (error) {
    throw new CertificateError(
      'unreadable',
      l10n.t('The private key in {0} cannot be read ({1}).', fileName, error instanceof Error ? error.message : String(error)),
      {
        cause: error
      }
    );
  }
  if (message.type === 'ENCRYPTED PRIVATE KEY') return decryptPkcs8(message.body, passphrase, fileName);
  if ((message.procType as { type?: string } | undefined)?.type === 'ENCRYPTED') return decryptLegacy(message, passphrase, fileName);
  // Not encrypted after all: returned as it is, the caller checks it against the certificate.
  return block;
}
