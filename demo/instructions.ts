/**
 * What `npm run demo` prints: the URL, the README's steps with this run's password and secret, and
 * the sandbox's addresses. The end-to-end test of the demo reads the secret of step 7 from here, as
 * a user copies it from the terminal.
 */
import path from 'node:path';
import { DEMO_CREDENTIALS_FILE, type Demo } from './startDemo';

export function instructions(demo: Demo): string {
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
