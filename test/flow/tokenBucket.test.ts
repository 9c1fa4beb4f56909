// The token bucket lets a burst through, then the rate, and counts what it refused.
// Guards against: a limiter that lets a flood through (a script printing to stderr in a loop
// would flood every client), one that never refills, and time going backwards adding tokens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenBucket } from '../../src/flow/tokenBucket.js';

test('a burst, then the rate; refusals are counted and reset when taken', () => {
  const bucket = new TokenBucket(10, 3);
  assert.deepEqual([0, 0, 0, 0, 0].map((t) => bucket.take(t)), [true, true, true, false, false]);
  assert.equal(bucket.takeRefused(), 2);
  assert.equal(bucket.takeRefused(), 0);
  assert.equal(bucket.take(50), false, 'half a token after 50 ms');
  assert.equal(bucket.take(100), true, 'one token after 100 ms');
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), true);
  assert.equal(bucket.take(10_000), false, 'never more than the burst');
  assert.equal(bucket.take(5_000), false, 'time going back adds nothing');
});

test('bad settings are clear errors', () => {
  assert.throws(() => new TokenBucket(0, 1), /perSecond/);
  assert.throws(() => new TokenBucket(1, 0), /burst/);
});
