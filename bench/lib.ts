/**
 * Small helpers shared by the benchmark scripts: statistics, child processes that report JSON,
 * memory sampling, and the in-memory secret vault / logger the auth engine needs outside VS Code.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const benchRoot = __dirname;
export const repoRoot = path.resolve(__dirname, '..');

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function ms(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e6;
}

export const MiB = 1024 * 1024;

import { TestLogger } from '../test/support/fakes';

export { MemoryVault } from '../test/support/fakes';

/** The product's logger at VS Code's default level (Info) with nothing to write to: trace output is skipped. */
export const quietLogger = new TestLogger({ quiet: true });

/** Samples RSS every `everyMs` ms; `stop()` returns the peak seen (bytes). */
export function sampleRss(everyMs = 10): { stop(): number } {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peak) peak = rss;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, process.memoryUsage.rss());
    }
  };
}

export interface ChildResult<T> {
  value: T;
  stderr: string;
}

/**
 * Runs `bench/<script>.ts` in a fresh Node (tsx loader) with `input` as JSON on stdin and returns
 * the JSON it prints as its last stdout line.
 */
export function runChild<T>(script: string, input: unknown, timeoutMs = 5 * 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--expose-gc', path.join(benchRoot, script)], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe']
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Progress lines ("[imap] …") go straight to the console.
      for (const line of d.toString().split('\n')) if (/^\[\w+\] /.test(line)) console.log(line);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${script} exited with ${code}\n${stderr.slice(-4000)}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
    child.stdin.end(JSON.stringify(input));
  });
}

/** In a child script: reads the JSON input from stdin. */
export async function readInput<T>(): Promise<T> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
}

/** In a child script: prints the result as the last stdout line and exits. */
export function finishChild(result: unknown): void {
  process.stdout.write(`\n${JSON.stringify(result)}\n`, () => process.exit(0));
}

export function childMain(main: () => Promise<unknown>): void {
  main().then(finishChild, (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  });
}

/** Runs a command, returning wall time (ms) and, through /usr/bin/time, its peak RSS (bytes). */
export function timedCommand(
  command: string,
  args: string[],
  options: { measureRss?: boolean; timeoutMs?: number } = {}
): Promise<{ ms: number; maxRssBytes?: number; stdout: string; stderr: string; code: number | null }> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const useTime = Boolean(options.measureRss) && fs.existsSync('/usr/bin/time');
    const marker = '__BENCH_MAXRSS_KB=';
    const [cmd, cmdArgs] = useTime ? ['/usr/bin/time', ['-f', `${marker}%M`, command, ...args]] : [command, args];
    const started = process.hrtime.bigint();
    const child = spawn(cmd, cmdArgs as string[], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = ms(started);
      clearTimeout(timer);
      const match = new RegExp(`${marker}(\\d+)`).exec(stderr);
      resolve({
        ms: elapsed,
        maxRssBytes: match ? Number(match[1]) * 1024 : undefined,
        stdout,
        stderr: stderr.replace(new RegExp(`${marker}\\d+\\n?`), ''),
        code
      });
    });
  });
}
