/**
 * "Decode XOAUTH2 string" (src/core/xoauth2Decode.ts) on strings built, as the product builds them
 * for SASL (src/mail/diagnostics/protocol.ts), from real sandbox tokens: the Exchange token of a
 * signed-in user and an app-only one are green, the same user's Graph token is not, and the report
 * never holds the token.
 */
import * as assert from 'node:assert/strict';
import { SANDBOX_APPS } from '@m365-mail/sandbox';
import { secretKeys } from '../../src/core/secretVault';
import { decodeXoauth2 } from '../../src/core/xoauth2Decode';
import { formatXoauth2Report } from '../../src/core/xoauth2Report';
import { xoauth2InitialResponse as xoauth2 } from '../../src/mail/diagnostics/protocol';
import { useSandboxAuth } from '../support/sandboxAuth';

describe('decoding XOAUTH2 strings built from sandbox tokens', function () {
  this.timeout(60_000);
  const env = useSandboxAuth();
  const decode = (input: string) => decodeXoauth2(input, { clouds: env.clouds.all() });

  it('is green for a signed-in user’s Exchange token, and the report shows claims, never the token', async () => {
    const auth = env.engine();
    const def = env.credential('sandbox-adele');
    await env.signIn(auth, def);
    const { accessToken } = await auth.getAccessToken(def);
    const result = decode(xoauth2('adele@contoso.test', accessToken));
    assert.equal(result.verdict, 'passed', JSON.stringify(result.checks));
    assert.deepEqual(result.protocols, ['imap', 'smtp']);
    assert.equal(result.claims.user, 'adele@contoso.test');
    const markdown = formatXoauth2Report(result);
    assert.match(markdown, /\| upn \| adele@contoso\.test \|/);
    assert.ok(!markdown.includes(accessToken) && !markdown.includes(accessToken.split('.')[2]), 'no token or signature in the report');
  });

  it('fails the same user’s Microsoft Graph token on its audience', async () => {
    const auth = env.engine();
    const def = env.credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' });
    await env.signIn(auth, def);
    const { accessToken } = await auth.getAccessToken(def, { resource: 'graph' });
    const result = decode(xoauth2('adele@contoso.test', accessToken));
    assert.equal(result.verdict, 'failed');
    assert.equal(result.checks.find((c) => c.id === 'audience')?.status, 'failed');
  });

  it('is green for an app-only token with IMAP.AccessAsApp and SMTP.SendAsApp', async () => {
    const auth = env.engine();
    const def = env.credential('sandbox-daemon');
    await env.vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await auth.authorizeClientCredentials(def);
    const { accessToken } = await auth.getAccessToken(def);
    const result = decode(xoauth2('orders@contoso.test', accessToken));
    assert.equal(result.verdict, 'passed', JSON.stringify(result.checks));
    assert.equal(result.appOnly, true);
    assert.deepEqual(result.protocols, ['imap', 'smtp']);
  });
});
