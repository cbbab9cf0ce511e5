/**
 * `npm run demo`: M365 Mail in a real VS Code in your browser, against the local sandbox (an
 * Entra-like authorization server, Dovecot IMAP and Postfix submission on 127.0.0.1), with no
 * Microsoft account. Starts everything (startDemo.ts), prints the URL and how to sign in, and
 * stops everything on Ctrl+C.
 */
import path from 'node:path';
import { stopAll } from '@m365-mail/sandbox';
import { DEMO_CREDENTIALS_FILE, startDemo, type Demo } from './startDemo';

function instructions(demo: Demo): string {
  const d = demo.sandbox;
  const port = new URL(demo.url).port;
  return `
M365 Mail demo is running (sandbox tenant ${d.authorization.tenantDomain}, no Microsoft account needed).

  Open:      ${demo.url}
             (no password; it listens on 127.0.0.1 only. From another machine forward the port:
              ssh -L ${port}:127.0.0.1:${port} this-host)
  Then:      1. Click the M365 Mail icon in the activity bar, then "Import credentials from this
                folder" (the folder shares the sandbox's credentials, ${DEMO_CREDENTIALS_FILE}).
             2. Right-click "Sandbox: Adele (browser sign-in)" → Authorize credential. The sign-in
                page opens in a new tab: user adele@contoso.test, password "${d.password}", Accept.
             3. Right-click it → Send test mail (to adele@contoso.test), then Preview inbox folder.
             4. Open hello.eml and click the send button in the editor title.
             5. Right-click the credential → Test connection.
             6. "Sandbox: Adele (device code)" → Authorize credential: enter the code VS Code shows
                on the page that opens, then sign in as in step 2.
             7. "Sandbox: daemon (client credentials)" → Edit credential → Client secret: paste
                ${d.apps.daemonSecret.clientSecret} (below), then Authorize credential (no browser).
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
