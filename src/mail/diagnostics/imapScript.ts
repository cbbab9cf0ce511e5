/**
 * The IMAP connection test (RFC 9051 IMAP4rev2; Exchange Online and Gmail speak IMAP4rev1, RFC
 * 3501, which reads the same here): DNS, TCP, TLS, greeting, CAPABILITY, SASL XOAUTH2 (with SASL-IR,
 * RFC 4959, where offered), then EXAMINE of the mailbox, which opens it read-only. Responses are
 * read whole, literals included, so a server that answers with one is understood.
 */
import * as l10n from '@vscode/l10n';
import { explainImapFailure } from '../mailErrors';
import { checkResponseCount, LineTransport } from './lineTransport';
import { decodeXoauth2Challenge, imapQuoted, parseImapCapabilities, parseImapGreeting, parseImapTagged, parseMailboxStatus, type ImapTagged } from './protocol';
import { IMAP_STEPS, type ConnectionReport, type ConnectionTestOptions } from './report';
import { accessToken, connectTcp, handshake, resolveHost, saslResponse } from './sharedSteps';
import { StepEngine } from './stepEngine';
import { codedError, fromMailError, StepFailure } from './stepErrors';

async function imapCommand(
  transport: LineTransport,
  tag: string,
  command: string,
  options: { logAs?: string; onContinuation?: (text: string) => void } = {}
): Promise<{ untagged: string[]; tagged: ImapTagged }> {
  transport.write(`${tag} ${command}`, options.logAs);
  const untagged: string[] = [];
  for (;;) {
    const line = await transport.readLine();
    const tagged = parseImapTagged(line, tag);
    if (tagged) return { untagged, tagged };
    if (line.startsWith('+')) {
      // A command continuation request (RFC 9051 section 7.5).
      if (!options.onContinuation) throw codedError('EPROTO', l10n.t('Unexpected continuation: {0}', line));
      options.onContinuation(line.slice(1).trim());
    } else {
      untagged.push(line);
      checkResponseCount(untagged.length);
    }
  }
}

/** Tests the IMAP server of a credential: DNS, TCP, TLS, greeting, CAPABILITY, XOAUTH2, EXAMINE INBOX. */
export async function testImapConnection(options: ConnectionTestOptions): Promise<ConnectionReport> {
  const engine = new StepEngine('imap', IMAP_STEPS, options, (f) => fromMailError(explainImapFailure({ code: f.code, message: f.message })));
  const mailbox = options.mailbox ?? 'INBOX';
  let tagNumber = 0;
  const nextTag = () => `t${++tagNumber}`;
  return engine.run(
    async () => {
      const addresses = await engine.step('dns', (s) => resolveHost(engine, s));
      const socket = await engine.step('tcp', (s, signal) => connectTcp(engine, addresses, s, signal));
      const secure = await engine.step('tls', (s) => handshake(engine, socket, s));
      const transport = (engine.transport = new LineTransport(secure, (l) => engine.log(l), { imapLiterals: true }));
      let capabilities: string[] | undefined;

      await engine.step('greeting', async (s) => {
        const greeting = parseImapGreeting(await transport.readLine());
        s.greeting = greeting.text;
        if (greeting.status === 'BYE') {
          throw new StepFailure({
            code: 'imap.BYE',
            message: l10n.t('The server refused the session: "{0}".', greeting.text),
            nextStep: l10n.t('The server may be busy or block this address; try again later or ask its admin.')
          });
        }
        if (greeting.status === 'unknown') {
          throw new StepFailure({
            code: 'imap.greeting',
            message: l10n.t('This does not look like an IMAP server: "{0}".', greeting.text.slice(0, 200)),
            nextStep: l10n.t('Check the IMAP host and port (outlook.office365.com:993 for Microsoft 365).')
          });
        }
        capabilities = greeting.capabilities;
      });

      await engine.step('capability', async (s) => {
        // Ask even if the greeting listed them: after TLS, servers may list more (RFC 9051 section 6.1.1).
        const { untagged, tagged } = await imapCommand(transport, nextTag(), 'CAPABILITY');
        capabilities = untagged.map(parseImapCapabilities).find(Boolean) ?? capabilities ?? [];
        s.capabilities = capabilities;
        s.authMechanisms = capabilities.filter((c) => /^AUTH=/i.test(c)).map((c) => c.slice(5).toUpperCase());
        s.xoauth2Offered = s.authMechanisms.includes('XOAUTH2');
        s.reply = `${tagged.status} ${tagged.text}`;
        if (tagged.status !== 'OK') throw new StepFailure(fromMailError(explainImapFailure({ responseText: tagged.text, responseStatus: tagged.status })));
        if (!s.xoauth2Offered) {
          throw new StepFailure({
            code: 'imap.no_xoauth2',
            message: l10n.t('The server does not offer SASL XOAUTH2 (no AUTH=XOAUTH2 among its capabilities), so it cannot take an OAuth token this way.'),
            nextStep: l10n.t(
              'Check the IMAP host: Exchange Online (outlook.office365.com) and Gmail (imap.gmail.com) offer XOAUTH2; a server that offers only LOGIN or PLAIN wants a password.'
            )
          });
        }
      });

      const token = await engine.step('token', () => accessToken(engine));

      await engine.step('auth', async (s) => {
        const response = saslResponse(engine, s, token);
        const saslIr = (capabilities ?? []).some((c) => c.toUpperCase() === 'SASL-IR');
        let sentResponse = saslIr;
        const tag = nextTag();
        // With SASL-IR (RFC 4959) the initial response rides on the command; otherwise it follows the first "+".
        const { tagged } = await imapCommand(transport, tag, saslIr ? `AUTHENTICATE XOAUTH2 ${response}` : 'AUTHENTICATE XOAUTH2', {
          logAs: saslIr ? `${tag} AUTHENTICATE XOAUTH2 [redacted]` : undefined,
          onContinuation: (text) => {
            if (!sentResponse) {
              sentResponse = true;
              transport.write(response, '[redacted]');
            } else {
              // An XOAUTH2 error challenge: answer with an empty line to get the final NO.
              s.saslChallenge = decodeXoauth2Challenge(text);
              transport.write('');
            }
          }
        });
        s.reply = `${tagged.status}${tagged.code ? ` [${tagged.code}]` : ''} ${tagged.text}`;
        if (tagged.status !== 'OK') {
          throw new StepFailure(
            fromMailError(
              explainImapFailure({
                responseText: tagged.text,
                responseStatus: tagged.status,
                serverResponseCode: tagged.code,
                authenticationFailed: tagged.status === 'NO'
              })
            )
          );
        }
      });

      await engine.step('mailbox', async (s) => {
        // EXAMINE opens read-only (RFC 9051 section 6.3.3): nothing changes, no \Seen or \Recent is touched.
        const { untagged, tagged } = await imapCommand(transport, nextTag(), `EXAMINE ${imapQuoted(mailbox)}`);
        const status = parseMailboxStatus(untagged);
        s.mailbox = { name: mailbox, exists: status.exists, uidValidity: status.uidValidity, readOnly: true };
        s.reply = `${tagged.status}${tagged.code ? ` [${tagged.code}]` : ''} ${tagged.text}`;
        if (tagged.status !== 'OK') {
          throw new StepFailure(
            fromMailError(explainImapFailure({ responseText: tagged.text, responseStatus: tagged.status, serverResponseCode: tagged.code }))
          );
        }
      });
    },
    () => `t${++tagNumber} LOGOUT`
  );
}
