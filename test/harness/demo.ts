/**
 * `npm run demo`: M365 Mail in a real VS Code in your browser, on this machine only.
 * Installs what is missing, packages the extension, starts code-server on 127.0.0.1 with it
 * installed, prints the URL, and stops everything on Ctrl+C.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCodeServer } from './codeServer';
import { packageProduct } from './packageVsix';
import { reapStale, stopAll, stopAllOnExit } from './processes';
import { setup } from './setup';

async function main(): Promise<void> {
  stopAllOnExit();
  reapStale();
  setup();
  const vsix = packageProduct();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-demo-workspace-'));
  const server = await startCodeServer({
    vsixes: [vsix],
    name: 'demo',
    folder: workspace,
    port: process.env.M365MAIL_DEMO_PORT ? Number(process.env.M365MAIL_DEMO_PORT) : undefined
  });
  server.process.child.once('exit', () => {
    console.log('code-server stopped');
    fs.rmSync(workspace, { recursive: true, force: true });
    void stopAll().then(() => process.exit(1));
  });
  console.log(`
M365 Mail demo is running.

  Open:      ${server.url}
             (no password; it listens on 127.0.0.1 only. From another machine, forward the port,
              e.g. ssh -L ${new URL(server.url).port}:127.0.0.1:${new URL(server.url).port} this-host)
  Then:      click the M365 Mail icon in the activity bar.
  Stop:      Ctrl+C
`);
  process.once('SIGINT', () => fs.rmSync(workspace, { recursive: true, force: true }));
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
