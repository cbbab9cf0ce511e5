/**
 * `npm run package`: a production build packaged with @vscode/vsce into out/m365-mail-<version>.vsix.
 * Prints the VSIX size and fails on any warning vsce prints, or above the size limit.
 * `npm run package -- --pre-release` marks it a pre-release (odd minor version, see the README).
 * Dependencies are bundled by esbuild, so node_modules stays out.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './toolchain';

/** The Marketplace takes larger files, but a VSIX this size downloads and installs quickly everywhere. */
export const VSIX_LIMIT_BYTES = 3 * 1024 * 1024;

export interface PackageResult {
  vsix: string;
  bytes: number;
  /** Lines vsce printed as warnings (a publishable package has none). */
  warnings: string[];
}

/** vsce's warnings (`WARNING  …`, with or without colour codes), one per line. */
export function vsceWarnings(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  return plain
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^WARNING\b/.test(line));
}

/**
 * Runs `vsce package`. The test-runner extension (a fixture, never published) packages without a
 * repository or licence; the product has both and lets vsce rewrite the README's relative links
 * against its repository.
 */
export function vsce(cwd: string, out: string, options: { product?: boolean; preRelease?: boolean } = {}): string {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const args = ['package', '--no-dependencies', '--out', out];
  if (!options.product) args.push('--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links');
  if (options.preRelease) args.push('--pre-release');
  const r = spawnSync(path.join(repoRoot, 'node_modules', '.bin', 'vsce'), args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`vsce package failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}\n${r.stderr}`;
}

export function packageProduct(options: { preRelease?: boolean } = {}): PackageResult {
  const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const vsix = path.join(repoRoot, 'out', `m365-mail-${version}.vsix`);
  const output = vsce(repoRoot, vsix, { product: true, ...options }); // runs `vscode:prepublish`, the production build
  return { vsix, bytes: fs.statSync(vsix).size, warnings: vsceWarnings(output) };
}

/** What is wrong with a package for publishing: vsce's warnings and the size limit. */
export function packageProblems(result: PackageResult): string[] {
  const problems = result.warnings.map((w) => `vsce: ${w}`);
  if (result.bytes >= VSIX_LIMIT_BYTES) problems.push(`the VSIX is ${(result.bytes / 1024).toFixed(0)} KiB, over ${VSIX_LIMIT_BYTES / 1024} KiB`);
  return problems;
}

if (require.main === module) {
  const result = packageProduct({ preRelease: process.argv.includes('--pre-release') });
  console.log(`${path.relative(repoRoot, result.vsix)}: ${(result.bytes / 1024).toFixed(1)} KiB (${result.bytes} bytes, limit ${VSIX_LIMIT_BYTES / 1024} KiB)`);
  const problems = packageProblems(result);
  for (const p of problems) console.error(p);
  if (problems.length) process.exitCode = 1;
}
