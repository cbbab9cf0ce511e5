/**
 * Starts a real VS Code (code-server: the VS Code server and web workbench, with a Node extension
 * host) on 127.0.0.1 with VSIXs installed into fresh user-data and extensions folders.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startManaged, type ManagedProcess } from '@m365-mail/sandbox';
import { codeServerEntry, node24Bin } from './toolchain';

export interface CodeServerOptions {
  vsixes: string[];
  /** User settings (settings.json). */
  settings?: Record<string, unknown>;
  /** Extra environment for the server; the remote extension host inherits it. */
  env?: Record<string, string>;
  /** Folder to open as the workspace. */
  folder?: string;
  /** Names the temp folder, for whoever looks at leftovers. */
  name?: string;
  /** Port on 127.0.0.1; a free one when absent. */
  port?: number;
  /**
   * Runs with telemetry on, as a user who leaves it on would, and sends code-server's own events to
   * this loopback URL (CS_TELEMETRY_URL): nothing leaves the machine. Off (--disable-telemetry) otherwise.
   */
  telemetryCollector?: string;
  /**
   * Runs once the VSIXs are installed, before code-server starts, with the extensions folder: for
   * files a test adds beside an installed extension (the pseudo-locale's translations).
   */
  afterInstall?: (extensionsDir: string) => void;
}

export interface CodeServer {
  readonly url: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly process: ManagedProcess;
  /** The extension host's log folder, once the workbench has started one. */
  exthostLogFiles(): string[];
  stop(): Promise<void>;
}

function codeServerArgs(userDataDir: string, extensionsDir: string, telemetry = false): string[] {
  return [
    codeServerEntry,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...(telemetry ? [] : ['--disable-telemetry']),
    '--disable-update-check',
    '--disable-workspace-trust'
  ];
}

async function waitForHttp(url: string, timeoutMs: number, child: ManagedProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.child.exitCode !== null) throw new Error(`code-server exited early:\n${output()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer at ${url} within ${timeoutMs} ms:\n${output()}`);
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!fs.existsSync(codeServerEntry)) {
    throw new Error('code-server is not installed: run `npm run setup` first');
  }
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `m365-mail-${options.name ?? 'code-server'}-`));
  const userDataDir = path.join(root, 'user-data');
  const extensionsDir = path.join(root, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'extensions.autoUpdate': false,
        'extensions.ignoreRecommendations': true,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'security.workspace.trust.enabled': false,
        'window.commandCenter': false,
        'chat.disableAIFeatures': true,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        // M365 Mail opens its walkthrough on first activation unless this is off; the walkthrough's
        // own test turns it on, the other tests keep the editor area to themselves.
        'workbench.welcomePage.walkthroughs.openOnInstall': false,
        ...options.settings
      },
      null,
      2
    )
  );

  // Machine-scoped settings (the extension's CA and cloud settings are) are read from the
  // server's machine settings in a remote window; keep both files the same.
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  fs.copyFileSync(path.join(userDataDir, 'User', 'settings.json'), path.join(userDataDir, 'Machine', 'settings.json'));

  const install = spawnSync(node24Bin, [...codeServerArgs(userDataDir, extensionsDir), ...options.vsixes.flatMap((v) => ['--install-extension', v])], {
    encoding: 'utf8'
  });
  if (install.status !== 0) {
    fs.rmSync(root, { recursive: true, force: true });
    throw new Error(`installing ${options.vsixes.join(', ')} failed:\n${install.stdout}\n${install.stderr}`);
  }
  options.afterInstall?.(extensionsDir);

  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  // code-server reads these; an inherited PASSWORD or a VS Code IPC hook must not leak in.
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.VSCODE_IPC_HOOK_CLI;
  if (options.telemetryCollector) env.CS_TELEMETRY_URL = options.telemetryCollector;
  const child = startManaged(
    'code-server',
    node24Bin,
    [
      ...codeServerArgs(userDataDir, extensionsDir, options.telemetryCollector !== undefined),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      // The workbench sends every localhost URL it opens (the sandbox's sign-in page) through
      // code-server's port forwarder. Its default, the path proxy /proxy/PORT/, moves the page under
      // a prefix its cookies and redirects do not know; a proxy domain keeps each port's paths as
      // they are: https://127.0.0.1:PORT/x opens as http://PORT.localhost:<this port>/x, which every
      // browser resolves to loopback (RFC 6761), also at the far end of `ssh -L <this port>:…`.
      '--proxy-domain',
      `localhost:${port}`,
      ...(options.folder ? [options.folder] : [])
    ],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      dirs: [root]
    }
  );
  let output = '';
  child.child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}/`;
  await waitForHttp(`${url}healthz`, 60_000, child, () => output);

  return {
    url: options.folder ? `${url}?folder=${encodeURIComponent(options.folder)}` : url,
    userDataDir,
    extensionsDir,
    process: child,
    exthostLogFiles: () => walk(path.join(userDataDir, 'logs')).filter((f) => f.includes('exthost')),
    stop: () => child.stop()
  };
}
