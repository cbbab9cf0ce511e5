// Builds M365 Mail with esbuild. Type checking is `npm run typecheck`; this file only bundles.
//
//   node esbuild.mjs                 development build (sourcemaps)
//   node esbuild.mjs --production    minified, no sourcemaps (what `vsce package` ships)
//   node esbuild.mjs --watch         rebuild on change
//   node esbuild.mjs --tests         also bundle the extension-host test runner (test/extensionHost)
//                                    and the tree benchmark it runs in bench mode (bench/treeBenchHost.ts)
//
// Layout of dist/:
//   extension.js       the only file loaded by activate(): commands, tree, logger. Kept small.
//   chunks/<name>.js   heavy features (MSAL, node-forge, nodemailer, imapflow, telemetry, mail parsing) loaded
//                      on first use through src/common/lazyChunk.ts, so activation stays cheap.
//   webviews/<name>.js browser bundles, one per webview (src/webviews/<name>/app/main.ts).
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const tests = args.has('--tests');

/** Heavy modules, each its own CommonJS file under dist/chunks, required lazily at run time. */
const chunks = {
  telemetry: 'src/telemetry/telemetryChunk.ts',
  auth: 'src/auth/index.ts',
  // node-forge, to unlock a .pfx/.p12 or an encrypted key when one is picked: not in auth, which every token request loads.
  certificates: 'src/auth/certificateFile/index.ts',
  imap: 'src/mail/imap/index.ts',
  smtp: 'src/mail/smtp/index.ts',
  graph: 'src/mail/graph/index.ts',
  // https-proxy-agent, for the connection test (auth and graph bundle their own copy).
  proxy: 'src/net/proxyAgent.ts'
};

/** Keeps `require('./chunks/x.js')` calls in extension.js pointing at the separate chunk files. */
const chunksExternal = {
  name: 'chunks-external',
  setup(build) {
    build.onResolve({ filter: /^\.\/chunks\// }, (a) => ({ path: a.path, external: true }));
  }
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  legalComments: production ? 'none' : 'inline',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': production ? '"production"' : '"development"' }
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // kerberos: an optional peer of https-proxy-agent's Negotiate support, which is never enabled.
  external: ['vscode', 'kerberos'],
  mainFields: ['module', 'main'],
  metafile: true
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', plugins: [chunksExternal] },
  { ...node, entryPoints: chunks, outdir: 'dist/chunks' }
];

const webviewRoot = 'src/webviews';
if (existsSync(webviewRoot)) {
  for (const name of readdirSync(webviewRoot)) {
    const entry = path.join(webviewRoot, name, 'app', 'main.ts');
    if (existsSync(entry)) {
      builds.push({ ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: { [name]: entry }, outdir: 'dist/webviews' });
    }
  }
}

if (tests) {
  // The extension-host tier: a small runner extension plus all suites in one bundle, so that
  // `require('vscode')` inside the suites resolves to the runner's own API object.
  builds.push({
    ...node,
    sourcemap: 'inline',
    minify: false,
    // treeBench: the credential-tree benchmark the runner runs in bench mode (bench/treeBench.ts).
    entryPoints: { extension: 'test/extensionHost/runner/extension.ts', suites: 'test/extensionHost/suites/index.ts', treeBench: 'bench/treeBenchHost.ts' },
    outdir: 'test/extensionHost/runner/dist',
    external: ['vscode', 'mocha'],
    // Suites may construct the token broker; its chunks stay unresolved here, as in extension.js
    // (a suite that reached one would fail with a missing module, which the destination suite relies on).
    plugins: [chunksExternal]
  });
}

// Start from an empty dist/ so no stale chunk or sourcemap is packaged.
rmSync('dist', { recursive: true, force: true });

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[esbuild] watching');
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  const main = results[0].metafile;
  const bytes = Object.values(main.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`[esbuild] ${production ? 'production' : 'development'} build done; dist/extension.js ${(bytes / 1024).toFixed(1)} KiB`);
}
