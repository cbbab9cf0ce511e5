/**
 * `npm run demo`: M365 Mail in a real VS Code in your browser, against the local sandbox (an
 * Entra-like authorization server, Dovecot IMAP and Postfix submission on 127.0.0.1), with no
 * Microsoft account. Installs what is missing, packages the extension, starts the sandbox and
 * code-server with the extension installed and pointed at the sandbox (its cloud and its CA),
 * prints the URL and how to sign in, and stops everything on Ctrl+C.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSandbox } from '../sandbox/server/sandbox';
import { sandboxCredentialsExport } from '../sandbox/sandboxCredentials';
import { startCodeServer } from './codeServer';
import { packageProduct } from './packageVsix';
import { reapStale, stopAll, stopAllOnExit } from './processes';
import { sandboxSettings } from './sandboxEnv';
import { setup } from './setup';

const SAMPLE_EML = [
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

async function main(): Promise<void> {
  stopAllOnExit({ signals: false });
  reapStale();
  setup();
  const vsix = packageProduct();
  const sandbox = await startSandbox();
  const d = sandbox.description;
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-demo-workspace-'));
  fs.writeFileSync(path.join(workspace, 'sandbox-credentials.json'), sandboxCredentialsExport(d));
  fs.writeFileSync(path.join(workspace, 'hello.eml'), SAMPLE_EML);
  fs.writeFileSync(path.join(workspace, 'sandbox.json'), JSON.stringify(d, null, 2));

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await sandbox.stop();
    await stopAll();
    fs.rmSync(workspace, { recursive: true, force: true });
    console.log('demo stopped: sandbox and code-server are gone');
    process.exit(code);
  };
  // `on`, not `once`: npm passes Ctrl+C on as a second SIGINT, which must not kill us mid-shutdown.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const server = await startCodeServer({
    vsixes: [vsix],
    name: 'demo',
    folder: workspace,
    settings: sandboxSettings(d),
    port: process.env.M365MAIL_DEMO_PORT ? Number(process.env.M365MAIL_DEMO_PORT) : undefined
  });
  server.process.child.once('exit', () => {
    console.log('code-server stopped');
    void shutdown(1);
  });
  const port = new URL(server.url).port;
  console.log(`
M365 Mail demo is running (sandbox tenant ${d.authorization.tenantDomain}, no Microsoft account needed).

  Open:      ${server.url}
             (no password; it listens on 127.0.0.1 only. From another machine forward the port:
              ssh -L ${port}:127.0.0.1:${port} this-host)
  Then:      1. Click the M365 Mail icon in the activity bar.
             2. F1 → "M365 Mail: Import credentials" → sandbox-credentials.json (in the workspace),
                or "M365 Mail: Add credential" → Microsoft 365 → "${d.cloud.label}".
             3. Authorize "Sandbox: Adele (browser sign-in)": the sign-in page opens in a new tab;
                user adele@contoso.test, password "${d.password}", then Accept.
             4. Right-click it: Send test mail, Preview inbox folder. Open hello.eml and use the
                send button in the editor title.
  Sandbox:   authority ${d.authorization.authority}
             IMAP 127.0.0.1:${d.imap.port} (TLS), SMTP 127.0.0.1:${d.smtp.port} (STARTTLS)
             users: ${d.users.map((u) => u.upn + (u.note ? ` (${u.note})` : '')).join('; ')}
             apps:  ${Object.values(d.apps)
               .map((a) => `${a.name} ${a.clientId}${'clientSecret' in a ? ` secret ${a.clientSecret}` : ''}`)
               .join('\n                    ')}
             everything in ${path.join(workspace, 'sandbox.json')}
  Stop:      Ctrl+C
`);
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
