/**
 * `npm run demo`: M365 Mail in a real VS Code in your browser, against the local sandbox (an
 * Entra-like authorization server, Dovecot IMAP and Postfix submission on 127.0.0.1), with no
 * Microsoft account. Starts everything (startDemo.ts), prints the URL and how to sign in, and
 * stops everything on Ctrl+C.
 */
import { stopAll } from '@m365-mail/sandbox';
import { instructions } from './instructions';
import { startDemo, type Demo } from './startDemo';

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
