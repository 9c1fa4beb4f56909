// Guards the limit on concurrent script processes: never more than `max`
// holders, waiters served in order, a full queue refused at once with its own
// error, an aborted waiter leaves the queue and never gets a slot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConcurrencyLimit, ConcurrencyLimitFullError } from '../../src/flow/concurrencyLimit.js';

test('at most max at once; waiters in arrival order; a full queue is refused at once', async () => {
  const limit = new ConcurrencyLimit(2, 2);
  const a = await limit.acquire();
  const b = await limit.acquire();
  const order: string[] = [];
  const c = limit.acquire().then((release) => (order.push('c'), release));
  const d = limit.acquire().then((release) => (order.push('d'), release));
  await assert.rejects(limit.acquire(), (e: unknown) => e instanceof ConcurrencyLimitFullError && e.running === 2 && e.waiting === 2);
  assert.equal(limit.running, 2);
  a();
  a(); // idempotent: frees one slot, not two
  const releaseC = await c;
  assert.deepEqual(order, ['c']);
  assert.equal(limit.running, 2);
  b();
  const releaseD = await d;
  assert.deepEqual(order, ['c', 'd']);
  releaseC();
  releaseD();
  assert.equal(limit.running, 0);
  assert.equal(limit.waiting, 0);
});

test('an aborted waiter leaves the queue and the slot goes to the next', async () => {
  const limit = new ConcurrencyLimit(1, 5);
  const first = await limit.acquire();
  const controller = new AbortController();
  const aborted = limit.acquire(controller.signal);
  const next = limit.acquire();
  controller.abort(new Error('gone'));
  await assert.rejects(aborted, /gone/);
  assert.equal(limit.waiting, 1);
  first();
  const release = await next;
  assert.equal(limit.running, 1);
  release();
  await assert.rejects(limit.acquire(AbortSignal.abort(new Error('already'))), /already/);
});
