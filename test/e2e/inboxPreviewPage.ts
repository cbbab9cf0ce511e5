/** The inbox preview webview as a page object: what a user sees and clicks in it. */
import type { Frame } from 'playwright-core';

/** Clicks Refresh until a row with `subject` is listed (mail is delivered asynchronously). */
export async function waitForRow(frame: Frame, subject: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const row = frame.locator('#envelopes tr', { hasText: subject }).first();
  for (;;) {
    if (await row.isVisible().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `"${subject}" is not listed; status: ${await frame
          .locator('#status')
          .textContent()
          .catch(() => '?')}`
      );
    }
    await frame.locator('#refresh').click();
    await row.waitFor({ state: 'visible', timeout: 3_000 }).catch(() => undefined);
  }
}
