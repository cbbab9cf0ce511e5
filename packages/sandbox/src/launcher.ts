/**
 * Starts the sandbox as a supervised child process (cli.ts through tsx) under a Node binary that
 * oidc-provider supports, which need not be the caller's: the test tiers, the demo and the
 * benchmarks run on Node 20 and hand in the Node 24 the harness installs. The child prints its JSON
 * description on stdout; it is ready once that description has come and its control API answers.
 * `stop()` sends SIGTERM, waits until the child has stopped its daemons and removed its folder, and
 * reaps whatever a child killed harder left. The child also stops by itself when this process goes
 * away (its standard input closes), and a later run reaps what a kill -9 of both left behind.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';
import { SandboxControlClient } from './controlClient';
import type { SandboxDescription } from './description';
import { reapStale, startManaged, type ManagedProcess } from './processes';

/** The Node binary to run the sandbox with when the caller names none. */
export const SANDBOX_NODE_ENV = 'M365MAIL_SANDBOX_NODE';

export interface SandboxProcessOptions {
  /** A Node binary oidc-provider supports (22 LTS or later). Default: $M365MAIL_SANDBOX_NODE, else this process's own. */
  node?: string;
  /** Rotate refresh tokens on every use (Entra does not by default). */
  rotateRefreshTokens?: boolean;
  /** Folders to fill before the sandbox reports ready (`user:folder:count` of the CLI). */
  seeds?: Array<{ user: string; folder: string; count: number }>;
  /** Each line the sandbox writes on stderr (progress, failures); they are also kept for errors. */
  onStderr?: (line: string) => void;
  /** How long to wait for the description. Default 120 s (seeds add to it). */
  startTimeoutMs?: number;
}

export interface SandboxProcess {
  readonly description: SandboxDescription;
  /** The control API over HTTPS. */
  readonly control: SandboxControlClient;
  readonly process: ManagedProcess;
  stop(): Promise<void>;
}

/** The command that runs the sandbox's CLI under `node` (what the package's bin and this launcher run). */
export function sandboxCommand(node: string, args: string[] = []): { command: string; args: string[] } {
  const tsx = pathToFileURL(require.resolve('tsx')).href;
  return { command: node, args: ['--import', tsx, path.join(__dirname, 'cli.ts'), ...args] };
}

export async function startSandboxProcess(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
  const node = options.node ?? process.env[SANDBOX_NODE_ENV] ?? process.execPath;
  if (!fs.existsSync(node)) throw new Error(`no Node binary at ${node} to run the sandbox with`);
  const args = ['--stop-with-parent'];
  if (options.rotateRefreshTokens) args.push('--rotate-refresh-tokens');
  for (const s of options.seeds ?? []) args.push('--seed', `${s.user}:${s.folder}:${s.count}`);
  const { command, args: commandArgs } = sandboxCommand(node, args);
  const managed = startManaged('sandbox', command, commandArgs, {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Stopping Dovecot and Postfix takes a few seconds; SIGKILL would leave them running.
    killAfterMs: 30_000,
    exitSignal: 'SIGTERM'
  });
  const child = managed.child;
  let stdout = '';
  let stderr = '';
  let partial = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-20_000);
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) options.onStderr?.(line);
  });
  const stop = async () => {
    await managed.stop();
    // Only a child that was killed before it stopped its daemons leaves anything; their markers name it.
    reapStale();
  };
  try {
    const description = await new Promise<SandboxDescription>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the sandbox did not start within ${(options.startTimeoutMs ?? 120_000) / 1000} s:\n${stderr}`)),
        options.startTimeoutMs ?? 120_000
      );
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        try {
          // A prefix of the description never parses; the whole of it does.
          const parsed = JSON.parse(stdout) as SandboxDescription;
          clearTimeout(timer);
          resolve(parsed);
        } catch {
          // More to come.
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the sandbox exited (${code ?? signal}) before it was ready:\n${stderr}`));
      });
    });
    const control = new SandboxControlClient(description);
    // Ready from here too: the authorization server answers over HTTPS with the sandbox's CA.
    await control.settings();
    return { description, control, process: managed, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
