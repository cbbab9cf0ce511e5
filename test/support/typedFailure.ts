/** The typed error a promise was rejected with; fails the test when it resolves or rejects with anything else. */
import * as assert from 'node:assert/strict';
import { M365MailError } from '../../src/core/errors';

export async function typedFailure(promise: Promise<unknown>): Promise<M365MailError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof M365MailError, `a typed error, not ${String(error)}`);
    return error;
  }
  assert.fail('it succeeded');
}
