import * as assert from 'node:assert/strict';
import { explainImapFailure, explainSmtpFailure } from '../../../src/mail/mailErrors';

describe('SMTP and IMAP failures explained', () => {
  it('names the admin step for 535 5.7.139 (SMTP AUTH disabled)', () => {
    const error = explainSmtpFailure({
      responseCode: 535,
      response:
        '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.'
    });
    assert.equal(error.code, 'smtp.535 5.7.139');
    assert.match(error.options.nextStep ?? '', /SmtpClientAuthenticationDisabled \$false/);
  });

  it('points at scope, user and SMTP AUTH for 535 5.7.3', () => {
    const error = explainSmtpFailure({ responseCode: 535, response: '535 5.7.3 Authentication unsuccessful [AM0PR02CA0001.eurprd02.prod.outlook.com]' });
    assert.equal(error.code, 'smtp.535 5.7.3');
    assert.match(error.options.nextStep ?? '', /SMTP\.Send/);
  });

  it('explains 530 5.7.57, 550 5.7.30 and send-as refusals', () => {
    assert.match(explainSmtpFailure({ responseCode: 530, response: '530 5.7.57 Client not authenticated to send mail.' }).message, /before MAIL FROM/);
    assert.match(
      explainSmtpFailure({ responseCode: 550, response: '550 5.7.30 Basic authentication is not supported for Client Submission.' }).message,
      /Basic authentication/
    );
    assert.match(
      explainSmtpFailure({ responseCode: 550, response: '550 5.7.60 SMTP; Client does not have permissions to send as this sender' }).message,
      /send as/
    );
  });

  it('says a 4xx reply sent nothing and a 5xx was refused', () => {
    assert.match(explainSmtpFailure({ responseCode: 451, response: '451 4.3.0 Temporary server error' }).options.nextStep ?? '', /Nothing was sent/);
    assert.match(explainSmtpFailure({ responseCode: 552, response: '552 5.3.4 Message size exceeds fixed limit' }).message, /refused the message.*5\.3\.4/s);
  });

  it('explains network and TLS failures without a reply', () => {
    assert.equal(explainSmtpFailure({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:587' }).code, 'network.refused');
    assert.equal(explainSmtpFailure({ code: 'ETLS', message: 'self-signed certificate in certificate chain' }).code, 'tls.untrusted');
    assert.equal(explainSmtpFailure({ code: 'EDNS', message: 'getaddrinfo ENOTFOUND smtp.example.invalid' }).code, 'network.dns');
  });

  it("treats imapflow's closed-connection errors as a dropped connection (so the preview reconnects)", () => {
    for (const failure of [
      { code: 'NoConnection', message: 'Connection not available' },
      { code: 'EConnectionClosed', message: 'Connection closed' },
      { message: 'Unexpected close' }
    ]) {
      const error = explainImapFailure(failure);
      assert.equal(error.code, 'network.dropped', JSON.stringify(failure));
      assert.equal(error.options.nextStep, 'Refresh to reconnect.');
    }
  });

  it('explains "authenticated but not connected" and a refused IMAP token', () => {
    assert.equal(explainImapFailure({ responseText: 'User is authenticated but not connected.', responseStatus: 'BAD' }).code, 'imap.not_connected');
    const refused = explainImapFailure({ authenticationFailed: true, responseText: 'AUTHENTICATE failed.' });
    assert.equal(refused.code, 'imap.auth_failed');
    assert.match(refused.options.nextStep ?? '', /IMAP\.AccessAsUser\.All/);
  });
});
