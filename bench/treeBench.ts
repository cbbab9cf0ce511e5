/**
 * The Credentials tree with N credentials, measured inside a real VS Code extension host, the way
 * the extension-host test tier runs (test/harness/runAll.ts `extensionHostTier`): build the runner
 * bundle (`node esbuild.mjs --tests`, which also bundles bench/treeBenchHost.ts to
 * test/extensionHost/runner/dist/treeBench.js), package the runner extension with vsce, start
 * code-server with it and M365MAIL_BENCH_RESULTS set, open the workbench in Chromium so the
 * extension host starts, and wait for the runner to write the figures. What is measured, and how,
 * is described in bench/treeBenchHost.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { launchBrowser } from '../test/harness/browser';
import { startCodeServer } from '../test/harness/codeServer';
import { vsce } from '../test/harness/packageVsix';
import { median, repoRoot } from './lib';
import type { TreeBenchInput, TreeBenchOutput } from './treeBenchHost';

export type { TreeBenchOutput } from './treeBenchHost';

const TIMEOUT_MS = 10 * 60_000;

export async function benchTree(input: TreeBenchInput): Promise<TreeBenchOutput> {
  if (process.env.M365MAIL_EXTHOST_RESULTS) throw new Error('M365MAIL_EXTHOST_RESULTS is set: the runner would run the test suites, not the bench');
  const build = spawnSync(process.execPath, ['esbuild.mjs', '--tests'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('node esbuild.mjs --tests failed');
  const runnerDir = path.join(repoRoot, 'test', 'extensionHost', 'runner');
  if (!fs.existsSync(path.join(runnerDir, 'dist', 'treeBench.js'))) {
    throw new Error('esbuild.mjs --tests did not bundle test/extensionHost/runner/dist/treeBench.js');
  }
  const runnerVsix = path.join(repoRoot, 'out', 'm365-mail-bench-runner.vsix');
  vsce(runnerDir, runnerVsix);

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'm365-mail-bench-tree-'));
  const output = path.join(work, 'tree.json');
  const server = await startCodeServer({
    vsixes: [runnerVsix],
    name: 'bench-tree',
    env: { M365MAIL_BENCH_RESULTS: output, M365MAIL_BENCH_INPUT: JSON.stringify(input) }
  });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    // The extension host starts only when a workbench connects; the runner activates on startup.
    await page.goto(server.url);
    // Independent evidence that the workbench drew the tree: the selected rows seen in the page
    // (the bench reveals and selects the last credential of each size).
    const selectedRows = new Set<string>();
    const deadline = Date.now() + TIMEOUT_MS;
    while (!fs.existsSync(output) && Date.now() < deadline) {
      const labels = await page
        .evaluate(() => [...document.querySelectorAll('.monaco-list-row.selected[aria-label^="Mailbox "]')].map((e) => e.getAttribute('aria-label') ?? ''))
        .catch(() => [] as string[]);
      for (const l of labels) selectedRows.add(l);
      await new Promise((r) => setTimeout(r, 200));
    }
    if (!fs.existsSync(output)) throw new Error(`the runner wrote no bench results within ${TIMEOUT_MS / 60_000} minutes`);
    const reply = JSON.parse(fs.readFileSync(output, 'utf8')) as { ok: true; result: TreeBenchOutput } | { ok: false; error: string };
    if (!reply.ok) throw new Error(`the tree bench failed in the extension host:\n${reply.error}`);
    reply.result.selectedRowsSeen = [...selectedRows];
    for (const s of reply.result.sizes) {
      console.log(
        `[tree] ${s.count}: compute ${median(s.ours).toFixed(1)} ms, first show ${median(s.render.firstShow).toFixed(1)} ms, refresh ${median(s.render.refresh).toFixed(1)} ms (VS Code ${reply.result.vscodeVersion})`
      );
    }
    return reply.result;
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
