/**
 * The test-runner extension for code-server, where VS Code's `extensionTestsPath` cannot be used
 * (see README, "Tests"). It is installed beside the product as a VSIX and does nothing unless the
 * code-server process was started with M365MAIL_EXTHOST_RESULTS (the remote extension host
 * inherits that environment). Then it runs the suites and writes their results to that file.
 * With M365MAIL_BENCH_RESULTS instead, it runs the tree benchmark (runBench.ts, bench/treeBench.ts).
 */
import path from 'node:path';
import type * as vscode from 'vscode';
import { runBench } from './runBench';
import { runSuites, writeResults } from './runSuites';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  // Suites that exercise the product's classes against the real Memento and SecretStorage use the
  // runner's own context, never the product's stored data.
  (globalThis as { m365mailTestContext?: vscode.ExtensionContext }).m365mailTestContext = context;
  const resultsFile = process.env.M365MAIL_EXTHOST_RESULTS;
  const repoRoot = process.env.M365MAIL_REPO_ROOT;
  // Bench mode (bench/treeBench.ts): measure instead of test; see runBench.ts.
  const benchResults = process.env.M365MAIL_BENCH_RESULTS;
  if (benchResults && !resultsFile) {
    await runBench(context, benchResults, path.join(__dirname, 'treeBench.js'));
    return;
  }
  if (!resultsFile || !repoRoot) {
    return;
  }
  try {
    writeResults(resultsFile, await runSuites(repoRoot, path.join(__dirname, 'suites.js')));
  } catch (error) {
    writeResults(resultsFile, {
      passed: 0,
      failed: 1,
      pending: 0,
      tests: [{ title: 'test runner', state: 'failed', durationMs: 0, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }]
    });
  }
}

/** Entry for @vscode/test-electron (`extensionTestsPath`), used by `npm run test:desktop`. */
export async function run(): Promise<void> {
  const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
  const results = await runSuites(repoRoot, path.join(__dirname, 'suites.js'));
  writeResults(path.join(repoRoot, 'test-results', 'extension-host-desktop.json'), results);
  if (results.failed > 0) {
    throw new Error(`${results.failed} extension-host test(s) failed`);
  }
}
