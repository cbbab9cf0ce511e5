import * as assert from 'node:assert/strict';
import { CancelledError, M365MailError } from '../../../src/core/errors';
import { telemetryErrorCode } from '../../../src/core/telemetryCodes';
import { explainGraphFailure, retryAfterSeconds } from '../../../src/mail/graph/graphErrors';
import { withRecipients } from '../../../src/mail/graph/mimeRecipients';

const delegated = { appOnly: false, mailbox: 'adele@contoso.com' };
const appOnly = { appOnly: true, mailbox: 'orders@contoso.com' };

/** A failure as the SDK's GraphError reports it. */
function graphError(statusCode: number, code: string, headers: Record<string, string> = {}) {
  return { statusCode, code, message: `${code} said the server`, requestId: 'req-42', headers: new Headers(headers) };
}

describe('Microsoft Graph errors', () => {
  const cases: Array<[string, ReturnType<typeof graphError>, typeof delegated, RegExp, RegExp]> = [
    [
      'ErrorAccessDenied for an app',
      graphError(403, 'ErrorAccessDenied'),
      appOnly,
      /denied the app access to orders@contoso\.com/,
      /application access policy/
    ],
    ['ErrorAccessDenied for a user', graphError(403, 'ErrorAccessDenied'), delegated, /denied access to adele@contoso\.com/, /Mail\.Send \/ Mail\.Read/],
    ['ErrorSendAsDenied', graphError(403, 'ErrorSendAsDenied'), delegated, /may not send as/, /Send As/],
    [
      'MailboxNotEnabledForRESTAPI',
      graphError(404, 'MailboxNotEnabledForRESTAPI'),
      delegated,
      /cannot be reached through Microsoft Graph/,
      /Exchange Online with a license/
    ],
    ['ErrorMimeContentInvalidBase64String', graphError(400, 'ErrorMimeContentInvalidBase64String'), delegated, /base64 MIME/, /complete MIME message/],
    ['InvalidAuthenticationToken', graphError(401, 'InvalidAuthenticationToken'), delegated, /refused the access token/, /aud = the cloud's Graph root/],
    ['consent missing', graphError(403, 'Authorization_RequestDenied'), appOnly, /no consent/, /admin consent/]
  ];
  for (const [what, failure, context, message, nextStep] of cases) {
    it(`explains ${what} by its code, with the request id and a next step`, () => {
      const error = explainGraphFailure(failure, context);
      assert.ok(error instanceof M365MailError);
      assert.equal(error.code, `graph.${failure.code}`);
      assert.match(error.message, message);
      assert.match(error.message, /request-id req-42/);
      assert.match(error.options.nextStep ?? '', nextStep);
      assert.equal(telemetryErrorCode(error.code), error.code, 'the code is on the telemetry allowlist');
    });
  }

  it('turns throttling into a wait the user can act on, honouring Retry-After', () => {
    const error = explainGraphFailure(graphError(429, 'TooManyRequests', { 'Retry-After': '120' }), delegated);
    assert.equal(error.code, 'graph.throttled');
    assert.match(error.options.nextStep ?? '', /120 seconds/);
    assert.equal(explainGraphFailure(graphError(503, 'ServiceUnavailable'), delegated).code, 'graph.unavailable');
  });

  it('keeps unknown Graph codes out of telemetry, but not their status', () => {
    const error = explainGraphFailure(graphError(418, 'SomethingNew'), delegated);
    assert.equal(error.code, 'graph.418');
    assert.match(error.message, /SomethingNew/);
    assert.equal(telemetryErrorCode('graph.SomethingNew'), 'other');
    assert.equal(telemetryErrorCode(error.code), 'graph.418');
  });

  it('passes our own errors and cancellation through', () => {
    const own = new M365MailError('graph.foreign_host', 'nothing was sent');
    assert.equal(explainGraphFailure(own, delegated), own);
    assert.ok(explainGraphFailure(Object.assign(new Error('aborted'), { name: 'AbortError' }), delegated) instanceof CancelledError);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    assert.equal(retryAfterSeconds(new Headers({ 'Retry-After': '7' })), 7);
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(retryAfterSeconds(new Headers({ 'Retry-After': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now), 30);
    assert.equal(retryAfterSeconds(new Headers()), undefined);
    assert.equal(retryAfterSeconds(new Headers({ 'Retry-After': 'soon' })), undefined);
  });
});

describe('raw MIME over Graph keeps the envelope rule', () => {
  it('replaces To, Cc and Bcc (with folded lines) by the chosen recipients and leaves every other byte', () => {
    const mime = Buffer.from(
      'From: adele@contoso.com\r\nTo: customer@example.com,\r\n  other@example.com\r\nCc: boss@example.com\r\nSubject: Hi\r\nBCC: hidden@example.com\r\n\r\nTo: not a header\r\n'
    );
    const out = withRecipients(mime, ['adele@contoso.com']).toString();
    assert.equal(out, 'From: adele@contoso.com\r\nSubject: Hi\r\nTo: adele@contoso.com\r\n\r\nTo: not a header\r\n');
  });

  it('keeps 8-bit bodies byte for byte', () => {
    const body = Buffer.from([0xc3, 0xa4, 0xff, 0x00, 0x0a]);
    const mime = Buffer.concat([Buffer.from('Subject: x\nTo: a@example.com\n\n'), body]);
    const out = withRecipients(mime, ['b@example.com', 'c@example.com']);
    assert.deepEqual(out, Buffer.concat([Buffer.from('Subject: x\nTo: b@example.com, c@example.com\n\n'), body]));
  });
});
