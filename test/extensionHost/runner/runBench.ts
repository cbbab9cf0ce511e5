/**
 * Bench mode of the runner extension: when code-server was started with M365MAIL_BENCH_RESULTS
 * (and not M365MAIL_EXTHOST_RESULTS), the runner runs the bundled bench entry (dist/treeBench.js,
 * built from bench/treeBenchHost.ts by esbuild.mjs --tests) instead of the Mocha suites, with the
 * JSON input in M365MAIL_BENCH_INPUT, and writes `{ ok, result | error }` to the results file.
 * bench/treeBench.ts starts code-server this way and reads the file.
 */
import fs from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';

interface BenchEntry {
  run(context: vscode.ExtensionContext, input: unknown): Promise<unknown>;
}

function write(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: the driver polls for this file and must never read half of it.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

export async function runBench(context: vscode.ExtensionContext, resultsFile: string, entryFile: string): Promise<void> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const entry = require(entryFile) as BenchEntry;
    const input: unknown = JSON.parse(process.env.M365MAIL_BENCH_INPUT ?? '{}');
    write(resultsFile, { ok: true, result: await entry.run(context, input) });
  } catch (error) {
    write(resultsFile, { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}
