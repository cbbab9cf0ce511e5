/**
 * Runs the bundled extension-host suites (dist/suites.js) with Mocha and returns the per-test
 * outcome. Mocha is loaded from the repository's node_modules, found through M365MAIL_REPO_ROOT
 * (or, under @vscode/test-electron, relative to this file in the source tree).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface TestOutcome {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  passed: number;
  failed: number;
  pending: number;
  tests: TestOutcome[];
}

export function runSuites(repoRoot: string, suitesFile: string): Promise<SuiteResults> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(path.join(repoRoot, 'node_modules', 'mocha')) as typeof import('mocha');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'dot' });
  mocha.addFile(suitesFile);
  const results: SuiteResults = { passed: 0, failed: 0, pending: 0, tests: [] };
  return new Promise((resolve) => {
    const runner = mocha.run(() => resolve(results));
    runner.on('pass', (test) => {
      results.passed++;
      results.tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 });
    });
    runner.on('fail', (test, error: Error) => {
      results.failed++;
      results.tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error: error.stack ?? error.message });
    });
    runner.on('pending', (test) => {
      results.pending++;
      results.tests.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 });
    });
  });
}

export function writeResults(file: string, results: SuiteResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Write then rename: the orchestrator polls for this file and must never read half of it.
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}
