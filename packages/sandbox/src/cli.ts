/**
 * The sandbox's command line (`m365-mail-sandbox`, `npm run sandbox` at the repository's root):
 * starts the whole sandbox (authorization server, Dovecot, Postfix) on 127.0.0.1 in this process,
 * prints its JSON description on stdout (endpoints, ports, CA path, tenant, client IDs, users), and
 * runs until Ctrl+C or SIGTERM, then stops everything and removes its temp folder.
 *
 *   m365-mail-sandbox [--rotate-refresh-tokens] [--seed adele@contoso.test:Archive:1000 ...] [--out file.json] [--stop-with-parent]
 *
 * --stop-with-parent: also stop when standard input closes, which is how a parent that started it
 * as a child (launcher.ts) is seen to be gone, however it died.
 */
import fs from 'node:fs';
import { reapStale } from './processes';
import { startSandbox, type Sandbox } from './server/sandbox';
import { seedFolder } from './server/seeder';

interface CliArgs {
  rotate: boolean;
  seeds: Array<{ user: string; folder: string; count: number }>;
  out?: string;
  stopWithParent: boolean;
}

function parseArgs(argv: string[]): CliArgs {
  const result: CliArgs = { rotate: false, seeds: [], stopWithParent: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--rotate-refresh-tokens') result.rotate = true;
    else if (arg === '--stop-with-parent') result.stopWithParent = true;
    else if (arg === '--out') result.out = argv[++i];
    else if (arg === '--seed') {
      const [user, folder, count] = (argv[++i] ?? '').split(':');
      if (!user || !folder || !Number(count)) throw new Error(`--seed takes user:folder:count, e.g. adele@contoso.test:Archive:1000 (got "${argv[i] ?? ''}")`);
      result.seeds.push({ user, folder, count: Number(count) });
    } else throw new Error(`unknown argument ${arg}`);
  }
  return result;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.stopWithParent) {
    // The parent's pipes may be gone by the time we say we stopped.
    process.stdout.on('error', () => undefined);
    process.stderr.on('error', () => undefined);
  }
  // Signals are taken from the start: one that comes while the servers start stops them once they are up.
  let sandbox: Sandbox | undefined = undefined;
  let stopRequested = false;
  let stopping = false;
  const stop = () => {
    stopRequested = true;
    if (!sandbox || stopping) return;
    stopping = true;
    void sandbox.stop().finally(() => {
      if (args.out) fs.rmSync(args.out, { force: true });
      console.error('[sandbox] stopped');
      process.exit(0);
    });
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stop);
  if (args.stopWithParent) {
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }
  reapStale();
  sandbox = await startSandbox({ rotateRefreshTokens: args.rotate });
  if (stopRequested) return stop();
  for (const seed of args.seeds) {
    const { seconds } = await seedFolder({ mailDir: sandbox.mail.mailDir, user: seed.user, folder: seed.folder, count: seed.count });
    console.error(`[sandbox] seeded ${seed.count} messages into ${seed.user}/${seed.folder} in ${seconds.toFixed(1)} s`);
  }
  const json = JSON.stringify(sandbox.description, null, 2);
  if (args.out) fs.writeFileSync(args.out, json);
  console.log(json);
  console.error('[sandbox] running; Ctrl+C stops it and removes its folder');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
