/**
 * Seeds a sandbox mailbox from the command line:
 *   npx tsx packages/sandbox/src/seed.ts --mail-dir D --user U --folder F --count N [--dovecot-config C] [--hostile]
 * With --dovecot-config (the running sandbox's dovecot.conf) the folder is subscribed and indexed by doveadm.
 */
import { doveadm as runDoveadm, seedFolder, seedHostileMessages } from './server/seeder';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const mailDir = arg('mail-dir');
  const user = arg('user');
  const folder = arg('folder') ?? 'INBOX';
  const config = arg('dovecot-config');
  if (!mailDir || !user) throw new Error('usage: seed.ts --mail-dir D --user U --folder F --count N [--dovecot-config C] [--hostile]');
  const doveadm = config ? (args: string[]) => runDoveadm(config, args) : undefined;
  const result = process.argv.includes('--hostile')
    ? await seedHostileMessages({ mailDir, user, folder, doveadm })
    : await seedFolder({ mailDir, user, folder, count: Number(arg('count') ?? '100'), doveadm });
  console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
