/**
 * Where the test toolchain lives. code-server (a real VS Code: server + web workbench) and the
 * Node 24 it needs are large and slow to install, so they are cached outside the clone, keyed by
 * version, and reused by later runs and by CI.
 */
import os from 'node:os';
import path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE_FOR_CODE_SERVER = '24';

export const cacheRoot = process.env.M365MAIL_CACHE_DIR ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'm365-mail');
export const node24Dir = path.join(cacheRoot, `node${NODE_FOR_CODE_SERVER}`);
/** The platform package that holds the Node 24 binary and headers (node-gyp builds code-server's native modules against them). */
export const node24Home = path.join(node24Dir, 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
export const node24Bin = path.join(node24Home, 'bin', 'node');
export const codeServerDir = path.join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerEntry = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export const chromiumPath = process.env.M365MAIL_CHROMIUM ?? '/usr/bin/chromium';

/** Launch flags that work on a machine with no internet and as root. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run'
];

export const repoRoot = path.resolve(__dirname, '..', '..');
export const resultsDir = path.join(repoRoot, 'test-results');
