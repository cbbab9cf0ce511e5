// Flat config: typescript-eslint's recommended rules over product, test and tooling code, and the
// import directions between the layers of src/ (docs/architecture.md says why).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { existsSync, readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';

// Layers of src/. core: the pure model and rules. Engines (Node, no `vscode`): net, auth, mail.
// Host (VS Code): everything else, with commands/ and extension.ts on top.
const HOST = ['common', 'credentials', 'signIn', 'views', 'webviews', 'telemetry', 'commands'];
const WEBVIEWS = readdirSync('src/webviews').filter((name) => existsSync(`src/webviews/${name}/app`));
const NOT_IN_LAYER = (layer, allowed) => `${layer} imports only ${allowed} (docs/architecture.md).`;

/** `import-x/no-restricted-paths` zones: who may not import what, resolved to files. */
const zones = [
  { target: './src/core', from: './src', except: ['./core'], message: NOT_IN_LAYER('core/', 'core/') },
  { target: './src/net', from: './src', except: ['./core', './net'], message: NOT_IN_LAYER('net/', 'core/ and net/') },
  // auth and mail never import each other, nor the host.
  { target: './src/auth', from: './src', except: ['./core', './net', './auth'], message: NOT_IN_LAYER('auth/', 'core/, net/ and auth/') },
  { target: './src/mail', from: './src', except: ['./core', './net', './mail'], message: NOT_IN_LAYER('mail/', 'core/, net/ and mail/') },
  // The webview bundles run in the browser: their own folder, their protocol types and core only.
  ...WEBVIEWS.flatMap((name) => [
    {
      target: `./src/webviews/${name}/app`,
      from: './src',
      except: ['./core', `./webviews/${name}/app`, `./webviews/${name}/protocol.ts`],
      message: NOT_IN_LAYER(`webviews/${name}/app/`, 'its protocol types and core/')
    },
    { target: `./src/webviews/${name}/protocol.ts`, from: './src', except: ['./core'], message: NOT_IN_LAYER(`webviews/${name}/protocol.ts`, 'core/') }
  ]),
  // Within the host, commands sit on top and extension.ts (the composition root) above them.
  {
    target: HOST.filter((f) => f !== 'commands').map((f) => `./src/${f}`),
    from: './src/commands',
    message: 'Only extension.ts imports commands/: commands sit on top of the host.'
  },
  { target: './src', from: './src/extension.ts', message: 'extension.ts is the composition root: nothing imports it.' },
  // A credential's secrets have one owner: the credential store, and the auth engine behind the token
  // broker. Nothing else names a secret key, so no command, view or mail feature reads or writes one.
  {
    target: ['./src/extension.ts', './src/mail', './src/net', ...HOST.filter((f) => f !== 'credentials').map((f) => `./src/${f}`)],
    from: './src/core/secretVault.ts',
    message: 'Only credentials/ and auth/ name secret keys: the rest reaches secrets through the credential store and the token broker.'
  },
  // common/ holds what the host folders share: it imports none of them (the telemetry chunk only as a type, below).
  ...HOST.filter((f) => f !== 'common').map((f) => ({
    target: './src/common',
    from: `./src/${f}`,
    except: f === 'telemetry' ? ['./telemetryChunk.ts'] : [],
    message: 'common/ is shared by the host folders and imports none of them.'
  }))
];

/** Module names core and the engines may not import: the VS Code API, and for core any I/O. */
const VSCODE = { name: 'vscode', message: 'Only the host (VS Code layer) imports `vscode`; see docs/architecture.md.' };
const IO = ['fs', 'fs/promises', 'net', 'tls', 'http', 'https', 'http2', 'dns', 'dgram', 'child_process', 'worker_threads', 'os'].flatMap((m) => [
  { name: m, message: 'core/ does no I/O: the engines and the host do.' },
  { name: `node:${m}`, message: 'core/ does no I/O: the engines and the host do.' }
]);

/**
 * The lazy chunks (esbuild.mjs, src/common/lazyChunk.ts): all of auth/, mail/imap/, mail/smtp/,
 * mail/eml/, mail/graph/ and the telemetry chunk. The host imports their modules only as types and loads them
 * through `loadChunk`; a value import would pull the chunk into the activation bundle. The rest of
 * mail/ is deliberately in the activation bundle: the connection test (mail/diagnostics/, Node's
 * dns, net and tls only) with the failure explanations and TLS options it uses.
 */
const CHUNK_MODULES = [
  { regex: '(^|/)auth(/|$)', message: "auth/ is the `auth` chunk: import it as a type and load it with loadChunk('auth')." },
  {
    regex: '(^|/)mail/(imap|smtp|eml|graph)(/|$)',
    message: 'mail/imap, mail/smtp, mail/eml and mail/graph are chunks: import types only, load them with loadChunk().'
  },
  { regex: '(^|/)telemetryChunk$', message: "The telemetry chunk is loaded with loadChunk('telemetry'); import it as a type only." },
  { regex: '(^|/)net/proxyAgent$', message: "net/proxyAgent bundles https-proxy-agent: import it as a type and load it with loadChunk('proxy')." }
].map((p) => ({ ...p, allowTypeImports: true }));

export default tseslint.config(
  { ignores: ['dist/**', '**/dist/**', 'out/**', 'node_modules/**', 'test-results/**', 'bench-results/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        URLSearchParams: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        performance: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
        structuredClone: 'readonly',
        queueMicrotask: 'readonly',
        setImmediate: 'readonly',
        window: 'readonly',
        document: 'readonly',
        navigator: 'readonly',
        crypto: 'readonly'
      }
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // TypeScript checks undefined names itself (typescript-eslint's advice).
      'no-undef': 'off',
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line']
    }
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    // Product code logs through the redacted LogOutputChannel, never the console.
    files: ['src/**/*.ts'],
    ignores: ['src/webviews/**/app/**'],
    rules: { 'no-console': 'error' }
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.d.ts', '.js', '.css'] })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones }] }
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [VSCODE, ...IO] }] }
  },
  {
    files: ['src/net/**/*.ts', 'src/auth/**/*.ts', 'src/mail/**/*.ts', 'src/webviews/*/protocol.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [VSCODE] }] }
  },
  {
    // https-proxy-agent is bundled only where requests are made (the auth and graph chunks, the
    // proxy chunk); the connection test and the rest of net/ are in the activation bundle.
    files: ['src/mail/diagnostics/**/*.ts', 'src/net/**/*.ts'],
    ignores: ['src/net/proxyAgent.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'https-proxy-agent', message: 'Only src/net/proxyAgent.ts imports https-proxy-agent.' }],
          patterns: [
            { regex: '(^|/)proxyAgent$', allowTypeImports: true, message: "The connection test gets the proxy agent from the host (loadChunk('proxy'))." }
          ]
        }
      ]
    }
  },
  {
    files: ['src/webviews/*/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [VSCODE], patterns: [{ regex: '^node:', message: 'Webview bundles run in the browser: no Node modules.' }] }]
    }
  },
  {
    files: ['src/extension.ts', ...HOST.map((f) => `src/${f}/**/*.ts`)],
    ignores: ['src/webviews/*/app/**', 'src/webviews/*/protocol.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: CHUNK_MODULES }] }
  }
);
