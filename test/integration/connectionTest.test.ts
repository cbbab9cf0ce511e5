/**
 * "Test connection" (src/mail/diagnostics, no `vscode`) against the sandbox's real servers: Dovecot
 * (IMAP, implicit TLS) and Postfix (submission, STARTTLS), with tokens from the sandbox's real
 * authorization server through the browser flow. Each case checks which step turns red, what the
 * report says to do next, and that the token never appears in the report or the log.
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import * as net from 'node:net';
import { testImapConnection, testSmtpConnection } from '../../src/mail/diagnostics/connectionTest';
import type { ConnectionReport, ConnectionTestOptions, StepId } from '../../src/mail/diagnostics/report';
import { formatConnectionReport } from '../../src/mail/diagnostics/formatReport';
import { M365MailError } from '../../src/core/errors';
import { delegatedToken, freePort, MAIL_SCOPES, SANDBOX_APPS } from '@m365-mail/sandbox';
import { startSandbox, type SandboxProcess } from '../harness/sandbox';
import { TestLogger } from '../support/fakes';

const statuses = (report: ConnectionReport) => Object.fromEntries(report.steps.map((s) => [s.id, s.status])) as Record<StepId, string>;
const step = (report: ConnectionReport, id: StepId) => {
  const found = report.steps.find((s) => s.id === id);
  assert.ok(found, `step ${id}`);
  return found;
};

describe('connection test against the sandbox mail servers', function () {
  this.timeout(60_000);
  let sandbox: SandboxProcess;
  let ca: string;
  const tokens = new Map<string, string>();

  /** A delegated token of `user` with both mail scopes (one sign-in per user, reused). */
  const tokenOf = async (user: string): Promise<string> => {
    let token = tokens.get(user);
    if (!token) {
      token = (
        await delegatedToken({
          authority: sandbox.description.authorization.authority,
          ca,
          clientId: SANDBOX_APPS.publicClient.clientId,
          scopes: [MAIL_SCOPES.imap, MAIL_SCOPES.smtp],
          user
        })
      ).accessToken;
      tokens.set(user, token);
    }
    return token;
  };

  const options = (
    service: 'imap' | 'smtp',
    overrides: Partial<ConnectionTestOptions> & { signInAs?: string } = {}
  ): ConnectionTestOptions & { logger: TestLogger } => {
    const endpoint = sandbox.description[service];
    const signInAs = overrides.signInAs ?? 'adele@contoso.test';
    return {
      host: endpoint.host,
      port: endpoint.port,
      security: endpoint.security,
      user: signInAs,
      getAccessToken: () => tokenOf(signInAs),
      extraCaCertificates: [ca],
      stepTimeoutMs: 10_000,
      ...overrides,
      logger: new TestLogger()
    };
  };

  /** Neither the report, its Markdown nor the log holds the token or anything shaped like a SASL string. */
  const assertNoSecret = async (report: ConnectionReport, logger: TestLogger, user = 'adele@contoso.test') => {
    const token = await tokenOf(user);
    const markdown = formatConnectionReport({ credentialName: 'test', reports: [report] });
    for (const text of [JSON.stringify(report), markdown, logger.lines.join('\n')]) {
      assert.ok(!text.includes(token), 'the token leaked');
      assert.ok(!text.includes(token.slice(0, 40)), 'part of the token leaked');
      assert.doesNotMatch(text, /dXNlcj1/, 'a base64 "user=" (SASL XOAUTH2) leaked');
    }
  };

  before(async function () {
    this.timeout(120_000);
    sandbox = await startSandbox();
    ca = fs.readFileSync(sandbox.description.caCertPath, 'utf8');
  });

  after(async () => {
    await sandbox?.stop();
  });

  it('good setup: every IMAP step is green, the chain is issued by the sandbox CA, INBOX opens read-only', async () => {
    const opts = options('imap');
    const report = await testImapConnection(opts);
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      tls: 'passed',
      greeting: 'passed',
      capability: 'passed',
      token: 'passed',
      auth: 'passed',
      mailbox: 'passed'
    });
    assert.equal(report.passed, true);
    assert.equal(step(report, 'dns').ipLiteral, true);
    const tls = step(report, 'tls').tls;
    assert.ok(tls?.authorized);
    assert.match(tls.protocol ?? '', /^TLSv1\.[23]$/);
    assert.ok(tls.chain.length >= 1);
    assert.match(tls.chain[0]!.issuer, /CN=M365 Mail sandbox CA/);
    assert.ok(tls.chain[0]!.subjectAltNames.includes('IP Address:127.0.0.1'));
    assert.match(tls.chain[0]!.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(step(report, 'capability').xoauth2Offered, true);
    assert.equal(step(report, 'mailbox').mailbox?.readOnly, true);
    assert.equal(typeof step(report, 'mailbox').mailbox?.exists, 'number');
    for (const s of report.steps) assert.ok(s.durationMs >= 0);
    await assertNoSecret(report, opts.logger);
    assert.ok(
      opts.logger.lines.some((l) => /AUTHENTICATE XOAUTH2 \[redacted\]/.test(l)),
      'the log shows the AUTHENTICATE line, redacted'
    );
  });

  it('good setup: every SMTP step is green up to MAIL FROM, then RSET and QUIT', async () => {
    const opts = options('smtp');
    const report = await testSmtpConnection(opts);
    assert.deepEqual(statuses(report), {
      dns: 'passed',
      tcp: 'passed',
      greeting: 'passed',
      ehlo: 'passed',
      starttls: 'passed',
      ehloTls: 'passed',
      token: 'passed',
      auth: 'passed',
      mailFrom: 'passed',
      quit: 'passed'
    });
    assert.match(step(report, 'starttls').tls?.chain[0]?.issuer ?? '', /CN=M365 Mail sandbox CA/);
    assert.ok(step(report, 'ehlo').capabilities?.some((c) => /^STARTTLS$/i.test(c)));
    assert.ok(step(report, 'ehloTls').authMechanisms?.includes('XOAUTH2'));
    assert.equal(step(report, 'mailFrom').mailFrom, 'adele@contoso.test');
    const markdown = formatConnectionReport({ credentialName: 'Sandbox: Adele', reports: [report] });
    assert.match(markdown, /CN=M365 Mail sandbox CA/);
    assert.doesNotMatch(markdown, /❌/);
    await assertNoSecret(report, opts.logger);
  });

  it('a shared mailbox: XOAUTH2 user= is the shared mailbox, and its INBOX opens', async () => {
    const report = await testImapConnection(options('imap', { user: 'orders@contoso.test' }));
    assert.equal(report.passed, true, JSON.stringify(report.steps.find((s) => s.error)?.error));
    assert.equal(step(report, 'auth').saslUser, 'orders@contoso.test');
  });

  it('wrong CA (none added): TLS is red, the chain the server sent is shown, the next step names m365mail.trustedCaCertificates', async () => {
    for (const report of [
      await testImapConnection(options('imap', { extraCaCertificates: [] })),
      await testSmtpConnection(options('smtp', { extraCaCertificates: [] }))
    ]) {
      const tlsStep = step(report, report.protocol === 'imap' ? 'tls' : 'starttls');
      assert.equal(tlsStep.status, 'failed');
      assert.equal(tlsStep.error?.code, 'tls.untrusted');
      assert.match(tlsStep.error?.nextStep ?? '', /m365mail\.trustedCaCertificates/);
      assert.equal(tlsStep.tls?.authorized, false);
      assert.ok(tlsStep.tls?.authorizationError);
      assert.ok(tlsStep.tls?.chain.length, 'the chain is still shown');
      assert.match(tlsStep.tls.chain[0]!.subject, /CN=localhost/);
      assert.match(tlsStep.tls.chain[0]!.issuer, /CN=M365 Mail sandbox CA/);
      // Nothing runs over an unverified connection.
      assert.equal(step(report, 'token').status, 'skipped');
      assert.equal(step(report, 'auth').status, 'skipped');
      const markdown = formatConnectionReport({ credentialName: 'x', reports: [report] });
      assert.match(markdown, /m365mail\.trustedCaCertificates/);
      assert.match(markdown, /SHA-256 fingerprint/);
    }
  });

  it("a token the servers refuse: SASL is red with the servers' explanation, everything before it green", async () => {
    const bad = async () => 'not-a-real-access-token-0123456789';
    const imap = await testImapConnection(options('imap', { getAccessToken: bad }));
    assert.deepEqual(statuses(imap), {
      dns: 'passed',
      tcp: 'passed',
      tls: 'passed',
      greeting: 'passed',
      capability: 'passed',
      token: 'passed',
      auth: 'failed',
      mailbox: 'skipped'
    });
    assert.equal(step(imap, 'auth').error?.code, 'imap.auth_failed');
    assert.match(step(imap, 'auth').error?.nextStep ?? '', /IMAP\.AccessAsUser\.All/);
    const smtp = await testSmtpConnection(options('smtp', { getAccessToken: bad }));
    assert.equal(step(smtp, 'auth').status, 'failed');
    assert.match(step(smtp, 'auth').error?.code ?? '', /^smtp\.535/);
    assert.equal(step(smtp, 'mailFrom').status, 'skipped');
    for (const report of [imap, smtp]) {
      assert.ok(!JSON.stringify(report).includes('not-a-real-access-token'), 'the bad token is not echoed');
    }
  });

  it('megan@contoso.test (SMTP AUTH disabled): SMTP AUTH is red with the 5.7.139 explanation; IMAP works', async () => {
    const smtp = await testSmtpConnection(options('smtp', { signInAs: 'megan@contoso.test' }));
    const auth = step(smtp, 'auth');
    assert.equal(auth.status, 'failed');
    assert.equal(auth.error?.code, 'smtp.535 5.7.139');
    assert.match(auth.error?.message ?? '', /SMTP AUTH is switched off/);
    assert.match(auth.error?.nextStep ?? '', /SmtpClientAuthenticationDisabled \$false/);
    assert.match(auth.reply ?? '', /^535 .*5\.7\.139/);
    const markdown = formatConnectionReport({ credentialName: 'Megan', reports: [smtp] });
    assert.match(markdown, /Next step/);
    assert.match(markdown, /5\.7\.139/);
    const imap = await testImapConnection(options('imap', { signInAs: 'megan@contoso.test' }));
    assert.equal(imap.passed, true);
  });

  it('no token (the sign-in failed): the token step is red with its message and next step, DNS/TCP/TLS still ran', async () => {
    const failing = async () => {
      throw new M365MailError('AADSTS70008', 'The refresh token has expired or was revoked (AADSTS70008).', { nextStep: 'Authorize the credential again.' });
    };
    const imap = await testImapConnection(options('imap', { getAccessToken: failing }));
    assert.deepEqual(statuses(imap), {
      dns: 'passed',
      tcp: 'passed',
      tls: 'passed',
      greeting: 'passed',
      capability: 'passed',
      token: 'failed',
      auth: 'skipped',
      mailbox: 'skipped'
    });
    assert.equal(step(imap, 'token').error?.code, 'AADSTS70008');
    assert.equal(step(imap, 'token').error?.nextStep, 'Authorize the credential again.');
    const smtp = await testSmtpConnection(options('smtp', { getAccessToken: failing }));
    assert.equal(step(smtp, 'starttls').status, 'passed');
    assert.equal(step(smtp, 'token').status, 'failed');
  });

  it('a closed port: TCP is red with a network explanation', async () => {
    const port = await freePort();
    for (const report of [await testImapConnection(options('imap', { port })), await testSmtpConnection(options('smtp', { port }))]) {
      assert.equal(step(report, 'dns').status, 'passed');
      const tcp = step(report, 'tcp');
      assert.equal(tcp.status, 'failed');
      assert.equal(tcp.error?.code, 'network.refused');
      assert.match(tcp.error?.nextStep ?? '', /host and port/);
      assert.deepEqual(
        tcp.attempts?.map((a) => [a.address, a.port, a.code]),
        [[report.host, port, 'ECONNREFUSED']]
      );
      assert.match(formatConnectionReport({ credentialName: 'closed', reports: [report] }), /### Addresses dialled[\s\S]*failed: ECONNREFUSED/);
      assert.ok(report.steps.slice(2).every((s) => s.status === 'skipped'));
    }
  });

  it('a server that never answers: the step times out, red, within its timeout', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const started = Date.now();
      const report = await testSmtpConnection(options('smtp', { port, stepTimeoutMs: 500 }));
      assert.ok(Date.now() - started < 5000);
      assert.equal(step(report, 'tcp').status, 'passed');
      assert.equal(step(report, 'greeting').status, 'failed');
      assert.equal(step(report, 'greeting').error?.code, 'network.timeout');
    } finally {
      silent.close();
    }
  });

  it('the wrong port: SMTP against the IMAP port fails at the greeting (STARTTLS and implicit TLS alike); IMAP against the submission port fails at TLS', async () => {
    const imapPort = sandbox.description.imap.port;
    const starttls = await testSmtpConnection(options('smtp', { port: imapPort, stepTimeoutMs: 2000 }));
    assert.equal(step(starttls, 'tcp').status, 'passed');
    assert.equal(step(starttls, 'greeting').status, 'failed');
    // Implicit TLS (465-style) reaches Dovecot's TLS, then meets an IMAP greeting.
    const implicit = await testSmtpConnection(options('smtp', { port: imapPort, security: 'tls', stepTimeoutMs: 2000 }));
    assert.equal(step(implicit, 'tls').status, 'passed');
    assert.ok(step(implicit, 'tls').tls?.authorized);
    assert.equal(step(implicit, 'greeting').status, 'failed');
    // Postfix greets in plain text where a TLS handshake is expected.
    const notTls = await testImapConnection(options('imap', { port: sandbox.description.smtp.port, stepTimeoutMs: 2000 }));
    assert.equal(step(notTls, 'tls').status, 'failed');
    assert.equal(step(notTls, 'tls').error?.code, 'tls.not_tls');
    assert.match(step(notTls, 'tls').error?.nextStep ?? '', /STARTTLS/);
  });

  it('a DNS name that does not resolve: DNS is red', async () => {
    const report = await testImapConnection(options('imap', { host: 'imap.does-not-exist.invalid' }));
    assert.equal(step(report, 'dns').status, 'failed');
    assert.equal(step(report, 'dns').error?.code, 'network.dns');
  });

  it('cancelling rejects with an AbortError and leaves nothing open', async () => {
    // Reads (so it sees the client hang up) but never answers.
    const silent = net.createServer((socket) => socket.resume());
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const controller = new AbortController();
      const running = testImapConnection(options('imap', { port: (silent.address() as net.AddressInfo).port, signal: controller.signal }));
      setTimeout(() => controller.abort(), 200);
      await assert.rejects(running, { name: 'AbortError' });
      await new Promise((r) => setTimeout(r, 100));
      const open = await new Promise<number>((resolve, reject) => silent.getConnections((error, count) => (error ? reject(error) : resolve(count))));
      assert.equal(open, 0, 'the probe closed its connection');
    } finally {
      silent.close();
    }
  });
});
