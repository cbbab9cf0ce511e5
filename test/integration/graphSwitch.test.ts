/**
 * From SMTP to Microsoft Graph, at the module level against the sandbox, where megan@ has SMTP AUTH
 * off: the SMTP client's refusal (535 5.7.139) is classified as switchable (core/graphSwitch.ts),
 * the switched credential signs in again through the real sign-in pages, which ask for the consent
 * to Graph's Mail.Send, and the same message then goes over Graph (202) and arrives over IMAP. The
 * VS Code part (the notification's button, the store write, "Send again?") is commands/graphSwitch.ts.
 */
import * as assert from 'node:assert/strict';
import type { AuthService } from '../../src/auth/authService';
import { M365MailError } from '../../src/core/errors';
import { graphSwitchFor } from '../../src/core/graphSwitch';
import { mailboxOf, type CredentialDefinition } from '../../src/core/model';
import { decodeJwtClaims } from '../../src/core/tokenClaims';
import { validateDefinition } from '../../src/core/validation';
import { sendMailOverGraph } from '../../src/mail/graph/graphSend';
import { sendMail, type OutgoingMessage } from '../../src/mail/smtp/smtpClient';
import { PageDriver, type HttpResponse } from '@m365-mail/sandbox';
import { useSandboxAuth } from '../support/sandboxAuth';
import { SandboxMailbox } from '../support/sandboxMailbox';

const MEGAN = 'megan@contoso.test';

describe('From SMTP to Microsoft Graph: 5.7.139, switch, send again', function () {
  this.timeout(90_000);
  const env = useSandboxAuth();

  /** The browser part of a sign-in, keeping every page the browser was shown. */
  async function signIn(auth: AuthService, def: CredentialDefinition): Promise<{ url: URL; pages: string[] }> {
    const redirectUri = 'http://127.0.0.1:45678/';
    const request = await auth.beginAuthorizationCode(def, redirectUri);
    const driver = new PageDriver(env.ca);
    const pages: string[] = [];
    const call = driver.call.bind(driver);
    driver.call = async (method: string, url: string, form?: Record<string, string>): Promise<HttpResponse> => {
      const response = await call(method, url, form);
      pages.push(response.body);
      return response;
    };
    const landed = await driver.authorize(request.url, { user: MEGAN, redirectPrefix: redirectUri });
    assert.ok(landed instanceof URL, 'the browser is sent back to the redirect URI');
    await request.complete(landed.toString());
    return { url: new URL(request.url), pages };
  }

  it('megan@ over SMTP gets 5.7.139, which offers Graph; after the switch and a sign-in with the Graph consent the same message goes over Graph (202) and arrives over IMAP', async () => {
    const auth = env.engine();
    const def = env.credential('sandbox-adele', {}, { userName: MEGAN, name: 'Megan (browser sign-in)' });
    await signIn(auth, def);
    const title = `Graph switch ${Math.random().toString(36).slice(2, 10)}`;
    const message: OutgoingMessage = { kind: 'compose', from: MEGAN, to: [MEGAN], subject: title, text: 'Sent over SMTP first, then over Microsoft Graph.' };

    // 1. SMTP, as the credential was: refused before the token is even looked at.
    const description = env.sandbox.description;
    let failure: unknown;
    try {
      await sendMail(
        {
          ...def.smtp,
          security: 'starttls',
          user: mailboxOf(def),
          accessToken: (await auth.getAccessToken(def)).accessToken,
          extraCaCertificates: [env.ca],
          logger: env.logger
        },
        message
      );
    } catch (error) {
      failure = error;
    }
    assert.ok(failure instanceof M365MailError, `a typed SMTP error, not ${String(failure)}`);
    assert.equal(failure.code, 'smtp.535 5.7.139');

    // 2. It qualifies; the credential it becomes sends over Graph and is valid to store.
    const verdict = graphSwitchFor(def, failure.code, env.clouds);
    assert.equal(verdict.kind, 'offer');
    const switched = (verdict as Extract<typeof verdict, { kind: 'offer' }>).definition;
    assert.equal(switched.sendTransport, 'graph');
    assert.deepEqual(validateDefinition(switched, env.clouds), []);

    // 3. The sign-in asks for Graph's Mail.Send, and the consent page shows it (the first sign-in consented to IMAP and SMTP only).
    const { url, pages } = await signIn(auth, switched);
    const asked = (url.searchParams.get('scope') ?? '').split(' ');
    assert.ok(asked.includes(`${description.cloud.graphScopePrefix}Mail.Send`), `asked for ${asked.join(' ')}`);
    assert.ok(!asked.some((s) => s.endsWith('/SMTP.Send')), 'SMTP.Send is no longer asked for');
    const consent = pages.find((p) => p.includes('id="consentForm"'));
    assert.ok(consent, 'the browser showed a consent page');
    assert.match(consent, /Mail\.Send/);
    const graphToken = decodeJwtClaims((await auth.getAccessToken(switched, { resource: 'graph' })).accessToken);
    assert.equal(`${graphToken?.audience}/`, description.cloud.graphScopePrefix);
    assert.ok(graphToken?.scopes.includes('Mail.Send'), `scp ${graphToken?.scopes.join(' ')}`);
    // Reading stays on IMAP, with a token from the same sign-in.
    assert.equal(decodeJwtClaims((await auth.getAccessToken(switched, { resource: 'exchange' })).accessToken)?.audience, 'https://outlook.office.com');

    // 4. The same message over Graph: accepted, and delivered.
    const result = await sendMailOverGraph(
      {
        graphEndpoint: description.graph.endpoint,
        getAccessToken: async () => (await auth.getAccessToken(switched, { resource: 'graph' })).accessToken,
        extraCaCertificates: [env.ca],
        logger: env.logger,
        mailbox: mailboxOf(switched),
        appOnly: false
      },
      message
    );
    assert.equal(result.status, 202);
    const [arrived] = await new SandboxMailbox(description, MEGAN).waitFor(title);
    assert.match(arrived.source.toString(), /^From: .*megan@contoso\.test/im);
    assert.ok(!env.logger.lines.join('\n').includes('eyJ'), 'no token in the log');
  });
});
