/**
 * The sandbox (@m365-mail/sandbox) as the test tiers, the demo and the benchmarks start it: a
 * supervised child process under the Node 24 the harness installs for code-server, since
 * oidc-provider does not support the Node 20 these run on. They reach it through its description
 * and its control API client.
 *
 * Run as a script (`npm run sandbox [-- --seed user:folder:count ...]`), it installs what is missing
 * and runs the package's CLI under that Node: the JSON description on stdout, Ctrl+C stops it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SANDBOX_NODE_ENV, startSandboxProcess, type SandboxProcess, type SandboxProcessOptions } from '@m365-mail/sandbox';
import { node24Bin } from './toolchain';

export type { SandboxProcess };

export function startSandbox(options: Omit<SandboxProcessOptions, 'node'> = {}): Promise<SandboxProcess> {
  if (!fs.existsSync(node24Bin)) throw new Error(`Node 24 is not installed (${node24Bin}): run \`npm run setup\` first`);
  return startSandboxProcess({ node: node24Bin, ...options });
}

function main(): void {
  // What setup says goes to stderr: stdout carries the description only.
  const setup = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'setup.ts')], { stdio: ['ignore', 2, 2] });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
  process.env[SANDBOX_NODE_ENV] = node24Bin;
  // The package's bin runs its CLI under that Node and passes on arguments and signals.
  void import(pathToFileURL(path.join(path.dirname(require.resolve('@m365-mail/sandbox/package.json')), 'bin', 'm365-mail-sandbox.cjs')).href);
}

if (require.main === module) main();
