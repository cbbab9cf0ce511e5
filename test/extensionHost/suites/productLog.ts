import fs from 'node:fs';
import * as vscode from 'vscode';
import { runnerContext } from './testContext';

export const PRODUCT_ID = 'm365mail.m365-mail';

/**
 * What the packaged product did, read from its log: VS Code writes each extension's
 * LogOutputChannel to `<logs>/<extension id>/<channel name>.log`, beside the runner's own `logUri`,
 * and the command boundary logs every refusal (code and message) as it shows it.
 */
export class ProductLog {
  private readonly file = vscode.Uri.joinPath(runnerContext().logUri, '..', PRODUCT_ID, 'M365 Mail.log').fsPath;

  /** Where the log ends now: what a command logs from here on is {@link since} this offset. */
  offset(): number {
    return fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
  }

  since(offset: number): string {
    return fs.existsSync(this.file) ? fs.readFileSync(this.file).subarray(offset).toString('utf8') : '';
  }

  /** Waits until the log, after `offset`, has a line matching `pattern`; returns that line. */
  async line(offset: number, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.since(offset)
        .split('\n')
        .find((l) => pattern.test(l));
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`the product logged no line matching ${String(pattern)} within ${timeoutMs} ms:\n${this.since(offset)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Runs `commands` (which close what the product shows: its notification, its prompt) until the
 * command `running` settles. A refusal's notification stays until dismissed, and the command with it.
 */
export async function closeUntilSettled(running: Thenable<unknown>, ...commands: string[]): Promise<void> {
  let settled = false;
  const done = Promise.resolve(running).finally(() => (settled = true));
  const deadline = Date.now() + 30_000;
  while (!settled) {
    if (Date.now() > deadline) throw new Error(`the command did not end after ${commands.join(', ')}`);
    for (const command of commands) await vscode.commands.executeCommand(command);
    await Promise.race([done, new Promise((r) => setTimeout(r, 200))]);
  }
  await done;
}
