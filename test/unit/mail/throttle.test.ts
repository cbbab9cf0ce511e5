import * as assert from 'node:assert/strict';
import { MAX_RETRIES, MAX_TOTAL_WAIT_SECONDS, throttleDecision } from '../../../src/mail/graph/throttle';

describe('Microsoft Graph throttling: when to wait, and for how long', () => {
  it('waits what Retry-After says for 429, 503 and 504, and never for another answer', () => {
    for (const status of [429, 503, 504]) assert.deepEqual(throttleDecision(status, 5, 0, 0), { retry: true, seconds: 5 });
    for (const status of [200, 202, 400, 401, 403, 404, 413, 500]) assert.deepEqual(throttleDecision(status, 5, 0, 0), { retry: false, reason: 'answered' });
  });

  it('without Retry-After waits 3, 6, then 12 s', () => {
    assert.deepEqual(
      [0, 1, 2].map((retries) => throttleDecision(429, undefined, retries, 0)),
      [
        { retry: true, seconds: 3 },
        { retry: true, seconds: 6 },
        { retry: true, seconds: 12 }
      ]
    );
  });

  it(`bounds all the waiting of one request to ${MAX_TOTAL_WAIT_SECONDS} s: a wait that would pass it is not started`, () => {
    assert.equal(MAX_TOTAL_WAIT_SECONDS, 60);
    assert.deepEqual(throttleDecision(429, 60, 0, 0), { retry: true, seconds: 60 });
    assert.deepEqual(throttleDecision(429, 61, 0, 0), { retry: false, reason: 'bound', seconds: 61 });
    assert.deepEqual(throttleDecision(429, 600, 0, 0), { retry: false, reason: 'bound', seconds: 600 });
    // 30 s already waited: 30 more fit, 31 do not.
    assert.deepEqual(throttleDecision(503, 30, 1, 30), { retry: true, seconds: 30 });
    assert.deepEqual(throttleDecision(503, 31, 1, 30), { retry: false, reason: 'bound', seconds: 31 });
    assert.deepEqual(throttleDecision(429, 2, 0, 0, 1), { retry: false, reason: 'bound', seconds: 2 }, 'the bound can be set lower');
  });

  it(`tries at most ${MAX_RETRIES} times after the first answer`, () => {
    assert.equal(throttleDecision(429, 1, MAX_RETRIES - 1, 0).retry, true);
    assert.deepEqual(throttleDecision(429, 1, MAX_RETRIES, 0), { retry: false, reason: 'retries', seconds: 1 });
  });

  it('a Retry-After of 0 tries again at once', () => {
    assert.deepEqual(throttleDecision(429, 0, 0, 0), { retry: true, seconds: 0 });
  });
});
