/**
 * `npm run sandbox`: starts the whole sandbox (authorization server, Dovecot, Postfix) on
 * 127.0.0.1, prints its JSON description on stdout (endpoints, ports, CA path, tenant, client IDs,
 * users), and runs until Ctrl+C or SIGTERM, then stops everything and removes its temp folder.
 *
 *   npm run sandbox [-- --rotate-refresh-tokens] [--seed adele@contoso.test:Archive:1000 ...] [--out file.json]
 */
import fs from 'node:fs';
import { reapStale } from '../harness/processes';
import { startSandbox } from './server/sandbox';
import { seedFolder } from './server/seeder';

function parseArgs(argv: string[]): { rotate: boolean; seeds: Array<{ user: string; folder: string; count: number }>; out?: string } {
  const result: { rotate: boolean; seeds: Array<{ user: string; folder: string; count: number }>; out?: string } = { rotate: false, seeds: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--rotate-refresh-tokens') result.rotate = true;
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
  reapStale();
  const sandbox = await startSandbox({ rotateRefreshTokens: args.rotate });
  for (const seed of args.seeds) {
    const { seconds } = await seedFolder({ mailDir: sandbox.mail.mailDir, user: seed.user, folder: seed.folder, count: seed.count });
    console.error(`[sandbox] seeded ${seed.count} messages into ${seed.user}/${seed.folder} in ${seconds.toFixed(1)} s`);
  }
  const json = JSON.stringify(sandbox.description, null, 2);
  if (args.out) fs.writeFileSync(args.out, json);
  console.log(json);
  console.error('[sandbox] running; Ctrl+C stops it and removes its folder');
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void sandbox.stop().finally(() => {
      if (args.out) fs.rmSync(args.out, { force: true });
      console.error('[sandbox] stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
