/**
 * Debian's Chromium driven by playwright-core (never Playwright's own browser download). It trusts
 * no extra certificate: what the tests open in it is what a user's browser opens, plain HTTP on
 * loopback (the workbench, and the sandbox's sign-in pages through the workbench's port forwarder).
 */
import { chromium, type Browser } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './toolchain';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
