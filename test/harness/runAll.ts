/**
 * `npm test`: every tier, in order, with a summary. Installs what is missing first (setup.ts).
 *
 *   static         ESLint, the TypeScript type check and Prettier's format check (one check each)
 *   unit           Mocha over modules without `vscode` (test/unit), in plain Node
 *   sandbox        the loopback authorization, IMAP and SMTP servers: the tests of the
 *                  @m365-mail/sandbox package (packages/sandbox/test), under Node 24
 *   integration    product modules without `vscode` (auth engine, SMTP, IMAP, diagnostics) in
 *                  plain Node against the sandbox (test/integration)
 *   extension-host Mocha inside a real VS Code extension host (code-server) after activating the
 *                  real, packaged extension (test/extensionHost)
 *   e2e            Playwright driving the code-server workbench in Debian's Chromium (test/e2e)
 *
 * Each tier writes test-results/<tier>.json. The last line is `N passed, N failed` over all tiers.
 * Set M365MAIL_TIERS=unit,e2e to run some tiers only, M365MAIL_GREP=<pattern> to run matching tests only. Nothing started here outlives the run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser';
import { startCodeServer } from './codeServer';
import { packageProblems, packageProduct, VSIX_LIMIT_BYTES, vsce } from './packageVsix';
import { reapStale, startManaged, stopAll, stopAllOnExit } from '@m365-mail/sandbox';
import { startSandbox, type SandboxProcess } from './sandbox';
import { SANDBOX_ENV, sandboxSettings } from './sandboxEnv';
import { setup } from './setup';
import { node24Bin, repoRoot, resultsDir } from './toolchain';

interface TierResult {
  tier: string;
  passed: number;
  failed: number;
  pending: number;
  seconds: number;
  note?: string;
}

const TIER_TIMEOUT_MS = 30 * 60_000;
const bin = (name: string) => path.join(repoRoot, 'node_modules', '.bin', name);

/** Runs a command in its own process group, streaming its output; kills the group on timeout. */
function runCommand(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = repoRoot): Promise<number> {
  const child = startManaged(name, command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      console.error(`[test] ${name} timed out after ${TIER_TIMEOUT_MS / 60_000} min; stopping it`);
      void child.stop();
    }, TIER_TIMEOUT_MS);
    child.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      void child.stop().then(() => resolve(code ?? (signal ? 1 : 0)));
    });
  });
}

function readCounts(file: string): { passed: number; failed: number; pending: number } | undefined {
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as { passed: number; failed: number; pending: number };
}

async function staticTier(): Promise<Omit<TierResult, 'seconds'>> {
  const lint = await runCommand('eslint', bin('eslint'), ['.']);
  const types = await runCommand('typecheck', 'npm', ['run', '--silent', 'typecheck']);
  const format = await runCommand('prettier', bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  const failed = [lint, types, format].filter((code) => code !== 0).length;
  return { tier: 'static', passed: 3 - failed, failed, pending: 0 };
}

interface MochaTierOptions {
  env?: NodeJS.ProcessEnv;
  /** Where mocha runs (its config's paths are relative to it). Default: the repository. */
  cwd?: string;
  /** The Node to run mocha with. Default: this one. */
  node?: string;
}

async function mochaTier(tier: string, config: string, options: MochaTierOptions = {}): Promise<Omit<TierResult, 'seconds'>> {
  const cwd = options.cwd ?? repoRoot;
  if (!fs.existsSync(path.join(cwd, config))) {
    return { tier, passed: 0, failed: 0, pending: 0, note: `${config} missing` };
  }
  const output = path.join(resultsDir, `${tier}.json`);
  fs.rmSync(output, { force: true });
  const mochaArgs = [
    '--config',
    config,
    '--reporter',
    path.join(__dirname, 'specSummaryReporter.cjs'),
    '--reporter-option',
    `output=${output}`,
    // For working on one test: M365MAIL_GREP narrows every Mocha tier to the matching titles.
    ...(process.env.M365MAIL_GREP ? ['--grep', process.env.M365MAIL_GREP] : [])
  ];
  const [command, args] = options.node
    ? [options.node, [path.join(repoRoot, 'node_modules', 'mocha', 'bin', 'mocha.js'), ...mochaArgs]]
    : [bin('mocha'), mochaArgs];
  const code = await runCommand(tier, command, args, options.env, cwd);
  const counts = readCounts(output);
  if (!counts) return { tier, passed: 0, failed: 1, pending: 0, note: `mocha exited with ${code} before reporting` };
  // A crash after the report (an unhandled rejection, a hook failing) still fails the tier.
  return { tier, ...counts, failed: counts.failed + (code !== 0 && counts.failed === 0 ? 1 : 0) };
}

async function extensionHostTier(vsix: string, sandbox: SandboxProcess, sandboxFile: string): Promise<Omit<TierResult, 'seconds'>> {
  const tier = 'extension-host';
  const build = await runCommand('build-tests', process.execPath, ['esbuild.mjs', '--tests']);
  if (build !== 0) return { tier, passed: 0, failed: 1, pending: 0, note: 'test build failed' };
  const runnerVsix = path.join(repoRoot, 'out', 'm365-mail-test-runner.vsix');
  vsce(path.join(repoRoot, 'test', 'extensionHost', 'runner'), runnerVsix);
  const output = path.join(resultsDir, `${tier}.json`);
  fs.rmSync(output, { force: true });
  const server = await startCodeServer({
    vsixes: [vsix, runnerVsix],
    name: 'exthost',
    settings: sandboxSettings(sandbox.description),
    env: { M365MAIL_EXTHOST_RESULTS: output, M365MAIL_REPO_ROOT: repoRoot, [SANDBOX_ENV]: sandboxFile }
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    // The extension host starts only when a workbench connects.
    await page.goto(server.url);
    const deadline = Date.now() + 5 * 60_000;
    while (!fs.existsSync(output) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  const results = readCounts(output) as (TierResult & { tests: Array<{ title: string; state: string; error?: string }> }) | undefined;
  if (!results) return { tier, passed: 0, failed: 1, pending: 0, note: 'no results within 5 minutes (the runner extension did not report)' };
  for (const t of results.tests) {
    console.log(`  ${t.state === 'passed' ? '✔' : t.state === 'failed' ? '✗' : '-'} ${t.title}`);
    if (t.error) console.log(`      ${t.error.split('\n').slice(0, 6).join('\n      ')}`);
  }
  return { tier, passed: results.passed, failed: results.failed, pending: results.pending };
}

async function main(): Promise<number> {
  stopAllOnExit();
  const reaped = reapStale();
  if (reaped.length) console.log(`[test] stopped leftovers of an earlier run: ${reaped.join(', ')}`);
  setup();
  fs.rmSync(resultsDir, { recursive: true, force: true });
  fs.mkdirSync(resultsDir, { recursive: true });

  const only = process.env.M365MAIL_TIERS?.split(',').map((s) => s.trim());
  const wanted = (tier: string) => !only || only.includes(tier);
  const results: TierResult[] = [];
  const timed = async (tier: string, run: () => Promise<Omit<TierResult, 'seconds'>>, always = false) => {
    if (!always && !wanted(tier)) return;
    console.log(`\n=== ${tier} ===`);
    const started = Date.now();
    let result: Omit<TierResult, 'seconds'>;
    try {
      result = await run();
    } catch (error) {
      console.error(error);
      result = { tier, passed: 0, failed: 1, pending: 0, note: error instanceof Error ? error.message.split('\n')[0] : String(error) };
    }
    results.push({ ...result, seconds: (Date.now() - started) / 1000 });
  };

  await timed('static', staticTier);
  await timed('unit', () => mochaTier('unit', 'test/unit/.mocharc.json'));
  // oidc-provider supports Node 22 LTS and later: the package's own tests, which run its servers in
  // process, run under the harness's Node 24.
  await timed('sandbox', () => mochaTier('sandbox', '.mocharc.json', { cwd: path.join(repoRoot, 'packages', 'sandbox'), node: node24Bin }));
  await timed('integration', () => mochaTier('integration', 'test/integration/.mocharc.json'));
  let vsix: string | undefined;
  if (wanted('extension-host') || wanted('e2e')) {
    await timed(
      'package',
      async () => {
        const result = packageProduct();
        vsix = result.vsix;
        const kib = result.bytes / 1024;
        console.log(`${path.relative(repoRoot, vsix)}: ${kib.toFixed(1)} KiB (limit ${VSIX_LIMIT_BYTES / 1024} KiB), ${result.warnings.length} vsce warnings`);
        // Two checks: vsce packages without a warning, and the VSIX stays under the limit.
        const problems = packageProblems(result);
        for (const p of problems) console.error(`  ✗ ${p}`);
        const sizeFailed = result.bytes >= VSIX_LIMIT_BYTES ? 1 : 0;
        const warningsFailed = result.warnings.length ? 1 : 0;
        return {
          tier: 'package',
          passed: 2 - sizeFailed - warningsFailed,
          failed: sizeFailed + warningsFailed,
          pending: 0,
          note: `VSIX ${kib.toFixed(0)} KiB, ${result.warnings.length} vsce warnings`
        };
      },
      true
    );
  }
  if (vsix) {
    const packaged = vsix;
    // One sandbox (authorization server, IMAP, SMTP) serves both tiers that run in VS Code.
    let sandbox: SandboxProcess | undefined;
    const sandboxFile = path.join(resultsDir, 'sandbox.json');
    await timed(
      'sandbox-start',
      async () => {
        sandbox = await startSandbox();
        fs.writeFileSync(sandboxFile, JSON.stringify(sandbox.description, null, 2));
        console.log(
          `sandbox: authority ${sandbox.description.authorization.authority}, IMAP ${sandbox.description.imap.port}, SMTP ${sandbox.description.smtp.port}`
        );
        return { tier: 'sandbox-start', passed: 0, failed: 0, pending: 0 };
      },
      true
    );
    if (sandbox) {
      const running = sandbox;
      try {
        await timed('extension-host', () => extensionHostTier(packaged, running, sandboxFile));
        await timed('e2e', () => mochaTier('e2e', 'test/e2e/.mocharc.json', { env: { M365MAIL_VSIX: packaged, [SANDBOX_ENV]: sandboxFile } }));
      } finally {
        await running.stop();
      }
    }
  }
  await stopAll();

  const metricsFile = path.join(resultsDir, 'e2e-metrics.json');
  const metrics = fs.existsSync(metricsFile) ? (JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as Record<string, unknown>) : {};
  console.log('\n=== summary ===');
  for (const r of results) {
    console.log(
      `${r.tier.padEnd(15)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.pending).padStart(3)} pending  ${r.seconds.toFixed(1).padStart(6)} s${r.note ? `  (${r.note})` : ''}`
    );
  }
  if (metrics.activationMs !== undefined) console.log(`activate() in code-server (e2e): ${String(metrics.activationMs)} ms`);
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  fs.writeFileSync(path.join(resultsDir, 'summary.json'), JSON.stringify({ results, metrics, passed, failed }, null, 2));
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (error) => {
    console.error(error);
    await stopAll();
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
);
