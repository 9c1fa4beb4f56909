// Reconnection delays: exponential, capped, jittered within [half, all], never under the server's retry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, type BackoffPolicy } from '../../src/flow/backoff.js';

const POLICY: BackoffPolicy = { initialDelayMs: 100, maxDelayMs: 1000, factor: 2, maxAttempts: 5 };

test('grows exponentially up to the cap, jittered between half and all of it', () => {
  assert.equal(backoffDelay(POLICY, 0, 0, () => 0), 50);
  assert.equal(backoffDelay(POLICY, 0, 0, () => 1), 100);
  assert.equal(backoffDelay(POLICY, 3, 0, () => 1), 800);
  assert.equal(backoffDelay(POLICY, 10, 0, () => 1), 1000, 'capped');
  assert.equal(backoffDelay(POLICY, 10, 0, () => 0), 500);
});

test("never sooner than the server's retry", () => {
  assert.equal(backoffDelay(POLICY, 0, 3000, () => 0.5), 3000);
  assert.equal(backoffDelay(POLICY, 4, 10, () => 1), 1000);
});
