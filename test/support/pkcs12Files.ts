/**
 * .pfx files made at test time with the `openssl` CLI from a PEM certificate and key, as Windows,
 * Key Vault or `openssl pkcs12 -export` write them: modern (AES-256-CBC with PBKDF2, HMAC-SHA-256
 * MAC, OpenSSL 3's default) or legacy (RC2-40 for the certificates, 3DES for the key, SHA-1 MAC:
 * what older Windows tools export, and what OpenSSL 3 reads only with its legacy provider).
 */
import { execFileSync } from 'node:child_process';

export type PfxEncryption = 'modern' | 'legacy';

const CIPHERS: Record<PfxEncryption, string[]> = {
  modern: ['-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256'],
  legacy: ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-RC2-40', '-macalg', 'sha1']
};

/**
 * Writes `out` (in `cwd`). `inputs` are the `openssl pkcs12 -export` options naming what goes in
 * (`-in cert.pem -inkey key.pem`, `-nokeys`, `-certfile ca.pem`, …).
 */
export function exportPfx(cwd: string, out: string, password: string, encryption: PfxEncryption, inputs: string[]): void {
  const args = ['pkcs12', '-export', ...inputs, '-out', out, '-passout', `pass:${password}`, ...CIPHERS[encryption]];
  const run = (extra: string[]) => execFileSync('openssl', [...args, ...extra], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  if (encryption === 'modern') {
    run([]);
    return;
  }
  // `-legacy` exists from OpenSSL 3 on, where RC2-40 needs it; OpenSSL 1.1 writes these ciphers without it.
  try {
    run(['-legacy']);
  } catch {
    run([]);
  }
}
