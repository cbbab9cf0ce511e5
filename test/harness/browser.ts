/** Debian's Chromium driven by playwright-core (never Playwright's own browser download). */
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './toolchain';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
