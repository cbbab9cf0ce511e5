/** Debian's Chromium driven by playwright-core (never Playwright's own browser download). */
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './toolchain';

export interface BrowserOptions {
  /**
   * PEM certificates whose keys this browser trusts, like a user who installed the sandbox's CA:
   * Chromium's `--ignore-certificate-errors-spki-list` takes their SPKI SHA-256 hashes. Every other
   * certificate is verified as usual (no blanket `ignoreHTTPSErrors`).
   */
  trustCertificates?: string[];
}

function spkiHash(pemFile: string): string {
  const key = new X509Certificate(fs.readFileSync(pemFile)).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(key).digest('base64');
}

export function launchBrowser(options: BrowserOptions = {}): Promise<Browser> {
  const trusted = (options.trustCertificates ?? []).map(spkiHash);
  const args = trusted.length ? [...chromiumArgs, `--ignore-certificate-errors-spki-list=${trusted.join(',')}`] : chromiumArgs;
  return chromium.launch({ executablePath: chromiumPath, headless: true, args });
}
