/**
 * The strings bundle (`l10n/bundle.l10n.json`, the file translators start from and `package.json`'s
 * `l10n` points at) holds every string passed to `vscode.l10n.t` (host) or `l10n.t` from
 * `@vscode/l10n` (core, engines), as `@vscode/l10n-dev export` finds them: a string added without
 * `npm run l10n` fails here, before a translation silently misses it. l10nCalls.test.ts makes sure
 * the export can find every call (see docs/architecture.md, "Localization").
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

describe('localization bundle', function () {
  this.timeout(120_000);

  it('holds every string passed to vscode.l10n.t, and none the code no longer uses', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'm365mail-l10n-'));
    try {
      const cli = require.resolve('@vscode/l10n-dev/dist/cli.js');
      execFileSync(process.execPath, [cli, 'export', '--outDir', out, path.join(root, 'src')], { stdio: 'pipe' });
      const fresh = JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as Record<string, unknown>;
      const committed = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, unknown>;
      const missing = Object.keys(fresh).filter((key) => !(key in committed));
      const stale = Object.keys(committed).filter((key) => !(key in fresh));
      assert.deepEqual(missing, [], 'strings used but not in l10n/bundle.l10n.json: run `npm run l10n`');
      assert.deepEqual(stale, [], 'strings in l10n/bundle.l10n.json the code no longer uses: run `npm run l10n`');
      assert.ok(Object.keys(fresh).length > 100, 'the export found the extension’s strings');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  it('is where package.json says, and ships in the VSIX', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { l10n?: string };
    assert.equal(manifest.l10n, './l10n');
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!l10n/bundle.l10n.json'), '.vscodeignore keeps the bundle');
  });
});
