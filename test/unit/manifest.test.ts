import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { vsceWarnings } from '../harness/packageVsix';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { markdown?: string };
  completionEvents: string[];
}
interface Manifest {
  name: string;
  publisher: string;
  version: string;
  license: string;
  icon: string;
  repository: { url: string };
  bugs: { url: string };
  homepage: string;
  engines: { vscode: string };
  categories: string[];
  keywords: string[];
  pricing: string;
  contributes: { walkthroughs: Array<{ id: string; title: string; steps: Step[] }>; commands: Array<{ command: string }> };
}

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest;
const nls = JSON.parse(readFileSync('package.nls.json', 'utf8')) as Record<string, string>;
const nlsKey = (value: string) => /^%(.+)%$/.exec(value)?.[1];

/** The manifest as the Marketplace (vsce) and Open VSX (ovsx) check it before publishing. */
describe('manifest: ready to publish', () => {
  it('has the fields vsce and Open VSX require, with an https repository', () => {
    assert.match(manifest.name, /^[a-z0-9][a-z0-9-]*$/);
    assert.match(manifest.publisher, /^[a-z0-9][a-z0-9-]*$/);
    assert.match(manifest.version, /^\d+\.\d+\.\d+$/, 'Marketplace versions are major.minor.patch, no pre-release tag');
    assert.equal(manifest.license, 'MIT');
    assert.ok(existsSync('LICENSE'));
    assert.match(manifest.repository.url, /^https:\/\//);
    assert.match(manifest.bugs.url, /^https:\/\//);
    assert.match(manifest.homepage, /^https:\/\//);
    // --pre-release needs engines.vscode 1.63 or later.
    assert.match(manifest.engines.vscode, /^\^1\.(6[3-9]|[7-9]\d|\d{3})\./);
    assert.equal(manifest.pricing, 'Free');
  });

  it('has a 128×128 PNG icon that is packaged', () => {
    const png = readFileSync(manifest.icon);
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
    assert.match(readFileSync('.vscodeignore', 'utf8'), new RegExp(`^!${manifest.icon.replace('.', '\\.')}$`, 'm'));
  });

  it('uses only categories the Marketplace allows and at most 30 keywords', () => {
    const allowed = [
      'Programming Languages',
      'Snippets',
      'Linters',
      'Themes',
      'Debuggers',
      'Formatters',
      'Keymaps',
      'SCM Providers',
      'Other',
      'Extension Packs',
      'Language Packs',
      'Data Science',
      'Machine Learning',
      'Visualization',
      'Notebooks',
      'Education',
      'Testing'
    ];
    for (const c of manifest.categories) assert.ok(allowed.includes(c), c);
    assert.ok(manifest.keywords.length > 0 && manifest.keywords.length <= 30);
    assert.equal(new Set(manifest.keywords).size, manifest.keywords.length);
  });

  it('reads vsce warnings with and without colour codes', () => {
    const out = 'INFO  Files included\n\u001b[43m\u001b[30m WARNING \u001b[39m\u001b[49m LICENSE.md, LICENSE.txt or LICENSE not found\n DONE  Packaged';
    assert.deepEqual(vsceWarnings(out), ['WARNING  LICENSE.md, LICENSE.txt or LICENSE not found']);
    assert.deepEqual(vsceWarnings(' DONE  Packaged: out/m365-mail-0.1.0.vsix (27 files, 1.28 MB)'), []);
  });
});

describe('manifest: the walkthrough', () => {
  const [walkthrough] = manifest.contributes.walkthroughs;
  const keysSource = readFileSync('src/views/walkthrough.ts', 'utf8');
  const commands = new Set(manifest.contributes.commands.map((c) => c.command));

  it('is opened by the id the extension uses', () => {
    assert.ok(keysSource.includes(`'${manifest.publisher}.${manifest.name}#${walkthrough.id}'`));
  });

  it('has every step titled and described in package.nls.json, with a packaged Markdown page', () => {
    assert.equal(walkthrough.steps.length, 6);
    const vscodeignore = readFileSync('.vscodeignore', 'utf8');
    for (const step of walkthrough.steps) {
      for (const value of [step.title, step.description]) assert.ok(nls[nlsKey(value) ?? ''], `${step.id}: ${value}`);
      const page = step.media.markdown ?? '';
      assert.match(page, /^media\/walkthrough\/[A-Za-z]+\.md$/);
      assert.ok(readFileSync(page, 'utf8').length < 2048, `${page} is small`);
      assert.ok(vscodeignore.includes('!media/walkthrough/*.md'));
    }
  });

  it('completes each step on a context key the extension sets, never on a command merely invoked', () => {
    for (const step of walkthrough.steps) {
      assert.equal(step.completionEvents.length, 1, step.id);
      const [kind, value] = step.completionEvents[0].split(':');
      // onCommand fires when the command is invoked, also when it then fails or is cancelled.
      assert.equal(kind, 'onContext', step.completionEvents[0]);
      assert.ok(keysSource.includes(`'${value}'`), step.completionEvents[0]);
    }
  });

  it('has a button in each step that runs a contributed command', () => {
    for (const step of walkthrough.steps) {
      const button = /\n\[[^\]]+\]\(command:([\w.]+)\)$/.exec(nls[nlsKey(step.description) ?? '']);
      assert.ok(button && commands.has(button[1]), step.id);
    }
  });
});
