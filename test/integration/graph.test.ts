/**
 * Microsoft Graph as a transport, product modules against the sandbox's Graph service: the auth
 * engine (src/auth) signs in through the real sign-in pages and fetches one token per resource, and
 * the `graph` chunk (src/mail/graph) sends through the Graph SDK over our HTTPS transport. What
 * arrived is checked over IMAP with a client of its own (imapflow, app-only token), and each Graph
 * failure the sandbox can be told to produce must come back as the product's typed error with a
 * next step.
 */
import * as assert from 'node:assert/strict';
import type { AuthService } from '../../src/auth/authService';
import { CancelledError } from '../../src/core/errors';
import { secretKeys } from '../../src/core/secretVault';
import type { CredentialDefinition } from '../../src/core/model';
import { decodeJwtClaims } from '../../src/core/tokenClaims';
import { sendMailOverGraph, type GraphSendTarget } from '../../src/mail/graph/graphSend';
import type { GraphWait } from '../../src/mail/graph/throttle';
import { SANDBOX_APPS } from '@m365-mail/sandbox';
import { useSandboxAuth } from '../support/sandboxAuth';
import { typedFailure } from '../support/typedFailure';
import { SandboxMailbox } from '../support/sandboxMailbox';

describe('Microsoft Graph transport against the sandbox', function () {
  this.timeout(60_000);
  const env = useSandboxAuth();
  const engine = () => env.engine();
  const credential = env.credential;
  const authorize = (auth: AuthService, def: CredentialDefinition) => env.signIn(auth, def);

  /** Where the product sends a credential's Graph requests, with tokens from the engine for the resource `graph`. */
  const target = (auth: AuthService, def: CredentialDefinition, overrides: Partial<GraphSendTarget> = {}): GraphSendTarget => ({
    graphEndpoint: env.sandbox.description.graph.endpoint,
    getAccessToken: async () => (await auth.getAccessToken(def, { resource: 'graph' })).accessToken,
    extraCaCertificates: [env.ca],
    logger: env.logger,
    mailbox: def.sharedMailbox ?? def.userName ?? '',
    appOnly: def.grant === 'clientCredentials',
    ...overrides
  });

  const subject = (what: string) => `Graph ${what} ${Math.random().toString(36).slice(2, 10)}`;
  const compose = (def: CredentialDefinition, to: string[], title: string) =>
    ({ kind: 'compose', from: def.sharedMailbox ?? def.userName ?? '', to, subject: title, text: `Sent by ${def.name} over Microsoft Graph.` }) as const;

  it('signs in for Graph (send and read), sends a test mail as JSON: 202 with a request id, it arrives over IMAP and a copy is in Sent Items', async () => {
    const auth = engine();
    const def = credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' });
    await authorize(auth, def);
    const claims = decodeJwtClaims((await auth.getAccessToken(def, { resource: 'graph' })).accessToken);
    assert.equal(claims?.audience, 'https://graph.microsoft.com');
    assert.deepEqual(claims?.scopes.sort(), ['Mail.Read', 'Mail.Send', 'User.Read']);

    const title = subject('test mail');
    const result = await sendMailOverGraph(target(auth, def), compose(def, ['adele@contoso.test'], title));
    assert.equal(result.status, 202);
    assert.equal(result.path, 'json');
    assert.match(result.requestId ?? '', /^[0-9a-f-]{36}$/i, 'Graph’s request-id header');

    const mailbox = new SandboxMailbox(env.sandbox.description, 'adele@contoso.test');
    const [arrived] = await mailbox.waitFor(title);
    assert.match(arrived.source.toString(), /^From: .*adele@contoso\.test/im);
    assert.equal((await mailbox.waitFor(title, 30_000, 'Sent Items')).length, 1, 'saveToSentItems filed one copy');
    assert.ok(!env.logger.lines.join('\n').includes('eyJ'), 'no token in the log');
  });

  it('sends an .eml as MIME to the chosen recipients only, whatever its own To and Cc say', async () => {
    const auth = engine();
    const def = credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' });
    await authorize(auth, def);
    const title = subject('eml');
    const eml = Buffer.from(
      [
        'From: adele@contoso.test',
        'To: megan@contoso.test,',
        ' lee@contoso.test',
        'Cc: orders@contoso.test',
        `Subject: ${title}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'The body, as it is.',
        ''
      ].join('\r\n')
    );
    const result = await sendMailOverGraph(target(auth, def), {
      kind: 'raw',
      envelope: { from: 'adele@contoso.test', to: ['adele@contoso.test'] },
      raw: { content: eml }
    });
    assert.equal(result.status, 202);
    assert.equal(result.path, 'mime');
    const [arrived] = await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').waitFor(title);
    assert.match(arrived.source.toString(), /The body, as it is\./);
    // Postfix has delivered adele's copy; the others would have been in the same transaction.
    for (const other of ['megan@contoso.test', 'lee@contoso.test', 'orders@contoso.test']) {
      assert.equal((await new SandboxMailbox(env.sandbox.description, other).find(title)).length, 0, `${other} got nothing`);
    }
  });

  it('50 concurrent token callers across both resources make one token request per resource', async () => {
    const auth = engine();
    // Reads over IMAP (Exchange), sends over Graph: two resources from one sign-in.
    const def = credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'imap' });
    await authorize(auth, def);
    // One-minute tokens are inside the engine's safety margin: every caller wants a new one.
    await env.sandbox.control.setAccessTokenTtl(60);
    await auth.getAccessToken(def, { resource: 'exchange', forceRefresh: true });
    await auth.getAccessToken(def, { resource: 'graph', forceRefresh: true });
    const before = { ...auth.tokenRequestsPerResource.get(def.id) };
    const sandboxBefore = (await env.sandbox.control.stats()).total;
    const tokens = await Promise.all(
      Array.from({ length: 50 }, (_, i) => auth.getAccessToken(def, { resource: i % 2 ? 'graph' : 'exchange' }).then((t) => ({ i, t })))
    );
    const after = auth.tokenRequestsPerResource.get(def.id) ?? {};
    assert.equal((after.exchange ?? 0) - (before.exchange ?? 0), 1, 'one Exchange token request');
    assert.equal((after.graph ?? 0) - (before.graph ?? 0), 1, 'one Graph token request');
    assert.equal((await env.sandbox.control.stats()).total - sandboxBefore, 2, 'the sandbox saw two token requests');
    const audiences = new Set(tokens.map(({ i, t }) => `${i % 2}:${decodeJwtClaims(t.accessToken)?.audience}`));
    assert.deepEqual([...audiences].sort(), ['0:https://outlook.office.com', '1:https://graph.microsoft.com']);
  });

  it('client credentials with the Graph app roles send mail (app-only)', async () => {
    const auth = engine();
    const def = credential('sandbox-daemon', { sendTransport: 'graph', readTransport: 'graph' });
    assert.deepEqual(def.scopes, ['https://graph.microsoft.com/.default']);
    await env.vault.store(secretKeys(def.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await auth.authorizeClientCredentials(def);
    const claims = decodeJwtClaims((await auth.getAccessToken(def, { resource: 'graph' })).accessToken);
    assert.deepEqual(claims?.roles.sort(), ['Mail.Read', 'Mail.Send']);
    const title = subject('app-only');
    const result = await sendMailOverGraph(target(auth, def), compose(def, ['adele@contoso.test'], title));
    assert.equal(result.status, 202);
    await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').waitFor(title);
  });

  /** The waits a send reported to its progress. */
  function progressLog() {
    const waits: GraphWait[] = [];
    return { waits, progress: { waiting: (wait: GraphWait) => waits.push(wait) } };
  }

  async function authorizedAdele(): Promise<{ auth: AuthService; def: CredentialDefinition }> {
    const auth = engine();
    const def = credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' });
    await authorize(auth, def);
    await auth.getAccessToken(def, { resource: 'graph' });
    return { auth, def };
  }

  it('survives a 429 with Retry-After: waits as asked, tells the progress so, and the send goes through', async () => {
    const { auth, def } = await authorizedAdele();
    await env.sandbox.control.throttleGraph({ requests: 1, retryAfterSeconds: 1 });
    const { waits, progress } = progressLog();
    const started = Date.now();
    const title = subject('throttled');
    const result = await sendMailOverGraph(target(auth, def, { progress }), compose(def, ['adele@contoso.test'], title));
    assert.equal(result.status, 202);
    assert.deepEqual(
      waits.map((w) => [w.status, w.seconds, w.attempt, w.waitedSeconds, w.message]),
      [[429, 1, 1, 0, 'Microsoft Graph asked to wait 1 s (throttled)…']]
    );
    assert.ok(Date.now() - started >= 1000, 'the Retry-After was honoured');
    await new SandboxMailbox(env.sandbox.description, 'adele@contoso.test').waitFor(title);
  });

  it('a 503 with Retry-After is waited out the same way, and says the service is unavailable', async () => {
    const { auth, def } = await authorizedAdele();
    await env.sandbox.control.throttleGraph({ requests: 1, retryAfterSeconds: 1, status: 503 });
    const { waits, progress } = progressLog();
    const result = await sendMailOverGraph(target(auth, def, { progress }), compose(def, ['adele@contoso.test'], subject('unavailable')));
    assert.equal(result.status, 202);
    assert.deepEqual(
      waits.map((w) => w.message),
      ['Microsoft Graph asked to wait 1 s (service unavailable)…']
    );
  });

  it('a throttle longer than the bound is not waited out: a typed error at once, with when to try again', async () => {
    const { auth, def } = await authorizedAdele();
    await env.sandbox.control.throttleGraph({ requests: 5, retryAfterSeconds: 600 });
    const { waits, progress } = progressLog();
    const requests: string[] = [];
    const started = Date.now();
    const error = await typedFailure(
      sendMailOverGraph(
        target(auth, def, { progress, onRequest: (method, url) => requests.push(`${method} ${url}`) }),
        compose(def, ['adele@contoso.test'], subject('long throttle'))
      )
    );
    assert.equal(error.code, 'graph.throttled');
    assert.match(error.message, /asked to wait 600 s .*longer than the 60 s M365 Mail waits/);
    assert.match(error.message, /request-id [0-9a-f-]{36}/i);
    assert.match(error.options.nextStep ?? '', /600 seconds/);
    assert.deepEqual(waits, [], 'no wait was started');
    assert.equal(requests.length, 1, 'one request, not tried again');
    assert.ok(Date.now() - started < 10_000, `gave up at once (${Date.now() - started} ms)`);
  });

  it('the bound is on all the waiting of one request: short waits add up, and the one past it is not started', async () => {
    const { auth, def } = await authorizedAdele();
    await env.sandbox.control.throttleGraph({ requests: 5, retryAfterSeconds: 1 });
    const { waits, progress } = progressLog();
    const error = await typedFailure(
      sendMailOverGraph(target(auth, def, { progress, maxTotalWaitSeconds: 2 }), compose(def, ['adele@contoso.test'], subject('bounded')))
    );
    assert.equal(error.code, 'graph.throttled');
    assert.match(error.message, /longer than the 2 s M365 Mail waits/);
    assert.deepEqual(
      waits.map((w) => [w.attempt, w.waitedSeconds]),
      [
        [1, 0],
        [2, 1]
      ]
    );
  });

  it('Cancel during a Retry-After wait ends the send at once, with nothing tried again', async () => {
    const { auth, def } = await authorizedAdele();
    await env.sandbox.control.throttleGraph({ requests: 1, retryAfterSeconds: 30 });
    const abort = new AbortController();
    const requests: string[] = [];
    let waitStarted = 0;
    const sending = sendMailOverGraph(
      target(auth, def, {
        signal: abort.signal,
        onRequest: (method, url) => requests.push(`${method} ${url}`),
        progress: {
          waiting: () => {
            waitStarted = Date.now();
            abort.abort();
          }
        }
      }),
      compose(def, ['adele@contoso.test'], subject('cancelled'))
    );
    await assert.rejects(sending, (error: unknown) => error instanceof CancelledError);
    assert.ok(waitStarted > 0, 'the wait had begun');
    assert.ok(Date.now() - waitStarted < 2_000, `cancelled within ${Date.now() - waitStarted} ms of a 30 s wait`);
    assert.equal(requests.length, 1);
    // The sandbox's one throttled answer was spent: the next send goes through without waiting.
    const { waits, progress } = progressLog();
    assert.equal((await sendMailOverGraph(target(auth, def, { progress }), compose(def, ['adele@contoso.test'], subject('after cancel')))).status, 202);
    assert.deepEqual(waits, []);
    assert.equal(requests.length, 1, 'the cancelled send tried nothing again');
  });

  it('maps ErrorAccessDenied, MailboxNotEnabledForRESTAPI and ErrorSendAsDenied to typed errors with next steps and the request id', async () => {
    const auth = engine();
    const adele = credential('sandbox-adele', { sendTransport: 'graph', readTransport: 'graph' });
    await authorize(auth, adele);
    const send = (def: CredentialDefinition) => sendMailOverGraph(target(auth, def), compose(def, ['adele@contoso.test'], subject('denied')));

    await env.sandbox.control.denyGraphAccess('adele@contoso.test');
    let error = await typedFailure(send(adele));
    assert.equal(error.code, 'graph.ErrorAccessDenied');
    assert.match(error.message, /request-id [0-9a-f-]{36}/i);
    assert.match(error.options.nextStep ?? '', /Mail\.Send/);

    await env.sandbox.control.clearGraphFaults();
    await env.sandbox.control.disableGraphMailbox('adele@contoso.test');
    error = await typedFailure(send(adele));
    assert.equal(error.code, 'graph.MailboxNotEnabledForRESTAPI');
    assert.match(error.options.nextStep ?? '', /Exchange Online/);

    await env.sandbox.control.clearGraphFaults();
    const orders = credential('sandbox-orders', { sendTransport: 'graph', readTransport: 'graph' });
    await authorize(auth, orders);
    await env.sandbox.control.denyGraphSendAs('orders@contoso.test');
    error = await typedFailure(send(orders));
    assert.equal(error.code, 'graph.ErrorSendAsDenied');
    assert.match(error.message, /orders@contoso\.test/);
    assert.match(error.options.nextStep ?? '', /Send As/);

    // The app-only variant of access denied names the application access policy.
    await env.sandbox.control.clearGraphFaults();
    const daemon = credential('sandbox-daemon', { sendTransport: 'graph', readTransport: 'graph' });
    await env.vault.store(secretKeys(daemon.id).clientSecret, SANDBOX_APPS.daemonSecret.clientSecret);
    await auth.authorizeClientCredentials(daemon);
    await env.sandbox.control.denyGraphAccess('adele@contoso.test');
    error = await typedFailure(send(daemon));
    assert.equal(error.code, 'graph.ErrorAccessDenied');
    assert.match(error.options.nextStep ?? '', /application access policy/);
  });
});
