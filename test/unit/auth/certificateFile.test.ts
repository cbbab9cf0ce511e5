/**
 * Unlocking a client certificate the way users bring it: a .pfx/.p12 with its password (modern
 * AES-256/PBKDF2, and the RC2-40 / 3DES PBE of older Windows tools, which OpenSSL 3 refuses without
 * its legacy provider), or an encrypted PEM key (PKCS#8 and OpenSSL's `Proc-Type`) with its
 * passphrase. Every fixture is made here, at test time, by the `openssl` CLI, Node's crypto or
 * node-forge: no secret is checked in. What is unlocked must sign, and the signature must verify
 * with the certificate's public key.
 */
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createPrivateKey, createSign, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { decryptPrivateKey, unlockPkcs12 } from '../../../src/auth/certificateFile/index';
import { exportPfx } from '../../support/pkcs12Files';
import { CertificateError, certificateFileKind, readClientCertificate, type CertificateProblem } from '../../../src/core/certificate';

// Not ASCII on purpose: PBES2 derives from the password's UTF-8 bytes, PKCS#12's own KDF and MAC from its BMPString.
const PASSWORD = `pässwörd-€-${randomBytes(6).toString('hex')}`;

let dir: string;
const file = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
const bytes = (name: string) => new Uint8Array(readFileSync(file(name)));

/** A self-signed certificate and its unencrypted key, two days valid. */
function selfSigned(newKey: string, keyOut: string, certOut: string, commonName: string): void {
  openssl(...['req', '-x509', '-newkey', newKey, '-nodes', '-days', '2'], ...['-keyout', keyOut, '-out', certOut, '-subj', `/CN=${commonName}`]);
}

function assertSignsAndMatches(certificatePem: string, privateKeyPem: string): void {
  assert.doesNotMatch(privateKeyPem, /ENCRYPTED/);
  assert.match(privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  const data = randomBytes(64);
  const signature = createSign('sha256').update(data).sign(createPrivateKey(privateKeyPem));
  const certificate = new X509Certificate(certificatePem);
  assert.ok(createVerify('sha256').update(data).verify(certificate.publicKey, signature), 'the unlocked key signs for the certificate');
  assert.ok(certificate.checkPrivateKey(createPrivateKey(privateKeyPem)));
}

function assertRefused(run: () => unknown, problem: CertificateProblem, message?: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CertificateError, `a CertificateError, not ${String(error)}`);
    assert.equal(error.problem, problem, error.message);
    assert.equal(error.code, `certificate.${problem}`);
    if (message) assert.match(error.message, message);
    assert.ok(!error.message.includes(PASSWORD), 'the password is not in the message');
    return true;
  });
}

describe('certificate files: .pfx/.p12 and encrypted keys unlocked once with their password', () => {
  let expectedSha256: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'm365-mail-cert-'));
    selfSigned('rsa:2048', 'key.pem', 'cert.pem', 'M365 Mail unit app');
    selfSigned('rsa:2048', 'ca.key', 'ca.pem', 'M365 Mail unit CA');
    openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ec.key');
    openssl('req', '-x509', '-new', '-key', 'ec.key', '-sha256', '-days', '2', '-out', 'ec.pem', '-subj', '/CN=M365 Mail unit EC app');
    const pass = `pass:${PASSWORD}`;
    // Modern: AES-256-CBC with PBKDF2 (PBES2) for key and certificates, HMAC-SHA-256 MAC. Legacy: RC2-40 and 3DES PBE, SHA-1 MAC.
    const pfx = (out: string, inputs: string[]) => exportPfx(dir, out, PASSWORD, 'modern', inputs);
    pfx('app.pfx', ['-in', 'cert.pem', '-inkey', 'key.pem']);
    // The CA listed before the app's own certificate: the store still puts the key's certificate first.
    pfx('chain.pfx', ['-in', 'cert.pem', '-inkey', 'key.pem', '-certfile', 'ca.pem']);
    pfx('ec.p12', ['-in', 'ec.pem', '-inkey', 'ec.key']);
    pfx('nokey.pfx', ['-in', 'cert.pem', '-nokeys']);
    pfx('nocert.pfx', ['-inkey', 'key.pem', '-nocerts']);
    exportPfx(dir, 'legacy.pfx', PASSWORD, 'legacy', ['-in', 'cert.pem', '-inkey', 'key.pem']);
    // node-forge's own writer: 3DES PBE for the key (pbeWithSHAAnd3-KeyTripleDES-CBC), SHA-1 MAC.
    const forgeKey = forge.pki.privateKeyFromPem(readFileSync(file('key.pem'), 'utf8'));
    const forgeCert = forge.pki.certificateFromPem(readFileSync(file('cert.pem'), 'utf8'));
    const p12 = forge.pkcs12.toPkcs12Asn1(forgeKey, [forgeCert], PASSWORD, { algorithm: '3des' });
    writeFileSync(file('forge3des.pfx'), Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    // The fixtures are what they claim: OpenSSL's own description of the ciphers in each file.
    // (`-info` writes to stderr; OpenSSL 3 reads RC2-40 only with `-legacy`.)
    const info = (name: string) => {
      const run = (...extra: string[]) =>
        spawnSync('openssl', ['pkcs12', '-in', name, '-info', '-noout', '-passin', pass, ...extra], { cwd: dir, encoding: 'utf8' });
      const legacy = run('-legacy');
      return legacy.status === 0 ? legacy.stderr + legacy.stdout : run().stderr;
    };
    assert.match(info('app.pfx'), /PBES2, PBKDF2, AES-256-CBC/);
    assert.match(info('legacy.pfx'), /40BitRC2[\s\S]*3-KeyTripleDES/);
    expectedSha256 = new X509Certificate(readFileSync(file('cert.pem'))).fingerprint256.replace(/:/g, '');
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('tells a PKCS#12 file from PEM, from a DER certificate and from anything else by its bytes', () => {
    assert.equal(certificateFileKind(bytes('app.pfx')), 'pkcs12');
    assert.equal(certificateFileKind(bytes('legacy.pfx')), 'pkcs12');
    assert.equal(certificateFileKind(bytes('cert.pem')), 'pem');
    openssl('x509', '-in', 'cert.pem', '-outform', 'DER', '-out', 'cert.cer');
    assert.equal(certificateFileKind(bytes('cert.cer')), 'derCertificate');
    assert.equal(certificateFileKind(new Uint8Array(randomBytes(512))), 'unknown');
    assert.equal(certificateFileKind(new Uint8Array([0x30, 0x82, 0x05])), 'unknown');
  });

  for (const [name, what] of [
    ['app.pfx', 'a modern pfx (AES-256, PBKDF2, SHA-256 MAC)'],
    ['legacy.pfx', 'a legacy pfx (RC2-40 certificates, 3DES key, SHA-1 MAC)'],
    ['forge3des.pfx', 'a 3DES pfx written by node-forge']
  ] as const) {
    it(`opens ${what}: the key signs for the certificate, the SHA-256 thumbprint is the certificate's`, () => {
      const unlocked = unlockPkcs12(bytes(name), PASSWORD, name);
      assertSignsAndMatches(unlocked.certificatePem, unlocked.privateKeyPem);
      const stored = readClientCertificate(unlocked.certificatePem, unlocked.privateKeyPem);
      assert.equal(stored.thumbprintSha256, expectedSha256);
      assert.match(stored.subject, /M365 Mail unit app/);
    });
  }

  it('opens an EC .p12 and keeps the whole chain, the key’s own certificate first', () => {
    const ec = unlockPkcs12(bytes('ec.p12'), PASSWORD, 'ec.p12');
    assertSignsAndMatches(ec.certificatePem, ec.privateKeyPem);
    assert.equal(createPrivateKey(ec.privateKeyPem).asymmetricKeyType, 'ec');
    const chain = unlockPkcs12(bytes('chain.pfx'), PASSWORD, 'chain.pfx');
    const stored = readClientCertificate(chain.certificatePem, chain.privateKeyPem);
    const blocks = stored.certificatePem.match(/-----BEGIN CERTIFICATE-----/g) ?? [];
    assert.equal(blocks.length, 2, 'both certificates are kept');
    assert.match(new X509Certificate(stored.certificatePem).subject, /M365 Mail unit app/, 'the app certificate comes first');
    assert.equal(stored.thumbprintSha256, expectedSha256);
  });

  it('refuses a wrong password with the file named, for a modern and a legacy pfx alike', () => {
    assertRefused(() => unlockPkcs12(bytes('app.pfx'), 'not-the-password', 'app.pfx'), 'wrong_password', /^The password does not open app\.pfx\./);
    assertRefused(() => unlockPkcs12(bytes('legacy.pfx'), '', 'legacy.pfx'), 'wrong_password', /legacy\.pfx/);
  });

  it('refuses a pfx without a private key, one without a certificate, and bytes that are no pfx', () => {
    assertRefused(() => unlockPkcs12(bytes('nokey.pfx'), PASSWORD, 'nokey.pfx'), 'no_key', /nokey\.pfx holds no private key/);
    assertRefused(() => unlockPkcs12(bytes('nocert.pfx'), PASSWORD, 'nocert.pfx'), 'no_certificate', /no certificate/);
    assertRefused(() => unlockPkcs12(new Uint8Array(randomBytes(2048)), PASSWORD, 'garbage.pfx'), 'unreadable', /garbage\.pfx/);
    const truncated = bytes('app.pfx').subarray(0, 300);
    assertRefused(() => unlockPkcs12(truncated, PASSWORD, 'cut.pfx'), 'unreadable');
    assertRefused(() => unlockPkcs12(bytes('cert.pem'), PASSWORD, 'cert.pem'), 'unreadable');
  });

  describe('encrypted PEM keys', () => {
    const keyPem = () => readFileSync(file('key.pem'), 'utf8');
    const certPem = () => readFileSync(file('cert.pem'), 'utf8');
    const encrypted = (type: 'pkcs8' | 'pkcs1' | 'sec1', cipher: string, pem = keyPem()) =>
      createPrivateKey(pem).export({ type, format: 'pem', cipher, passphrase: PASSWORD }).toString();

    it('decrypts a PKCS#8 ENCRYPTED PRIVATE KEY (PBES2 AES-256, and PBE-SHA1-3DES) with its passphrase', () => {
      const pkcs8 = encrypted('pkcs8', 'aes-256-cbc');
      assert.match(pkcs8, /BEGIN ENCRYPTED PRIVATE KEY/);
      assertSignsAndMatches(certPem(), decryptPrivateKey(pkcs8, PASSWORD, 'key.pem'));
      openssl('pkcs8', '-topk8', '-v1', 'PBE-SHA1-3DES', '-in', 'key.pem', '-out', 'key-3des.pem', '-passout', `pass:${PASSWORD}`);
      assertSignsAndMatches(certPem(), decryptPrivateKey(readFileSync(file('key-3des.pem'), 'utf8'), PASSWORD, 'key-3des.pem'));
    });

    it('decrypts a legacy Proc-Type: 4,ENCRYPTED key (RSA with 3DES, EC with AES-128) and one in the same file as its certificate', () => {
      const legacy = encrypted('pkcs1', 'des-ede3-cbc');
      assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
      assertSignsAndMatches(certPem(), decryptPrivateKey(certPem() + legacy, PASSWORD, 'app.pem'));
      const ec = encrypted('sec1', 'aes-128-cbc', readFileSync(file('ec.key'), 'utf8'));
      assert.match(ec, /BEGIN EC PRIVATE KEY[\s\S]+DEK-Info: AES-128-CBC/);
      assertSignsAndMatches(readFileSync(file('ec.pem'), 'utf8'), decryptPrivateKey(ec, PASSWORD, 'ec.key'));
    });

    it('refuses a wrong passphrase, and an unknown cipher, naming the file', () => {
      assertRefused(() => decryptPrivateKey(encrypted('pkcs8', 'aes-256-cbc'), 'wrong', 'key.pem'), 'wrong_password', /does not open key\.pem/);
      assertRefused(() => decryptPrivateKey(encrypted('pkcs1', 'des-ede3-cbc'), 'wrong', 'old.key'), 'wrong_password', /old\.key/);
      const unknown = encrypted('pkcs1', 'aes-256-cbc').replace('AES-256-CBC', 'CAMELLIA-256-CBC');
      assertRefused(() => decryptPrivateKey(unknown, PASSWORD, 'odd.key'), 'unsupported_cipher', /odd\.key.*CAMELLIA-256-CBC/);
    });

    it('the store refuses a key still encrypted, so nothing encrypted is kept by mistake', () => {
      assertRefused(() => readClientCertificate(certPem(), encrypted('pkcs8', 'aes-256-cbc')), 'encrypted_key');
    });
  });

  describe('PEM as before', () => {
    it('reads one PEM with both, refuses a key of another certificate, and no longer points to openssl for a pfx', () => {
      const stored = readClientCertificate(readFileSync(file('cert.pem'), 'utf8') + readFileSync(file('key.pem'), 'utf8'));
      assert.equal(stored.thumbprintSha256, expectedSha256);
      assertRefused(() => readClientCertificate(readFileSync(file('cert.pem'), 'utf8'), readFileSync(file('ca.key'), 'utf8')), 'mismatch');
      assert.throws(
        () => readClientCertificate('not a certificate'),
        (error: unknown) =>
          error instanceof CertificateError && error.problem === 'no_certificate' && /\.pfx\/\.p12/.test(error.message) && !/openssl/.test(error.message)
      );
    });
  });
});
