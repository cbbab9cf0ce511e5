/**
 * "Test connection" for Microsoft Graph (src/mail/diagnostics/graphScript.ts) against the sandbox's
 * Graph service, with tokens from the auth engine: green for a credential with Graph for both, and
 * red at the right step, with its fix, when the mailbox is not served, access is denied, or the
 * token cannot send. It never sends: nothing arrives.
 */
import * as assert from 'node:assert/strict';
import type { AuthService } from '../../src/auth/authService';
import type { CredentialDefinition } from '../../src/core/model';
import { testConnection } from '../../src/mail/diagnostics/connectionTest';
import { formatConnectionReport } from '../../src/mail/diagnostics/formatReport';
import type { ConnectionReport, StepId } from '../../src/mail/diagnostics/report';
import { useSandboxAuth } from '../support/sandboxAuth';

describe('connection test over Microsoft Graph against the sandbox', function () {
  this.timeout(60_000);
  const env = useSandboxAuth();

  const statuses = (report: ConnectionReport) => Object.fromEntries(report.steps.map((s) => [s.id, s.status])) as Partial<Record<StepId, string>>;

  const run = (auth: AuthService, def: CredentialDefinition) =>
    testConnection('graph', {
      host: '',
      port: 0,
      security: 'tls',
      user: def.sharedMailbox ?? def.userName ?? '',
      getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
      extraCaCertificates: [env.ca],
      logger: env.logger,
      stepTimeoutMs: 10_000,
      graph: {
        endpoint: env.sandbox.description.graph.endpoint,
        audience: 'https://graph.microsoft.com',
        appOnly: def.grant === 'clientCredentials',
        shared: Boolean(def.sharedMailbox),
        reads: true,
        sends: true
      }
    });

  const signedIn = async (overrides: Partial<CredentialDefinition> = {}) => {
    const auth = env.engine();
    const def = env.credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' }, overrides);
    await env.signIn(auth, def);
    return { auth, def };
  };

  it('is green step by step for a credential with Graph for both, and holds no token', async () => {
    const { auth, def } = await signedIn();
    const report = await run(auth, def);
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls: 'passed',
      token: 'passed',
      graphUser: 'passed',
      graphInbox: 'passed',
      graphSend: 'passed'
    });
    assert.equal(report.passed, true);
    const token = report.steps.find((s) => s.id === 'token');
    assert.equal(token?.tokenClaims?.audience, 'https://graph.microsoft.com');
    assert.ok(report.steps.find((s) => s.id === 'tls')?.tls?.chain.length, 'the chain is in the report');
    const secret = (await auth.getAccessToken(def, { resource: 'graph' })).accessToken;
    const markdown = formatConnectionReport({ credentialName: def.name, reports: [report] });
    assert.match(markdown, /Microsoft Graph 127\.0\.0\.1:\d+/);
    for (const text of [JSON.stringify(report), markdown, env.logger.lines.join('\n')]) assert.ok(!text.includes(secret.slice(0, 40)), 'the token leaked');
  });

  const faults = [
    ['where Graph does not serve the mailbox', 'disableGraphMailbox', 'graph.MailboxNotEnabledForRESTAPI', /Exchange Online/],
    ['where an application access policy denies access', 'denyGraphAccess', 'graph.ErrorAccessDenied', /Mail\.Read/]
  ] as const;
  for (const [what, fault, code, fix] of faults) {
    it(`is red ${what} (${code}), with the request id and what to do`, async () => {
      const { auth, def } = await signedIn();
      await env.sandbox.control[fault]('adele@contoso.test');
      const report = await run(auth, def);
      const failed = report.steps.find((s) => s.status === 'failed');
      assert.ok(failed && ['graphUser', 'graphInbox'].includes(failed.id), JSON.stringify(statuses(report)));
      assert.equal(failed.error?.code, code);
      assert.match(failed.error?.message ?? '', /request-id/);
      assert.match(failed.error?.nextStep ?? '', fix);
      assert.equal(report.steps.find((s) => s.id === 'graphSend')?.status, 'skipped');
    });
  }

  it('is red at the send permission when the token cannot send, judged from the token alone', async () => {
    const { auth, def } = await signedIn({ scopes: ['https://graph.microsoft.com/Mail.Read', 'https://graph.microsoft.com/User.Read', 'offline_access'] });
    const report = await run(auth, def);
    assert.equal(statuses(report).graphInbox, 'passed');
    const send = report.steps.find((s) => s.id === 'graphSend');
    assert.equal(send?.status, 'failed');
    assert.equal(send?.error?.code, 'graph.missing_scope');
    assert.match(send?.error?.nextStep ?? '', /Mail\.Send/);
  });
});
