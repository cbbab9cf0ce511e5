import * as assert from 'node:assert/strict';
import { CancelledError, isCancelled, M365MailError } from '../../src/common/errors';

describe('typed errors', () => {
  it('carry a stable code, a message, a next step and the cause', () => {
    const cause = new Error('socket hang up');
    const error = new M365MailError('network', 'The token endpoint could not be reached.', { cause, nextStep: 'Check the proxy.' });
    assert.equal(error.code, 'network');
    assert.equal(error.options.nextStep, 'Check the proxy.');
    assert.equal(error.cause, cause);
    assert.ok(error instanceof Error);
  });

  it('tell cancellation apart from failure', () => {
    assert.equal(isCancelled(new CancelledError()), true);
    assert.equal(isCancelled(new M365MailError('timeout', 'Timed out.')), false);
    assert.equal(new CancelledError().code, 'cancelled');
  });
});
