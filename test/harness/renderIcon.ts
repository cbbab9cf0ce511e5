/**
 * Renders the Marketplace icon, media/icon.svg, to the 128×128 PNG the manifest's `icon` names
 * (Marketplace and Open VSX refuse an SVG icon). Run after changing the SVG:
 * `npx tsx test/harness/renderIcon.ts`; the PNG is committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser';
import { repoRoot } from './toolchain';

async function main(): Promise<void> {
  const svg = fs.readFileSync(path.join(repoRoot, 'media', 'icon.svg'), 'utf8');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: path.join(repoRoot, 'media', 'icon.png'), omitBackground: true });
  } finally {
    await browser.close();
  }
}

void main();
