/**
 * The demo's start-up, for `npm run demo` (cli.ts) and for tests that start the demo as a user
 * would: installs what is missing, packages the extension, starts the sandbox and a real VS Code
 * (code-server) with the extension installed and pointed at it (its cloud and its CA), in a
 * workspace with the sandbox's credentials (offered for import in one click) and a sample .eml. `stop()` stops both and removes the
 * workspace.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reapStale, stopAllOnExit, type SandboxDescription } from '@m365-mail/sandbox';
import { startCodeServer, type CodeServer } from '../test/harness/codeServer';
import { packageProduct } from '../test/harness/packageVsix';
import { startSandbox } from '../test/harness/sandbox';
import { sandboxSettings } from '../test/harness/sandboxEnv';
import { setup } from '../test/harness/setup';
import { sandboxCredentialsExport } from '../test/support/sandboxCredentials';

/**
 * The sandbox's credential definitions in the opened folder. The `.m365mail.json` ending is what the
 * Credentials view offers to import in one click, so a newcomer sees the tree at once.
 */
export const DEMO_CREDENTIALS_FILE = 'sandbox.m365mail.json';

export const SAMPLE_EML = [
  'From: Adele Vance <adele@contoso.test>',
  'To: Orders <orders@contoso.test>',
  'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_from_the_M365_Mail_demo?=',
  'Date: Mon, 23 Nov 2026 10:00:00 +0000',
  'Message-ID: <demo-1@contoso.test>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Hello from an .eml file opened in the editor.',
  'Use the send button in the editor title to send it as it is.',
  ''
].join('\r\n');

export interface DemoOptions {
  /** code-server's port on 127.0.0.1; a free one when absent. */
  port?: number;
}

export interface Demo {
  /** The workbench, with the workspace opened. */
  readonly url: string;
  /** The opened folder: the sandbox's credentials (DEMO_CREDENTIALS_FILE), hello.eml, sandbox.json. */
  readonly workspace: string;
  readonly sandbox: SandboxDescription;
  readonly codeServer: CodeServer;
  /** Resolves when code-server exits by itself (not through stop()). */
  readonly codeServerExited: Promise<void>;
  /** Stops code-server and the sandbox and removes the workspace; safe to call more than once. */
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  // The exit hook is the last resort; Ctrl+C is the caller's (cli.ts stops everything in order).
  stopAllOnExit({ signals: false });
  reapStale();
  setup();
  const vsix = packageProduct().vsix;
  const sandbox = await startSandbox();
  const d = sandbox.description;
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-demo-workspace-'));
  let codeServer: CodeServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await codeServer?.stop();
      await sandbox.stop();
      fs.rmSync(workspace, { recursive: true, force: true });
    })());
  try {
    fs.writeFileSync(path.join(workspace, DEMO_CREDENTIALS_FILE), sandboxCredentialsExport(d));
    fs.writeFileSync(path.join(workspace, 'hello.eml'), SAMPLE_EML);
    fs.writeFileSync(path.join(workspace, 'sandbox.json'), JSON.stringify(d, null, 2));
    codeServer = await startCodeServer({ vsixes: [vsix], name: 'demo', folder: workspace, settings: sandboxSettings(d), port: options.port });
  } catch (error) {
    await stop();
    throw error;
  }
  const child = codeServer.process.child;
  const codeServerExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { url: codeServer.url, workspace, sandbox: d, codeServer, codeServerExited, stop };
}
