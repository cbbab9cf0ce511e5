import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { SecretRedactor } from '../../../src/core/redact';
import { Settings } from '../../../src/common/settings';
import { TestLogger } from '../../support/fakes';

/**
 * VS Code's own proxy settings, read through the real configuration API: `http.proxy` and
 * `http.noProxy` as the user sets them, `http.proxyStrictSSL: false` noted (never obeyed), and the
 * proxy's password and `http.proxyAuthorization` known to the redactor once read.
 */
describe('proxy settings (real configuration)', () => {
  const http = () => vscode.workspace.getConfiguration('http');
  const keys = ['proxy', 'noProxy', 'proxyStrictSSL', 'proxyAuthorization'] as const;
  let saved: Record<string, unknown>;

  before(() => {
    saved = Object.fromEntries(keys.map((k) => [k, http().inspect(k)?.globalValue]));
  });
  after(async () => {
    for (const key of keys) await http().update(key, saved[key], vscode.ConfigurationTarget.Global);
  });

  it('reads http.proxy, http.noProxy, http.proxyStrictSSL and http.proxyAuthorization, and redacts the secrets', async () => {
    await http().update('proxy', 'http://alice:pw-secret-42@proxy.corp.test:3128', vscode.ConfigurationTarget.Global);
    await http().update('noProxy', ['intranet.corp.test', '.internal.test'], vscode.ConfigurationTarget.Global);
    await http().update('proxyStrictSSL', false, vscode.ConfigurationTarget.Global);
    await http().update('proxyAuthorization', 'Basic c2VjcmV0LWhlYWRlcg==', vscode.ConfigurationTarget.Global);
    const redactor = new SecretRedactor();
    const settings = new Settings(new TestLogger(), redactor);
    try {
      const proxy = settings.proxy();
      assert.equal(proxy?.url, 'http://alice:pw-secret-42@proxy.corp.test:3128/');
      assert.equal(proxy?.source, 'http.proxy');
      assert.deepEqual(proxy?.noProxy.slice(0, 2), ['intranet.corp.test', '.internal.test']);
      assert.equal(proxy?.strictSslOff, true);
      assert.equal(proxy?.authorization, 'Basic c2VjcmV0LWhlYWRlcg==');
      const line = redactor.redact('proxy said pw-secret-42 and Basic c2VjcmV0LWhlYWRlcg==');
      assert.doesNotMatch(line, /pw-secret-42|c2VjcmV0LWhlYWRlcg==/);
    } finally {
      settings.dispose();
    }
  });
});
