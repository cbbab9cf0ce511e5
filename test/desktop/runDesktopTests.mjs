// `npm run test:desktop`: the extension-host suites in VS Code desktop through @vscode/test-electron,
// on machines that can download VS Code (this project's CI cannot; it runs the same suites inside
// code-server, see test/harness/runAll.ts). Same suites, same runner module, development build.
import { runTests } from '@vscode/test-electron';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
execFileSync(process.execPath, [path.join(repoRoot, 'esbuild.mjs'), '--tests'], { cwd: repoRoot, stdio: 'inherit' });

try {
  await runTests({
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(repoRoot, 'test', 'extensionHost', 'runner', 'dist', 'extension.js'),
    launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes']
  });
} catch (error) {
  console.error('Extension-host tests failed:', error instanceof Error ? error.message : error);
  process.exit(1);
}
