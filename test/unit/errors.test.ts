import * as assert from 'node:assert/strict';
import { buildSync } from 'esbuild';
import { AuthError } from '../../src/auth/errors';
import { CancelledError, isCancelled, M365MailError, userMessage } from '../../src/core/errors';
import { SecretRedactor } from '../../src/core/redact';

describe('typed errors', () => {
  it('carry a stable code, a message, a next step and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new M365MailError('network', 'The token endpoint could not be reached.', { cause, nextStep: 'Check the proxy.' });
    assert.equal(error.code, 'network');
    assert.equal(error.options.nextStep, 'Check the proxy.');
    assert.equal(error.cause, cause);
    assert.ok(error instanceof Error);
  });

  it('are worded for a notification or the preview page through the redactor: a server echoing a secret shows none', () => {
    const redactor = new SecretRedactor();
    redactor.add('the-registered-refresh-token');
    // An SMTP server that echoes what it was sent, and a next step quoting an HTTP body.
    const error = new M365MailError('smtp.535', 'Authentication failed: 535 5.7.3 AUTH XOAUTH2 dXNlcj1hZGVsZUBjb250b3NvLmNvbQFhdXRoPUJlYXJlcg== refused', {
      nextStep: 'The server said: {"refresh_token":"the-registered-refresh-token"}.'
    });
    const shown = userMessage(error, redactor);
    assert.equal(shown, 'Authentication failed: 535 5.7.3 AUTH XOAUTH2 [redacted] refused The server said: {"refresh_token":"[redacted]"}.');
    assert.equal(userMessage(new M365MailError('timeout', 'Timed out.'), redactor), 'Timed out.', 'no next step, nothing added');
  });

  it('tell cancellation apart from failure', () => {
    assert.equal(isCancelled(new CancelledError()), true);
    assert.equal(isCancelled(new M365MailError('timeout', 'Timed out.')), false);
    assert.equal(new CancelledError().code, 'cancelled');
  });

  it('are recognised across bundles: an error thrown by a lazily loaded chunk is typed at the command boundary', () => {
    // Each chunk is its own esbuild bundle with its own copy of the error classes.
    const { outputFiles } = buildSync({ entryPoints: ['src/auth/errors.ts'], bundle: true, format: 'cjs', platform: 'node', write: false, minify: true });
    const chunk = { exports: {} as { AuthError: typeof AuthError; M365MailError: typeof M365MailError } };
    new Function('module', 'exports', 'require', outputFiles[0].text)(chunk, chunk.exports, require);
    const fromChunk = new chunk.exports.AuthError('AADSTS65004', 'Declined.');
    assert.notEqual(chunk.exports.AuthError, AuthError);
    assert.ok(fromChunk instanceof M365MailError);
    assert.ok(fromChunk instanceof AuthError);
    assert.ok(!(fromChunk instanceof CancelledError));
    assert.ok(!isCancelled(fromChunk));
    assert.ok(!(new Error('plain') instanceof M365MailError));
    assert.ok(!(new M365MailError('x', 'y') instanceof AuthError));
  });
});
