/**
 * Installs what a fresh machine lacks for the tests and the demo, and says what it installed:
 * Debian packages (Chromium, the mail servers, the headers code-server's native modules need),
 * Node 24 and code-server (cached outside the clone, see toolchain.ts). Safe to run again: what is
 * present is left alone. Run as `npm run setup`; `npm test` and `npm run demo` call it first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cacheRoot, CODE_SERVER_VERSION, codeServerDir, codeServerEntry, NODE_FOR_CODE_SERVER, node24Bin, node24Dir, node24Home, repoRoot } from './toolchain';

// Fonts: the screenshots in the README show status emoji as users see them. tinyproxy: the real
// proxy the proxy tests start on a loopback port (test/support/tinyproxy.ts).
const HARNESS_PACKAGES = ['chromium', 'libkrb5-dev', 'curl', 'openssl', 'ca-certificates', 'fonts-dejavu-core', 'fonts-noto-color-emoji', 'tinyproxy'];

function sandboxPackages(): string[] {
  const file = path.join(repoRoot, 'packages', 'sandbox', 'prerequisites.json');
  if (!fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { debianPackages?: string[] }).debianPackages ?? [];
}

function installed(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): void {
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env, cwd });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

function ensureDebianPackages(report: string[]): void {
  const wanted = [...new Set([...HARNESS_PACKAGES, ...sandboxPackages()])];
  const missing = wanted.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  console.log(`[setup] installing Debian packages: ${missing.join(' ')}`);
  const apt = (args: string[]) => (sudo.length ? run(sudo[0], [...sudo.slice(1), 'apt-get', ...args], env) : run('apt-get', args, env));
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  // The Debian packages enable system-wide services; the tests run their own instances on other ports.
  for (const service of ['dovecot', 'postfix', 'tinyproxy']) {
    spawnSync('sh', ['-c', `command -v systemctl >/dev/null && systemctl disable --now ${service} 2>/dev/null; service ${service} stop 2>/dev/null`], {
      stdio: 'ignore'
    });
  }
  report.push(`Debian packages: ${missing.join(', ')}`);
}

/** npm-installs into a staging folder, then renames it into place, so an interrupted install is never taken for a finished one. */
function npmInstallInto(target: string, spec: string, env: NodeJS.ProcessEnv): void {
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'm365-mail-toolchain', private: true }));
  run('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--loglevel=error', spec], env, staging);
  fs.rmSync(target, { recursive: true, force: true });
  fs.renameSync(staging, target);
}

/**
 * The environment without the `npm_*` variables of the npm that started us: code-server's
 * postinstall reads the Node version from `npm_config_user_agent`, which would still name Node 20.
 */
function withoutNpmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
}

function ensureNode24(report: string[]): void {
  if (fs.existsSync(node24Bin)) return;
  console.log(`[setup] installing Node ${NODE_FOR_CODE_SERVER} (for code-server) into ${node24Dir}`);
  npmInstallInto(node24Dir, `node@${NODE_FOR_CODE_SERVER}`, process.env);
  report.push(`Node ${execFileSync(node24Bin, ['-v'], { encoding: 'utf8' }).trim()}`);
}

function ensureCodeServer(report: string[]): void {
  if (fs.existsSync(codeServerEntry)) return;
  console.log(`[setup] installing code-server ${CODE_SERVER_VERSION} into ${codeServerDir} (a few minutes, once)`);
  const env: NodeJS.ProcessEnv = {
    ...withoutNpmEnvironment(),
    PATH: `${path.dirname(node24Bin)}${path.delimiter}${process.env.PATH ?? ''}`,
    // Native modules must be built for Node 24's ABI, against its own headers (no download here).
    npm_config_nodedir: node24Home
  };
  npmInstallInto(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, env);
  report.push(`code-server ${CODE_SERVER_VERSION}`);
}

export function setup(): string[] {
  const report: string[] = [];
  fs.mkdirSync(cacheRoot, { recursive: true });
  ensureDebianPackages(report);
  ensureNode24(report);
  ensureCodeServer(report);
  console.log(report.length ? `[setup] installed: ${report.join('; ')}` : '[setup] nothing to install: toolchain already present');
  return report;
}

if (require.main === module) {
  setup();
}
