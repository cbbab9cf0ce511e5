/**
 * Certificates for the sandbox, made with the `openssl` CLI:
 * - a sandbox CA, handed only to the sandbox's clients (nothing on the machine trusts it);
 * - a server certificate for `localhost` and `127.0.0.1`, signed by that CA, shared by the
 *   authorization server and the mail servers;
 * - a self-signed RSA client certificate and key, the credential of the certificate apps
 *   (`private_key_jwt`, as MSAL's `clientCertificate` sends it).
 */
import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SandboxCertificates {
  caCertPath: string;
  caKeyPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  /** Self-signed certificate of the certificate apps (PEM). */
  clientCertPath: string;
  /** Its private key: RSA, PKCS#8, unencrypted PEM. */
  clientKeyPath: string;
  /** The CA certificate's PEM, for clients' `ca` option. */
  caPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr || e.message}`, { cause: err });
  }
}

/** Creates the CA, the server leaf and the client certificate in `dir` (created if missing). */
export async function createCertificates(dir: string): Promise<SandboxCertificates> {
  await mkdir(dir, { recursive: true });
  const p = (name: string) => join(dir, name);
  const days = '825';

  // CA: self-signed, basicConstraints CA:TRUE, may sign certificates only.
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      days,
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.crt'),
      '-subj',
      '/CN=M365 Mail sandbox CA/O=M365 Mail sandbox',
      '-addext',
      'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-addext',
      'subjectKeyIdentifier=hash'
    ],
    dir
  );

  // Server leaf: SAN for both names clients use, serverAuth EKU, signed by the CA.
  await openssl(
    [
      'req',
      '-new',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-keyout',
      p('server.key'),
      '-out',
      p('server.csr'),
      '-subj',
      '/CN=localhost/O=M365 Mail sandbox'
    ],
    dir
  );
  await writeFile(
    p('server.ext'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      'authorityKeyIdentifier=keyid,issuer',
      'subjectKeyIdentifier=hash',
      ''
    ].join('\n')
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      p('server.csr'),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-out',
      p('server.crt'),
      '-days',
      days,
      '-sha256',
      '-extfile',
      p('server.ext')
    ],
    dir
  );

  // Client certificate of the certificate apps: self-signed, like one uploaded to an app registration.
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      days,
      '-keyout',
      p('client.key'),
      '-out',
      p('client.crt'),
      '-subj',
      '/CN=M365 Mail sandbox app certificate',
      '-addext',
      'keyUsage=critical,digitalSignature',
      '-addext',
      'extendedKeyUsage=clientAuth'
    ],
    dir
  );
  // `req -nodes` writes PKCS#8 ("BEGIN PRIVATE KEY") with OpenSSL 3; normalise anyway.
  await openssl(['pkcs8', '-topk8', '-nocrypt', '-in', p('client.key'), '-out', p('client.pk8.key')], dir);

  return {
    caCertPath: p('ca.crt'),
    caKeyPath: p('ca.key'),
    serverCertPath: p('server.crt'),
    serverKeyPath: p('server.key'),
    clientCertPath: p('client.crt'),
    clientKeyPath: p('client.pk8.key'),
    caPem: await readFile(p('ca.crt'), 'utf8')
  };
}

/** `x5t#S256` of a PEM certificate: base64url SHA-256 of its DER, as MSAL 7 puts in the assertion header. */
export function certificateThumbprintS256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('base64url');
}

/** SHA-256 thumbprint in hex, the form MSAL's `clientCertificate.thumbprintSha256` expects. */
export function certificateThumbprintS256Hex(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex').toUpperCase();
}
