// Guards the timed side of progress, with a fake clock: a held value goes out
// when its window opens (progress never stalls), finish() delivers the last
// value and waits for it, notifications go out in order one at a time, and
// after cancel() or finish() nothing more is sent and nothing throws.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProgressUpdate } from '../../src/flow/progressThrottle.js';
import { ProgressReporter } from '../../src/server/progress.js';
import { FakeClock } from '../helpers/fakeClock.js';

function recorder() {
  const sent: number[] = [];
  const send = async (u: ProgressUpdate) => {
    await Promise.resolve();
    sent.push(u.progress);
  };
  return { sent, send };
}
const tick = () => new Promise((r) => setImmediate(r));

test('a held value is released by the timer when its window opens', async () => {
  const clock = new FakeClock();
  const { sent, send } = recorder();
  const r = new ProgressReporter(send, 5, clock);
  r.report({ progress: 1 });
  r.report({ progress: 2 });
  r.report({ progress: 3 });
  await tick();
  assert.deepEqual(sent, [1]);
  clock.advance(200);
  await tick();
  assert.deepEqual(sent, [1, 3]);
});

test('finish() sends the last value before returning', async () => {
  const clock = new FakeClock();
  const { sent, send } = recorder();
  const r = new ProgressReporter(send, 1, clock);
  for (let i = 1; i <= 100; i++) r.report({ progress: i });
  await r.finish();
  assert.deepEqual(sent, [1, 100]);
  assert.equal(clock.pendingTimers, 0);
  r.report({ progress: 101 });
  await tick();
  assert.deepEqual(sent, [1, 100], 'nothing after the result');
});

test('cancel() stops everything, including a pending value', async () => {
  const clock = new FakeClock();
  const { sent, send } = recorder();
  const r = new ProgressReporter(send, 5, clock);
  r.report({ progress: 1 });
  r.report({ progress: 2 });
  r.cancel();
  clock.advance(1000);
  await r.finish();
  assert.deepEqual(sent, [1]);
});

test('a failing send (stream gone) never throws to the tool', async () => {
  const r = new ProgressReporter(() => Promise.reject(new Error('Not connected')), 0, new FakeClock());
  r.report({ progress: 1 });
  await r.finish();
});

test('without a progress token every call is a no-op', async () => {
  const clock = new FakeClock();
  const r = new ProgressReporter(undefined, 5, clock);
  r.report({ progress: 1 });
  r.report({ progress: 2 });
  await r.finish();
  assert.equal(r.sent, 0);
  assert.equal(clock.pendingTimers, 0);
});

test('one send at a time; while the transport holds one back, newer values coalesce to the latest', async () => {
  let active = 0;
  let maxActive = 0;
  const sent: number[] = [];
  const send = async (u: ProgressUpdate) => {
    active++;
    maxActive = Math.max(maxActive, active);
    await new Promise((r) => setImmediate(r));
    sent.push(u.progress);
    active--;
  };
  const r = new ProgressReporter(send, 0, new FakeClock());
  for (let i = 1; i <= 20; i++) r.report({ progress: i });
  await r.finish();
  assert.equal(maxActive, 1);
  assert.deepEqual(sent, [1, 20], 'a stalled transport costs one pending update, and the last one arrives');
});

test('heartbeat: after heartbeatMs of silence one update goes out, above the last value, saying the call still runs', async () => {
  const clock = new FakeClock();
  const updates: ProgressUpdate[] = [];
  const r = new ProgressReporter(async (u) => void updates.push(u), 0, clock, 1000);
  clock.advance(999);
  await tick();
  assert.equal(updates.length, 0, 'nothing before the interval');
  clock.advance(1);
  await tick();
  assert.equal(updates.length, 1);
  assert.ok(updates[0]!.progress > 0, 'strictly above the implicit start (0)');
  assert.match(updates[0]!.message ?? '', /still running after 1s; no new progress for 1s/);
  r.report({ progress: 5, total: 10 });
  await tick();
  clock.advance(600);
  await tick();
  assert.equal(updates.length, 2, 'real progress resets the interval');
  clock.advance(400);
  await tick();
  assert.equal(updates.length, 3);
  const beat = updates[2]!;
  assert.ok(beat.progress > 5 && beat.progress < 5.001, `a hair above the last value (${beat.progress})`);
  assert.equal(beat.total, 10, 'the total is kept');
  r.report({ progress: 6 });
  await tick();
  assert.equal(updates.at(-1)!.progress, 6, 'the next real value still goes out');
  assert.equal(r.heartbeats, 2);
  await r.finish();
  clock.advance(10_000);
  await tick();
  assert.equal(updates.length, 4, 'no heartbeat after finish');
  assert.equal(clock.pendingTimers, 0);
});

test('heartbeat off (0) and without a progress token: no timer at all', () => {
  const clock = new FakeClock();
  new ProgressReporter(async () => {}, 5, clock, 0);
  new ProgressReporter(undefined, 5, clock, 1000);
  assert.equal(clock.pendingTimers, 0);
});
