// Activity: what the watchers (metrics, dashboard, logs) read. Guards against: a call that stays
// "running" after it ended, an outcome or cause counted twice, totals that miss a stream kind,
// a listener that throws breaking the call's end, and unread bytes read from the wrong place.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Activity, type EndedCall } from '../../src/server/activity.js';
import type { StreamPressure } from '../../src/stores/eventLog.js';

test('a call is listed while it runs, ends once, and listeners hear it with its duration', () => {
  let now = 1000;
  const activity = new Activity(() => now);
  const heard: EndedCall[] = [];
  activity.onCallEnd(() => {
    throw new Error('a broken listener');
  });
  activity.onCallEnd((call) => heard.push(call));
  const call = activity.startCall({ tool: 'count', stream: 'session', session: 's1' });
  call.progress(3, 10, 'three');
  call.output(5);
  call.dropped('drop-oldest', 2);
  assert.deepEqual(
    activity.calls().map((c) => [c.tool, c.progress, c.total, c.message, c.outputBytes, c.dropped, c.session]),
    [['count', 3, 10, 'three', 5, 2, 's1']],
  );
  now = 1250;
  call.end('cancelled', 'client');
  call.end('ok');
  call.progress(4, 10, 'late');
  assert.deepEqual(activity.calls(), []);
  assert.equal(heard.length, 1);
  assert.equal(heard[0]!.durationMs, 250);
  assert.equal(heard[0]!.outcome, 'cancelled');
  assert.equal(heard[0]!.cause, 'client');
  assert.deepEqual(activity.callTotals.get('count'), { ok: 0, error: 0, cancelled: 1 });
  assert.equal(activity.cancellations.client, 1);
  assert.equal(activity.streamTotals.session.drops['drop-oldest'], 2);
});

test('a cause is kept only for cancelled calls; a task call counts no stream drops', () => {
  const activity = new Activity();
  const heard: EndedCall[] = [];
  activity.onCallEnd((call) => heard.push(call));
  activity.startCall({ tool: 't', stream: 'exchange' }).end('error', 'timeout');
  const task = activity.startCall({ tool: 't', stream: 'task', task: 'task-1' });
  task.dropped('drop-newest', 3);
  task.end('ok');
  assert.equal(heard[0]!.cause, undefined);
  assert.equal(activity.cancellations.timeout, 0);
  assert.deepEqual(activity.callTotals.get('t'), { ok: 1, error: 1, cancelled: 0 });
  for (const totals of Object.values(activity.streamTotals)) assert.equal(totals.drops['drop-newest'], 0);
});

test('streams: bytes and events sent, a resumption counted once, replays, unread bytes read live from the log', () => {
  const activity = new Activity();
  let unread = 100;
  const pressure = { get full() {
    return unread >= 64;
  }, get unreadBytes() {
    return unread;
  } } as StreamPressure;
  const stream = activity.openStream({ kind: 'session', session: 's1', pressure, highWaterBytes: 64 });
  stream.resumed();
  stream.resumed();
  stream.sent(10);
  stream.replayed();
  stream.sent(20);
  assert.deepEqual(
    activity.streams().map((s) => [s.kind, s.bytesSent, s.eventsSent, s.unreadBytes, s.full, s.replayed, s.resumed]),
    [['session', 30, 2, 100, true, 1, true]],
  );
  unread = 0;
  assert.equal(activity.streams()[0]!.full, false);
  activity.tooLate('session');
  stream.close();
  assert.deepEqual(activity.streams(), []);
  assert.deepEqual({ ...activity.streamTotals.session, drops: undefined }, { bytes: 30, events: 2, resumptions: 1, replays: 1, tooLate: 1, drops: undefined });
  assert.equal(activity.streamTotals.exchange.bytes, 0);
});

test('script processes are listed until they exit', () => {
  const activity = new Activity(() => 5);
  const exited = activity.scriptStarted(4242, 'build');
  assert.deepEqual(activity.scripts(), [{ pid: 4242, tool: 'build', startedAt: 5 }]);
  exited();
  assert.deepEqual(activity.scripts(), []);
});
