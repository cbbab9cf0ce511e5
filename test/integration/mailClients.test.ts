/**
 * The mail clients of the extension (src/mail, no `vscode`) against the sandbox's Dovecot and
 * Postfix, with delegated tokens from its authorization server: the inbox preview's IMAP reader
 * under the concurrent requests a page makes (one connection, each answer its own request's, a
 * message over the limit refused by the size the server declares), and what the SMTP client writes
 * to a log at Trace (the conversation, never the message it carries).
 */
import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import { delegatedToken, MAIL_SCOPES, SANDBOX_APPS } from '@m365-mail/sandbox';
import { M365MailError } from '../../src/core/errors';
import { ImapMailboxReader } from '../../src/mail/imap/imapReader';
import { sendMail } from '../../src/mail/smtp/smtpClient';
import { startSandbox, type SandboxProcess } from '../harness/sandbox';
import { multipartEml } from '../support/emlFixtures';
import { TestLogger } from '../support/fakes';
import { SandboxMailbox } from '../support/sandboxMailbox';

const USER = 'adele@contoso.test';

describe('mail clients against the sandbox mail servers', function () {
  this.timeout(90_000);
  let sandbox: SandboxProcess;
  let ca: string;
  let token: string;

  before(async function () {
    this.timeout(120_000);
    sandbox = await startSandbox();
    ca = fs.readFileSync(sandbox.description.caCertPath, 'utf8');
    token = (
      await delegatedToken({
        authority: sandbox.description.authorization.authority,
        ca,
        clientId: SANDBOX_APPS.publicClient.clientId,
        scopes: [MAIL_SCOPES.imap, MAIL_SCOPES.smtp],
        user: USER
      })
    ).accessToken;
  });

  after(async () => {
    await sandbox?.stop();
  });

  describe('the inbox preview over IMAP', () => {
    /** A reader as the preview panel makes one; `opened` counts the sessions it opens (each asks for a token once). */
    const reader = () => {
      const counter = { opened: 0 };
      const imap = new ImapMailboxReader({
        host: sandbox.description.imap.host,
        port: sandbox.description.imap.port,
        user: USER,
        getAccessToken: async () => {
          counter.opened++;
          return token;
        },
        extraCaCertificates: [ca],
        logger: new TestLogger({ quiet: true })
      });
      return { imap, counter };
    };
    const folderNamed = (what: string) => `${what} ${Math.random().toString(36).slice(2, 8)}`;

    it('opens one session for requests made at once, and answers each with its own folder', async () => {
      const mailbox = new SandboxMailbox(sandbox.description, USER);
      const [small, large] = [folderNamed('Three'), folderNamed('Seven')];
      await mailbox.seed(small, 3);
      await mailbox.seed(large, 7);
      const { imap, counter } = reader();
      try {
        // What the page asks when it starts and the user picks folders before the first answer.
        const [folders, first, second, again] = await Promise.all([imap.folders(), imap.page(small, 50), imap.page(large, 50), imap.page(small, 2)]);
        assert.equal(counter.opened, 1, 'one IMAP session for the four requests');
        assert.ok(
          [small, large].every((f) => folders.folders.some((listed) => listed.path === f)),
          JSON.stringify(folders.folders)
        );
        assert.deepEqual([first.folder, first.total, first.envelopes.length], [small, 3, 3]);
        assert.deepEqual([second.folder, second.total, second.envelopes.length], [large, 7, 7]);
        assert.deepEqual([again.folder, again.total, again.envelopes.length], [small, 3, 2]);
        assert.deepEqual(
          again.envelopes.map((e) => e.id),
          first.envelopes.slice(0, 2).map((e) => e.id),
          'the newest two of the same folder'
        );
        // A message of each folder, asked for at once, is the one listed there.
        const [fromSmall, fromLarge] = await Promise.all([
          imap.source(small, first.envelopes[0].id, 1024 * 1024),
          imap.source(large, second.envelopes[0].id, 1024 * 1024)
        ]);
        assert.equal(counter.opened, 1, 'still the one session');
        const subject = (source: Buffer) => /^Subject: (.*)$/m.exec(source.toString('latin1'))?.[1]?.trim();
        assert.equal(subject(fromSmall), first.envelopes[0].subject);
        assert.equal(subject(fromLarge), second.envelopes[0].subject);
      } finally {
        await imap.close();
      }
    });

    it('refuses a message over the limit by the size the server declares, and reads it within the limit', async () => {
      const folder = folderNamed('Sized');
      await new SandboxMailbox(sandbox.description, USER).seed(folder, 1);
      const { imap } = reader();
      try {
        const [message] = (await imap.page(folder, 1)).envelopes;
        assert.ok(message?.size && message.size > 100, `a message of some size: ${JSON.stringify(message)}`);
        await assert.rejects(imap.source(folder, message.id, 100), (error: M365MailError) => {
          assert.match(error.message, new RegExp(`The message is ${message.size} bytes, over the preview limit of 100`));
          return true;
        });
        assert.equal((await imap.source(folder, message.id, message.size)).length, message.size, 'read whole at its declared size');
      } finally {
        await imap.close();
      }
    });
  });

  describe('sending over SMTP with the log at Trace', () => {
    it('logs the SMTP conversation but never a line of the message or its attachment', async () => {
      const logger = new TestLogger();
      const attachment = Buffer.from('Invoice 4711: IBAN DE00 1234 5678 9012 3456 78, not for any log. '.repeat(40));
      const body = 'Private text of the message body.';
      const raw = multipartEml([`From: ${USER}`, `To: ${USER}`, 'Subject: Trace logging'], body, { filename: 'invoice.txt', bytes: attachment });
      const sent = await sendMail(
        {
          host: sandbox.description.smtp.host,
          port: sandbox.description.smtp.port,
          security: sandbox.description.smtp.security,
          user: USER,
          accessToken: token,
          extraCaCertificates: [ca],
          logger
        },
        { kind: 'raw', envelope: { from: USER, to: [USER] }, raw: { content: raw } }
      );
      assert.match(sent.response, /^250 /);
      const log = logger.lines.join('\n');
      assert.match(log, /\[smtp\].*MAIL FROM:<adele@contoso\.test>/, 'the conversation is there');
      assert.match(log, /\[smtp\].*250 /, 'with the server replies');
      const encoded = attachment.toString('base64');
      for (const [what, text] of [
        ['the subject', 'Subject: Trace logging'],
        ['the body', body],
        ["the attachment's name", 'invoice.txt'],
        ['the attachment', encoded.slice(0, 60)],
        ['the attachment, further in', encoded.slice(2000, 2060)]
      ]) {
        assert.ok(!log.includes(text), `${what} is in the log:\n${log}`);
      }
    });
  });
});
