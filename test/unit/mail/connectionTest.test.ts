/**
 * The pure parts of "Test connection": the protocol parsers (SMTP replies and EHLO, IMAP greeting,
 * capabilities and tagged responses, XOAUTH2), the certificate summary, the explanations added to
 * mailErrors, and the Markdown report. The probe itself runs against real servers in
 * test/integration/connectionTest.test.ts.
 */
import * as assert from 'node:assert/strict';
import type { M365MailError } from '../../../src/core/errors';
import { X509Certificate } from 'node:crypto';
import { IMAP_STEPS, smtpSteps, type ConnectionReport } from '../../../src/mail/diagnostics/report';
import { codeBlock, escapeMarkdown, escapeParagraph, formatConnectionReport } from '../../../src/mail/diagnostics/formatReport';
import { useEnglish, useGuillemetLanguage } from '../displayLanguage';
import {
  decodeXoauth2Challenge,
  ehloName,
  imapQuoted,
  isLastSmtpReplyLine,
  parseEhlo,
  parseImapCapabilities,
  parseImapGreeting,
  parseImapTagged,
  parseMailboxStatus,
  parseSmtpReply,
  xoauth2InitialResponse
} from '../../../src/mail/diagnostics/protocol';
import { explainImapFailure, explainSmtpFailure } from '../../../src/mail/mailErrors';
import { describeCertificate } from '../../../src/net/certificateChain';

/** Self-signed, CN=mail.example.test, valid 2026 to 2126, SANs DNS:mail.example.test and IP 127.0.0.1. */
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIB2zCCAYGgAwIBAgIUURMKCGXIlo8Z7nJVsbK4ATkpU7UwCgYIKoZIzj0EAwIw
MDEaMBgGA1UEAwwRbWFpbC5leGFtcGxlLnRlc3QxEjAQBgNVBAoMCVVuaXQgdGVz
dDAgFw0yNjExMjMxOTUyNThaGA8yMTI2MTAzMDE5NTI1OFowMDEaMBgGA1UEAwwR
bWFpbC5leGFtcGxlLnRlc3QxEjAQBgNVBAoMCVVuaXQgdGVzdDBZMBMGByqGSM49
AgEGCCqGSM49AwEHA0IABIl4Lvup+v4CaSoyzeul1eTQPw1Sldwq+FIh2G05WWbU
rZCbErcSgvIzLjDu4nBdVgwrxTs1IyrKOfZMIhj5A2ijdzB1MB0GA1UdDgQWBBRW
HyIfwChiEzqDaT4WYBL2d41iqTAfBgNVHSMEGDAWgBRWHyIfwChiEzqDaT4WYBL2
d41iqTAPBgNVHRMBAf8EBTADAQH/MCIGA1UdEQQbMBmCEW1haWwuZXhhbXBsZS50
ZXN0hwR/AAABMAoGCCqGSM49BAMCA0gAMEUCIHFZzOY+qirzGoYTwcyU/BMwF8+d
LqWJaI2JsKT8fGUBAiEArRj8Frq1TjiqqFE3BpiOhy0a5kOB8DgfFCEqqPpOWAg=
-----END CERTIFICATE-----
`;

describe('connection test: protocol pieces', () => {
  it('builds the XOAUTH2 initial response in the documented format', () => {
    const decoded = Buffer.from(xoauth2InitialResponse('orders@contoso.com', 'tok'), 'base64').toString('utf8');
    assert.equal(decoded, 'user=orders@contoso.com\x01auth=Bearer tok\x01\x01');
  });

  it('decodes an XOAUTH2 error challenge, and nothing else', () => {
    const challenge = Buffer.from('{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}').toString('base64');
    assert.deepEqual(decodeXoauth2Challenge(challenge), { status: '401', schemes: 'bearer', scope: 'https://mail.google.com/' });
    assert.equal(decodeXoauth2Challenge(''), undefined);
    assert.equal(decodeXoauth2Challenge('not base64!'), undefined);
    assert.equal(decodeXoauth2Challenge(Buffer.from('plain text').toString('base64')), undefined);
  });

  it('reads multi-line SMTP replies (RFC 5321 section 4.2.1)', () => {
    assert.equal(isLastSmtpReplyLine('250-PIPELINING'), false);
    assert.equal(isLastSmtpReplyLine('250 SMTPUTF8'), true);
    assert.equal(isLastSmtpReplyLine('221'), true);
    assert.equal(isLastSmtpReplyLine('hello'), false);
    const reply = parseSmtpReply(['535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.']);
    assert.equal(reply.code, 535);
    assert.match(reply.lines[0]!, /^5\.7\.139/);
  });

  it("reads Exchange Online's EHLO before and after STARTTLS", () => {
    const before = parseEhlo(
      parseSmtpReply([
        '250-AM0PR02CA0001.outlook.office365.com Hello [203.0.113.7]',
        '250-SIZE 157286400',
        '250-PIPELINING',
        '250-DSN',
        '250-ENHANCEDSTATUSCODES',
        '250-STARTTLS',
        '250-8BITMIME',
        '250-BINARYMIME',
        '250-CHUNKING',
        '250 SMTPUTF8'
      ])
    );
    assert.equal(before.server, 'AM0PR02CA0001.outlook.office365.com');
    assert.equal(before.starttls, true);
    assert.deepEqual(before.authMechanisms, []);
    assert.equal(before.extensions.length, 9);
    const after = parseEhlo(
      parseSmtpReply(['250-AM0PR02CA0001.outlook.office365.com Hello [203.0.113.7]', '250-SIZE 157286400', '250-AUTH LOGIN XOAUTH2', '250 SMTPUTF8'])
    );
    assert.equal(after.starttls, false);
    assert.deepEqual(after.authMechanisms, ['LOGIN', 'XOAUTH2']);
    // The pre-RFC 4954 spelling some servers still send.
    assert.deepEqual(parseEhlo(parseSmtpReply(['250-mx Hello', '250-AUTH=LOGIN PLAIN', '250 AUTH xoauth2'])).authMechanisms, ['LOGIN', 'PLAIN', 'XOAUTH2']);
  });

  it('names itself in EHLO with an address literal (RFC 5321 section 4.1.3)', () => {
    assert.equal(ehloName('192.0.2.10'), '[192.0.2.10]');
    assert.equal(ehloName('::ffff:192.0.2.10'), '[192.0.2.10]');
    assert.equal(ehloName('2001:db8::1'), '[IPv6:2001:db8::1]');
    assert.equal(ehloName(undefined), '[127.0.0.1]');
  });

  it('reads IMAP greetings, capabilities, tagged responses and EXAMINE counts (RFC 9051)', () => {
    const greeting = parseImapGreeting('* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2 AUTH=OAUTHBEARER] The Microsoft Exchange IMAP4 service is ready.');
    assert.equal(greeting.status, 'OK');
    assert.deepEqual(greeting.capabilities, ['IMAP4rev1', 'SASL-IR', 'AUTH=XOAUTH2', 'AUTH=OAUTHBEARER']);
    assert.equal(parseImapGreeting('* BYE too many connections').status, 'BYE');
    assert.equal(parseImapGreeting('220 smtp ready').status, 'unknown');
    assert.deepEqual(parseImapCapabilities('* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS'), [
      'IMAP4',
      'IMAP4rev1',
      'AUTH=PLAIN',
      'AUTH=XOAUTH2',
      'SASL-IR',
      'UIDPLUS'
    ]);
    assert.equal(parseImapCapabilities('* OK hello'), undefined);
    assert.deepEqual(parseImapTagged('t2 NO [AUTHENTICATIONFAILED] AUTHENTICATE failed.', 't2'), {
      tag: 't2',
      status: 'NO',
      code: 'AUTHENTICATIONFAILED',
      text: 'AUTHENTICATE failed.'
    });
    assert.deepEqual(parseImapTagged('t3 BAD User is authenticated but not connected.', 't3'), {
      tag: 't3',
      status: 'BAD',
      code: undefined,
      text: 'User is authenticated but not connected.'
    });
    assert.equal(parseImapTagged('t30 OK done', 't3'), undefined);
    assert.equal(parseImapTagged('* 3 EXISTS', 't3'), undefined);
    assert.deepEqual(parseMailboxStatus(['* FLAGS (\\Seen)', '* 42 EXISTS', '* 0 RECENT', '* OK [UIDVALIDITY 14] UIDs valid']), {
      exists: 42,
      uidValidity: '14'
    });
    assert.equal(imapQuoted('INBOX'), '"INBOX"');
    assert.equal(imapQuoted('a "b" \\c'), '"a \\"b\\" \\\\c"');
    for (const smuggled of ['INBOX"\r\nA2 DELETE "Sent', 'INBOX\n', 'IN\0BOX']) {
      assert.throws(
        () => imapQuoted(smuggled),
        (e: M365MailError) => e.code === 'imap.invalid_folder',
        JSON.stringify(smuggled)
      );
    }
  });

  it('summarizes a certificate: subject, issuer, validity, SHA-256 fingerprint, SANs', () => {
    const cert = describeCertificate(new X509Certificate(CERT_PEM).raw);
    assert.equal(cert.subject, 'CN=mail.example.test, O=Unit test');
    assert.equal(cert.issuer, cert.subject);
    assert.equal(cert.selfIssued, true);
    assert.equal(cert.ca, true);
    assert.equal(cert.validFrom, '2026-11-23T19:52:58.000Z');
    assert.equal(cert.validTo, '2126-10-30T19:52:58.000Z');
    assert.equal(cert.fingerprint256, '1B:9D:28:90:E5:4A:9B:5F:FB:C2:74:DD:0B:A2:2D:B6:A6:A0:79:E4:B7:3A:79:11:28:31:AB:8E:99:F9:B2:86');
    assert.deepEqual(cert.subjectAltNames, ['DNS:mail.example.test', 'IP Address:127.0.0.1']);
    assert.equal(cert.serialNumber, '51130A0865C8968F19EE7255B1B2B801392953B5');
  });

  it('plans the steps per protocol and security', () => {
    assert.deepEqual(IMAP_STEPS, ['dns', 'tcp', 'tls', 'greeting', 'capability', 'token', 'auth', 'mailbox']);
    assert.deepEqual(smtpSteps('starttls'), ['dns', 'tcp', 'greeting', 'ehlo', 'starttls', 'ehloTls', 'token', 'auth', 'mailFrom', 'quit']);
    assert.deepEqual(smtpSteps('tls'), ['dns', 'tcp', 'tls', 'greeting', 'ehlo', 'token', 'auth', 'mailFrom', 'quit']);
  });
});

describe('connection test: explanations', () => {
  it('explains network failures of any step in mail terms, through the shared classifier', () => {
    const refused = explainImapFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:993' });
    assert.equal(refused.code, 'network.refused');
    assert.match(refused.message, /IMAP server/);
    assert.match(refused.options.nextStep ?? '', /host and port of the credential/);
    assert.equal(explainImapFailure({ code: 'ETIMEDOUT', message: 'No answer within 15 s (timed out).' }).code, 'network.timeout');
    assert.equal(explainImapFailure({ code: 'EHOSTUNREACH', message: 'connect EHOSTUNREACH' }).code, 'network.unreachable');
    const dropped = explainSmtpFailure({ code: 'ECONNRESET', message: 'The server closed the connection.' });
    assert.equal(dropped.code, 'network.dropped');
    assert.equal(dropped.options.nextStep, 'Try again; nothing was sent twice.');
    const hostname = explainSmtpFailure({ code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: "Hostname/IP does not match certificate's altnames" });
    assert.equal(hostname.code, 'tls.hostname');
    assert.match(hostname.message, /certificate of the SMTP server/);
  });

  it('codes a wrapped reply by the status it explains ("535 5.7.8 … 5.7.139 …")', () => {
    const error = explainSmtpFailure({
      responseCode: 535,
      response: '535 5.7.8 Error: authentication failed: 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.'
    });
    assert.equal(error.code, 'smtp.535 5.7.139');
    assert.match(error.options.nextStep ?? '', /SmtpClientAuthenticationDisabled/);
    assert.equal(explainSmtpFailure({ responseCode: 535, response: '535 5.7.8 Error: authentication failed' }).code, 'smtp.535 5.7.8');
  });
});

describe('connection test: the Markdown report', () => {
  const cert = describeCertificate(new X509Certificate(CERT_PEM).raw);
  const failedSmtp: ConnectionReport = {
    protocol: 'smtp',
    host: 'smtp.office365.com',
    port: 587,
    security: 'starttls',
    user: 'megan@contoso.com',
    startedAt: '2026-01-02T03:04:05.000Z',
    durationMs: 812,
    passed: false,
    steps: [
      { id: 'dns', status: 'passed', durationMs: 12.3, addresses: ['52.97.1.2', '2603:1026::2'] },
      { id: 'tcp', status: 'passed', durationMs: 20, remote: '52.97.1.2:587', local: '10.0.0.5:50000' },
      {
        id: 'greeting',
        status: 'passed',
        durationMs: 30,
        greeting: '220 AM0PR02CA0001.outlook.office365.com Microsoft ESMTP MAIL Service ready',
        reply: '220 …'
      },
      { id: 'ehlo', status: 'passed', durationMs: 4, capabilities: ['SIZE 157286400', 'STARTTLS'] },
      {
        id: 'starttls',
        status: 'passed',
        durationMs: 55,
        tls: { servername: 'smtp.office365.com', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', authorized: true, chain: [cert] }
      },
      { id: 'ehloTls', status: 'passed', durationMs: 4, capabilities: ['AUTH LOGIN XOAUTH2'], authMechanisms: ['LOGIN', 'XOAUTH2'], xoauth2Offered: true },
      { id: 'token', status: 'passed', durationMs: 100 },
      {
        id: 'auth',
        status: 'failed',
        durationMs: 1500,
        saslUser: 'megan@contoso.com',
        reply: '535 5.7.139 Authentication unsuccessful | <script>x</script> ```',
        error: {
          code: 'smtp.535 5.7.139',
          message: 'SMTP AUTH is switched off for this mailbox or tenant (535 5.7.139): Exchange refused. The server said: "…"',
          nextStep: 'An Exchange admin must enable "Authenticated SMTP" (Set-CASMailbox -Identity <mailbox> -SmtpClientAuthenticationDisabled $false).'
        }
      },
      { id: 'mailFrom', status: 'skipped', durationMs: 0 },
      { id: 'quit', status: 'skipped', durationMs: 0 }
    ]
  };

  it('shows every step green, red or not run with its time, then what went wrong and the next step', () => {
    const markdown = formatConnectionReport({ credentialName: 'Megan | <b>', reports: [failedSmtp], at: new Date('2026-01-02T03:04:05Z') });
    assert.match(markdown, /^# Connection test: Megan \\\| \\<b\\>$/m);
    assert.match(markdown, /\| ❌ \| SMTP smtp\.office365\.com:587 \(STARTTLS\) \| failed at AUTH XOAUTH2 \| 812 ms \|/);
    assert.match(markdown, /\| ✅ \| DNS lookup \| 12 ms \| 52\.97\.1\.2, 2603:1026::2 \|/);
    assert.match(markdown, /\| ✅ \| STARTTLS and TLS handshake \| 55 ms \| TLSv1\.3, TLS\\_AES\\_256\\_GCM\\_SHA384; certificate chain trusted \|/);
    assert.match(markdown, /\| ❌ \| AUTH XOAUTH2 \| 1\.50 s \| SMTP AUTH is switched off for this mailbox or tenant \(535 5\.7\.139\): Exchange refused\. \|/);
    assert.match(markdown, /\| ⚪ \| MAIL FROM \| {2}\| not run: an earlier step failed \|/);
    assert.match(markdown, /### ❌ What went wrong: AUTH XOAUTH2/);
    assert.match(
      markdown,
      /\*\*Next step:\*\* An Exchange admin must enable "Authenticated SMTP" \(Set-CASMailbox -Identity \\<mailbox\\> -SmtpClientAuthenticationDisabled \$false\)\./
    );
    assert.match(markdown, /Code: `smtp\.535 5\.7\.139`/);
    // Server text is data: the reply is fenced with a fence its own backticks cannot close.
    assert.match(markdown, /````text\n535 5\.7\.139 Authentication unsuccessful \| <script>x<\/script> ```\n````/);
    assert.doesNotMatch(markdown.replace(/````text[\s\S]*?````/g, ''), /<script>/);
  });

  it("lists the certificate chain as SAP Cloud Integration's connectivity test does", () => {
    const markdown = formatConnectionReport({ credentialName: 'x', reports: [failedSmtp] });
    assert.match(markdown, /### Certificate chain \(STARTTLS and TLS handshake\)/);
    assert.match(markdown, /- Server name \(SNI\): `smtp\.office365\.com`/);
    assert.match(markdown, /\| Subject \| CN=mail\.example\.test, O=Unit test \|/);
    assert.match(markdown, /\| Issuer \| CN=mail\.example\.test, O=Unit test \|/);
    assert.match(markdown, /\| Valid to \| 2126-10-30T19:52:58\.000Z \|/);
    assert.match(markdown, /\| SHA-256 fingerprint \| `1B:9D:28:90:/);
    assert.match(markdown, /\| Subject alternative names \| `DNS:mail\.example\.test` `IP Address:127\.0\.0\.1` \|/);
    assert.match(markdown, /`AUTH LOGIN XOAUTH2`/);
  });

  it('shows an untrusted chain as not trusted, and a passed report as all green', () => {
    const untrusted: ConnectionReport = {
      ...failedSmtp,
      protocol: 'imap',
      port: 993,
      security: 'tls',
      steps: [
        { id: 'dns', status: 'passed', durationMs: 0, ipLiteral: true, addresses: ['127.0.0.1'] },
        { id: 'tcp', status: 'passed', durationMs: 1, remote: '127.0.0.1:993', local: '127.0.0.1:5000' },
        {
          id: 'tls',
          status: 'failed',
          durationMs: 9,
          tls: { authorized: false, authorizationError: 'SELF_SIGNED_CERT_IN_CHAIN', chain: [cert] },
          error: {
            code: 'tls.untrusted',
            message: "The IMAP server's certificate is not trusted.",
            nextStep: 'Add that CA to "m365mail.trustedCaCertificates".'
          }
        }
      ]
    };
    const markdown = formatConnectionReport({ credentialName: 'x', reports: [untrusted] });
    assert.match(markdown, /\| ❌ \| TLS handshake \| 9\.0 ms \| certificate not accepted \(SELF\\_SIGNED\\_CERT\\_IN\\_CHAIN\) \|/);
    assert.match(markdown, /- Verification: not trusted: SELF\\_SIGNED\\_CERT\\_IN\\_CHAIN/);
    assert.match(markdown, /- Server name \(SNI\): none \(IP address\)/);
    assert.match(markdown, /127\.0\.0\.1 is an IP address: no lookup/);
    assert.match(markdown, /m365mail\.trustedCaCertificates/);

    const passed: ConnectionReport = { ...failedSmtp, passed: true, steps: failedSmtp.steps.slice(0, 7) };
    const green = formatConnectionReport({ credentialName: 'x', reports: [passed] });
    assert.match(green, /\| ✅ \| SMTP smtp\.office365\.com:587 \(STARTTLS\) \| all 7 steps passed \|/);
    assert.doesNotMatch(green, /❌|What went wrong/);
  });

  it('speaks the display language in every label, and leaves protocol commands as they are', () => {
    useGuillemetLanguage();
    let markdown: string;
    try {
      markdown = formatConnectionReport({ credentialName: 'x', reports: [failedSmtp] });
    } finally {
      useEnglish();
    }
    assert.match(markdown, /«Connection test: x»/);
    assert.match(markdown, /«Next step»/);
    assert.match(markdown, /\| «DNS lookup» \|/);
    assert.match(markdown, /\| EHLO \|/);
  });

  it('escapes Markdown in server text', () => {
    assert.equal(escapeMarkdown('a|b <i>*c*</i> [l](u) `x`'), 'a\\|b \\<i\\>\\*c\\*\\</i\\> \\[l\\](u) \\`x\\`');
    assert.equal(escapeMarkdown('line one\nline two'), 'line one line two');
    assert.equal(escapeParagraph('# not a heading'), '\\# not a heading');
    assert.equal(escapeParagraph('1. not a list'), '1\\. not a list');
    assert.equal(escapeMarkdown('127.0.0.1'), '127.0.0.1');
    assert.equal(codeBlock('a ``` b'), '````text\na ``` b\n````');
  });
});
