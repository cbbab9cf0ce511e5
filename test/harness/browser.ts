/**
 * Debian's Chromium driven by playwright-core (never Playwright's own browser download). It trusts
 * no extra certificate: what the tests open in it is what a user's browser opens, plain HTTP on
 * loopback (the workbench, and the sandbox's sign-in pages through the workbench's port forwarder).
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { chromiumArgs, chromiumPath } from './toolchain';

let launched = 0;

export function launchBrowser(): Promise<Browser> {
  // M365MAIL_NETLOG_DIR: each browser writes Chromium's net log there (chrome://net-export format).
  const netlogDir = process.env.M365MAIL_NETLOG_DIR;
  if (netlogDir) fs.mkdirSync(netlogDir, { recursive: true });
  const netlog = netlogDir ? [`--log-net-log=${path.join(netlogDir, `netlog-${process.pid}-${++launched}.json`)}`] : [];
  // With its start-up window, as a user's browser has one: Playwright's default `--no-startup-window`
  // leaves Chromium watching the first page a test opens to decide that start-up is complete, and
  // until then (the workbench still loading on a busy machine, else a 3-minute failsafe) Chromium
  // defers its after-start-up work, which the first webview's service worker waited on (measured:
  // the stall ended within a second of start-up completing). The window's own blank tab loads at once.
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [...chromiumArgs, ...netlog],
    ignoreDefaultArgs: ['--no-startup-window']
  });
}

/**
 * When Chromium counted its start-up as complete, in ms after its process started (undefined: not
 * yet), from its own histogram. Chromium defers work queued as "after start-up" until then; start-up
 * completes when the tab it watches has loaded, else by a failsafe 3 minutes after launch. Measured
 * here: a webview stall ends within a second of that moment (181 s in a launch that took the
 * failsafe), and opening, reloading or closing tabs does not end the wait sooner.
 */
export async function startupCompletedAfterMs(context: BrowserContext): Promise<number | undefined> {
  const tab = await context.newPage();
  try {
    await tab.goto('chrome://histograms/Startup.AfterStartupTaskDelayedUntilTime');
    const completed = /recorded \d+ samples?, mean = ([\d.]+)/.exec(await tab.locator('body').innerText());
    return completed ? Number(completed[1]) : undefined;
  } finally {
    await tab.close();
  }
}
