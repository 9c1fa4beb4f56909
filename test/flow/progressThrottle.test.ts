// Guards the progress contract: only strictly increasing values, at most one
// per window, the newest value never lost. Without the throttle a tool that
// reports 10,000 steps floods the client; without the coalescing the final
// value (100%) would be dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgressThrottle } from '../../src/flow/progressThrottle.js';

test('sends the first update at once and holds the next until its window opens', () => {
  const t = new ProgressThrottle(5); // one per 200 ms
  assert.deepEqual(t.offer({ progress: 1 }, 0), { kind: 'send', update: { progress: 1 } });
  assert.deepEqual(t.offer({ progress: 2 }, 50), { kind: 'held', flushAt: 200 });
  assert.equal(t.due(199), undefined);
  assert.deepEqual(t.due(200), { progress: 2 });
});

test('coalesces: only the newest held update is released', () => {
  const t = new ProgressThrottle(5);
  t.offer({ progress: 1 }, 0);
  t.offer({ progress: 2, message: 'two' }, 10);
  t.offer({ progress: 3, message: 'three' }, 20);
  assert.deepEqual(t.due(200), { progress: 3, message: 'three' });
  assert.equal(t.hasPending, false);
});

test('drops values that do not increase, sent or pending', () => {
  const t = new ProgressThrottle(5);
  t.offer({ progress: 5 }, 0);
  assert.deepEqual(t.offer({ progress: 5 }, 300), { kind: 'stale' });
  assert.deepEqual(t.offer({ progress: 4 }, 300), { kind: 'stale' });
  t.offer({ progress: 7 }, 300);
  t.offer({ progress: 9 }, 310);
  assert.deepEqual(t.offer({ progress: 8 }, 320), { kind: 'stale' });
  assert.deepEqual(t.offer({ progress: Number.NaN }, 320), { kind: 'stale' });
});

test('flush releases the last value regardless of the window', () => {
  const t = new ProgressThrottle(1);
  t.offer({ progress: 1 }, 0);
  t.offer({ progress: 100, total: 100 }, 1);
  assert.deepEqual(t.flush(2), { progress: 100, total: 100 });
  assert.equal(t.flush(3), undefined);
});

test('a rate of 0 releases every increasing update', () => {
  const t = new ProgressThrottle(0);
  for (let i = 1; i <= 1000; i++) assert.equal(t.offer({ progress: i }, 0).kind, 'send');
});

test('10,000 updates over 10 s at 5/s release about 50 and always the last', () => {
  const t = new ProgressThrottle(5);
  const released: number[] = [];
  for (let i = 1; i <= 10_000; i++) {
    const now = i; // one update per ms
    const due = t.due(now);
    if (due !== undefined) released.push(due.progress);
    const outcome = t.offer({ progress: i }, now);
    if (outcome.kind === 'send') released.push(outcome.update.progress);
  }
  const last = t.flush(10_001);
  if (last !== undefined) released.push(last.progress);
  assert.equal(released.at(-1), 10_000);
  assert.ok(released.length <= 52, `released ${released.length}`);
  assert.deepEqual([...released].sort((a, b) => a - b), released);
});

test('rejects an invalid rate', () => {
  assert.throws(() => new ProgressThrottle(-1), RangeError);
});
