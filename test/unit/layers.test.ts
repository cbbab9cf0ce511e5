/**
 * The layer rules of eslint.config.mjs bite: ESLint's Node API lints source texts placed, in
 * memory, at paths inside src/ (nothing is written), and the boundary rules report them.
 */
import * as assert from 'node:assert/strict';
import { ESLint } from 'eslint';

describe('import boundaries between the layers (eslint.config.mjs)', function () {
  // Loading the config and typescript-eslint takes a few seconds on a shared machine.
  this.timeout(60_000);
  const eslint = new ESLint();

  async function ruleIds(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`);
  }

  it('core/ may not import vscode', async () => {
    assert.deepEqual(await ruleIds('src/core/probe.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"), ['no-restricted-imports']);
  });

  it('core/ may not import the host or an engine', async () => {
    assert.deepEqual(
      await ruleIds('src/core/probe.ts', "import type { CredentialStore } from '../credentials/credentialStore';\nexport type S = CredentialStore;\n"),
      ['import-x/no-restricted-paths']
    );
    assert.deepEqual(await ruleIds('src/core/probe.ts', "import { AuthError } from '../auth/errors';\nexport const e = AuthError;\n"), [
      'import-x/no-restricted-paths'
    ]);
  });

  it('core/ does no I/O', async () => {
    assert.deepEqual(await ruleIds('src/core/probe.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"), [
      'no-restricted-imports'
    ]);
  });

  it('auth/ and mail/ do not import each other', async () => {
    assert.deepEqual(await ruleIds('src/mail/probe.ts', "import { AuthError } from '../auth/errors';\nexport const e = AuthError;\n"), [
      'import-x/no-restricted-paths'
    ]);
    assert.deepEqual(await ruleIds('src/auth/probe.ts', "import { explainSmtpFailure } from '../mail/mailErrors';\nexport const e = explainSmtpFailure;\n"), [
      'import-x/no-restricted-paths'
    ]);
  });

  it('the host imports a chunk only as a type', async () => {
    const value = "import { AuthService } from '../auth/index';\nexport const a = AuthService;\n";
    assert.deepEqual(await ruleIds('src/credentials/probe.ts', value), ['@typescript-eslint/no-restricted-imports']);
    assert.deepEqual(await ruleIds('src/credentials/probe.ts', "import type { AuthService } from '../auth/index';\nexport type A = AuthService;\n"), []);
  });

  it('https-proxy-agent stays out of the activation bundle: the host, the connection test and net/ import net/proxyAgent as a type only', async () => {
    const value = "import { httpsRouteFor } from '../../net/proxyAgent';\nexport const r = httpsRouteFor;\n";
    assert.deepEqual(await ruleIds('src/mail/diagnostics/probe.ts', value), ['@typescript-eslint/no-restricted-imports']);
    assert.deepEqual(await ruleIds('src/common/probe.ts', value.replace('../../', '../')), ['@typescript-eslint/no-restricted-imports']);
    assert.deepEqual(await ruleIds('src/net/probe.ts', "import { HttpsProxyAgent } from 'https-proxy-agent';\nexport const a = HttpsProxyAgent;\n"), [
      '@typescript-eslint/no-restricted-imports'
    ]);
    assert.deepEqual(
      await ruleIds('src/mail/diagnostics/probe.ts', "import type { HttpsRoute } from '../../net/proxyAgent';\nexport type R = HttpsRoute;\n"),
      []
    );
    // The chunks that make requests bundle it.
    assert.deepEqual(await ruleIds('src/mail/graph/probe.ts', value), []);
  });

  it('only extension.ts imports commands/', async () => {
    assert.deepEqual(await ruleIds('src/views/probe.ts', "import { CommandIds } from '../commands/commandIds';\nexport const c = CommandIds;\n"), [
      'import-x/no-restricted-paths'
    ]);
  });

  it('only credentials/ and auth/ name secret keys (commands reach secrets through the store and the broker)', async () => {
    const probe = "import { secretKeys } from '../core/secretVault';\nexport const k = secretKeys('c').tokens;\n";
    for (const folder of ['commands', 'views', 'signIn', 'webviews', 'common', 'mail']) {
      assert.deepEqual(await ruleIds(`src/${folder}/probe.ts`, probe), ['import-x/no-restricted-paths'], folder);
    }
    assert.deepEqual(await ruleIds('src/credentials/probe.ts', probe), []);
    assert.deepEqual(await ruleIds('src/auth/probe.ts', probe), []);
  });

  it('the webview app imports its protocol and core only', async () => {
    const file = 'src/webviews/inboxPreview/app/probe.ts';
    assert.deepEqual(await ruleIds(file, "import { formatSize } from '../../../core/format';\nexport const f = formatSize;\n"), []);
    assert.deepEqual(await ruleIds(file, "import { webviewHtml } from '../../webviewHtml';\nexport const w = webviewHtml;\n"), [
      'import-x/no-restricted-paths'
    ]);
  });
});
