/**
 * The SMTP submission test (RFC 5321, STARTTLS RFC 3207, AUTH RFC 4954): DNS, TCP, TLS (implicit,
 * 465) or EHLO and STARTTLS (587) with the TLS socket re-attached to the same transport, EHLO again,
 * SASL XOAUTH2, MAIL FROM, then RSET and QUIT. Never sends a message.
 */
import * as l10n from '@vscode/l10n';
import { explainSmtpFailure } from '../mailErrors';
import { checkResponseCount, LineTransport } from './lineTransport';
import { decodeXoauth2Challenge, ehloName, isLastSmtpReplyLine, parseEhlo, parseSmtpReply, type SmtpReply } from './protocol';
import { smtpSteps, type ConnectionReport, type ConnectionStep, type ConnectionTestOptions } from './report';
import { accessToken, connectTcp, handshake, resolveHost, saslResponse } from './sharedSteps';
import { StepEngine } from './stepEngine';
import { codedError, fromMailError, StepFailure } from './stepErrors';

async function smtpRead(transport: LineTransport): Promise<SmtpReply> {
  const lines: string[] = [];
  for (;;) {
    const line = await transport.readLine();
    lines.push(line);
    checkResponseCount(lines.length);
    if (isLastSmtpReplyLine(line)) return parseSmtpReply(lines);
    if (!/^\d{3}-/.test(line)) throw codedError('EPROTO', l10n.t('Not an SMTP reply: "{0}"', line.slice(0, 200)));
  }
}

async function smtpCommand(transport: LineTransport, command: string, logAs?: string): Promise<SmtpReply> {
  transport.write(command, logAs);
  return smtpRead(transport);
}

function smtpFailure(reply: SmtpReply): StepFailure {
  return new StepFailure(fromMailError(explainSmtpFailure({ responseCode: reply.code, response: reply.raw })));
}

function expectSmtp(reply: SmtpReply, step: ConnectionStep, code: number): void {
  step.reply = reply.raw;
  if (reply.code !== code) throw smtpFailure(reply);
}

/** Tests the SMTP submission server of a credential up to MAIL FROM, then RSET and QUIT: never sends a message. */
export async function testSmtpConnection(options: ConnectionTestOptions): Promise<ConnectionReport> {
  const engine = new StepEngine('smtp', smtpSteps(options.security), options, (f) => fromMailError(explainSmtpFailure({ code: f.code, message: f.message })));
  let quitSent = false;
  return engine.run(
    async () => {
      const addresses = await engine.step('dns', (s) => resolveHost(engine, s));
      const socket = await engine.step('tcp', (s, signal) => connectTcp(engine, addresses, s, signal));
      const implicitTls = options.security === 'tls';
      const first = implicitTls ? await engine.step('tls', (s) => handshake(engine, socket, s)) : socket;
      const transport = (engine.transport = new LineTransport(first, (l) => engine.log(l)));
      const helo = `EHLO ${ehloName(socket.localAddress)}`;

      const ehloStep = async (s: ConnectionStep, afterTls: boolean) => {
        const reply = await smtpCommand(transport, helo);
        expectSmtp(reply, s, 250);
        const ehlo = parseEhlo(reply);
        s.capabilities = ehlo.extensions;
        if (!afterTls) return ehlo;
        s.authMechanisms = ehlo.authMechanisms;
        s.xoauth2Offered = ehlo.authMechanisms.includes('XOAUTH2');
        if (!s.xoauth2Offered) {
          throw new StepFailure({
            code: 'smtp.no_xoauth2',
            message: ehlo.authMechanisms.length
              ? l10n.t('The server does not offer AUTH XOAUTH2 (it offers {0}).', ehlo.authMechanisms.join(', '))
              : l10n.t('The server offers no AUTH at all after TLS.'),
            nextStep: l10n.t(
              'Use the submission server and port (smtp.office365.com:587 with STARTTLS for Microsoft 365, smtp.gmail.com:587 for Gmail); port 25 of a mail exchanger does not take logins.'
            )
          });
        }
        return ehlo;
      };

      await engine.step('greeting', async (s) => {
        const reply = await smtpRead(transport);
        s.greeting = reply.raw;
        expectSmtp(reply, s, 220);
      });

      if (implicitTls) {
        await engine.step('ehlo', (s) => ehloStep(s, true));
      } else {
        const ehlo = await engine.step('ehlo', (s) => ehloStep(s, false));
        await engine.step('starttls', async (s) => {
          if (!ehlo.starttls) {
            throw new StepFailure({
              code: 'smtp.no_starttls',
              message: l10n.t('The server does not offer STARTTLS, so the session would stay unencrypted.'),
              nextStep: l10n.t('Check the port and security: 587 uses STARTTLS, 465 implicit TLS. Logging in without TLS is never done.')
            });
          }
          const reply = await smtpCommand(transport, 'STARTTLS');
          expectSmtp(reply, s, 220);
          // Anything the server sent after its 220 would be read as if it came over TLS: refuse it (RFC 3207 section 4.2).
          if (transport.detach()) {
            throw new StepFailure({
              code: 'smtp.starttls_injection',
              message: l10n.t('The server sent data after agreeing to STARTTLS; the connection is not safe to continue.'),
              nextStep: l10n.t('Something between this machine and the server tampers with the session; try another network.')
            });
          }
          const secure = await handshake(engine, socket, s);
          transport.attach(secure);
        });
        // After STARTTLS the client forgets everything it knew and asks again (RFC 3207 section 4.2).
        await engine.step('ehloTls', (s) => ehloStep(s, true));
      }

      const token = await engine.step('token', () => accessToken(engine));

      await engine.step('auth', async (s) => {
        const response = saslResponse(engine, s, token);
        // Initial response on the AUTH line (RFC 4954 section 4).
        let reply = await smtpCommand(transport, `AUTH XOAUTH2 ${response}`, 'AUTH XOAUTH2 [redacted]');
        if (reply.code === 334) {
          // An XOAUTH2 error challenge: answer with an empty line to get the final 5xx.
          s.saslChallenge = decodeXoauth2Challenge(reply.lines[0] ?? '');
          reply = await smtpCommand(transport, '');
        }
        expectSmtp(reply, s, 235);
      });

      await engine.step('mailFrom', async (s) => {
        s.mailFrom = options.user;
        const reply = await smtpCommand(transport, `MAIL FROM:<${options.user}>`);
        expectSmtp(reply, s, 250);
      });

      await engine.step('quit', async (s) => {
        // RSET drops the transaction MAIL FROM began (RFC 5321 section 4.1.1.5); QUIT ends the session.
        const rset = await smtpCommand(transport, 'RSET');
        expectSmtp(rset, s, 250);
        quitSent = true;
        const quit = await smtpCommand(transport, 'QUIT');
        expectSmtp(quit, s, 221);
        s.reply = `${rset.raw}\n${quit.raw}`;
      });
    },
    () => (quitSent ? undefined : 'QUIT')
  );
}
