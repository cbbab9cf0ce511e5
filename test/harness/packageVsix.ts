/**
 * `npm run package`: a production build packaged with @vscode/vsce into out/m365-mail-<version>.vsix.
 * Prints the VSIX size. Dependencies are bundled by esbuild, so node_modules stays out.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './toolchain';

export function vsce(cwd: string, out: string): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(
    path.join(repoRoot, 'node_modules', '.bin', 'vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--no-rewrite-relative-links', '--out', out],
    {
      cwd,
      encoding: 'utf8'
    }
  );
  if (r.status !== 0) throw new Error(`vsce package failed in ${cwd}:\n${r.stdout}\n${r.stderr}`);
}

export function packageProduct(): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const out = path.join(repoRoot, 'out', `m365-mail-${version}.vsix`);
  vsce(repoRoot, out); // runs `vscode:prepublish`, the production build
  return out;
}

if (require.main === module) {
  const vsix = packageProduct();
  const bytes = fs.statSync(vsix).size;
  console.log(`${path.relative(repoRoot, vsix)}: ${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`);
}
