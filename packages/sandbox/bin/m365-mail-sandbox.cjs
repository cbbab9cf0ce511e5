#!/usr/bin/env node
/**
 * `m365-mail-sandbox`: runs the sandbox's CLI (src/cli.ts, TypeScript through tsx) in a child Node
 * and hands it the arguments, the terminal and the signals. oidc-provider supports only Node 22 LTS
 * and later: M365MAIL_SANDBOX_NODE names the Node binary to run it with (default: this one).
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const node = process.env.M365MAIL_SANDBOX_NODE || process.execPath;
const cli = path.join(__dirname, '..', 'src', 'cli.ts');
const child = spawn(node, ['--import', pathToFileURL(require.resolve('tsx')).href, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
// Ctrl+C reaches the child from the terminal too; it stops once whichever comes first.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
