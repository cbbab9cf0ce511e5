/**
 * `npm run demo`: M365 Mail in a real VS Code in your browser, against the local sandbox (an
 * Entra-like authorization server, Dovecot IMAP and Postfix submission on 127.0.0.1), with no
 * Microsoft account. Starts everything (startDemo.ts), prints the URL and how to sign in, and
 * stops everything on Ctrl+C.
 */
import path from 'node:path';
import { stopAll } from '@m365-mail/sandbox';
import { startDemo, type Demo } from './startDemo';

function instructions(demo: Demo): string {
  const d = demo.sandbox;
  const port = new URL(demo.url).port;
  return `
M365 Mail demo is running (sandbox tenant ${d.authorization.tenantDomain}, no Microsoft account needed).

  Open:      ${demo.url}
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
             everything in ${path.join(demo.workspace, 'sandbox.json')}
  Stop:      Ctrl+C
`;
}

async function main(): Promise<void> {
  let demo: Demo | undefined = undefined;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await demo?.stop();
    await stopAll();
    console.log('demo stopped: sandbox and code-server are gone');
    process.exit(code);
  };
  // `on`, not `once`: npm passes Ctrl+C on as a second SIGINT, which must not kill us mid-shutdown.
  // Taken from the start, so that Ctrl+C during start-up stops what has started.
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  demo = await startDemo({ port: process.env.M365MAIL_DEMO_PORT ? Number(process.env.M365MAIL_DEMO_PORT) : undefined });
  if (stopping) return void (await demo.stop());
  void demo.codeServerExited.then(() => {
    if (stopping) return;
    console.log('code-server stopped');
    void shutdown(1);
  });
  console.log(instructions(demo));
}

main().catch(async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
