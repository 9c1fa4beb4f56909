// Guards the 2025-era event log: bounded by count, bytes and age (the SDK's
// example store never forgets), replay in order after a Last-Event-ID, and
// refusal of ids it cannot honour instead of a silent partial replay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { MemoryEventStore } from '../../../src/stores/memory/memoryEventStore.js';
import { FakeClock } from '../../helpers/fakeClock.js';

const msg = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: n } });

async function replay(store: MemoryEventStore, after: string) {
  const seen: Array<[string, number]> = [];
  const stream = await store.replayEventsAfter(after, {
    send: async (id, m) => {
      seen.push([id, (m as unknown as { params: { progress: number } }).params.progress]);
    },
  });
  return { stream, seen };
}

test('replays the events after an id, in order, on that stream only', async () => {
  const store = new MemoryEventStore();
  const a1 = await store.storeEvent('A', msg(1));
  await store.storeEvent('B', msg(100));
  await store.storeEvent('A', msg(2));
  await store.storeEvent('A', msg(3));
  const { stream, seen } = await replay(store, a1);
  assert.equal(stream, 'A');
  assert.deepEqual(seen.map((s) => s[1]), [2, 3]);
  assert.equal(await store.getStreamIdForEventId(a1), 'A');
});

test('skips the priming event ({}) on replay', async () => {
  const store = new MemoryEventStore();
  const priming = await store.storeEvent('A', {} as JSONRPCMessage);
  await store.storeEvent('A', msg(1));
  const { seen } = await replay(store, priming);
  assert.deepEqual(seen.map((s) => s[1]), [1]);
});

test('count bound: the oldest events go, and an id older than the log is refused', async () => {
  const store = new MemoryEventStore({ maxEvents: 3 });
  const first = await store.storeEvent('A', msg(1));
  const second = await store.storeEvent('A', msg(2));
  for (let i = 3; i <= 6; i++) await store.storeEvent('A', msg(i));
  assert.equal(store.size, 3);
  await assert.rejects(replay(store, first), /older than the event log/);
  // The id just before the window still replays the whole window.
  const third = `${second.slice(0, second.lastIndexOf('_'))}_3`;
  const { seen } = await replay(store, third);
  assert.deepEqual(seen.map((s) => s[1]), [5, 6]);
});

test('byte bound', async () => {
  const store = new MemoryEventStore({ maxBytes: 3 * JSON.stringify(msg(1)).length });
  for (let i = 1; i <= 9; i++) await store.storeEvent('A', msg(i));
  assert.equal(store.size, 3);
});

test('age bound, with a fake clock', async () => {
  const clock = new FakeClock();
  const store = new MemoryEventStore({ maxAgeMs: 1000 }, clock);
  const old = await store.storeEvent('A', msg(1));
  clock.advance(100);
  await store.storeEvent('A', msg(2));
  clock.advance(1500);
  const last = await store.storeEvent('A', msg(3));
  assert.equal(store.size, 1); // 1 and 2 aged out
  // The client saw 1; 2 is gone: replaying would leave a gap, so it is refused.
  await assert.rejects(replay(store, old), /older than the event log/);
  clock.advance(5000);
  await assert.rejects(replay(store, last), /Unknown Last-Event-ID/);
  assert.equal(store.size, 0);
});

test('ids are never reused, even after a stream empties and is written again', async () => {
  const clock = new FakeClock();
  const store = new MemoryEventStore({ maxAgeMs: 10 }, clock);
  const before = await store.storeEvent('A', msg(1));
  clock.advance(100);
  const after = await store.storeEvent('A', msg(2));
  assert.notEqual(before, after);
});

test('refuses malformed and foreign ids', async () => {
  const store = new MemoryEventStore();
  await store.storeEvent('A', msg(1));
  await assert.rejects(replay(store, 'garbage'), /Unknown/);
  await assert.rejects(replay(store, 'Z_0'), /Unknown/);
});

test('stream bound: the oldest stream goes first, and its ids are then unknown', async () => {
  const store = new MemoryEventStore({ maxStreams: 2 });
  const a = await store.storeEvent('A', msg(1));
  await store.storeEvent('B', msg(2));
  await store.storeEvent('C', msg(3));
  assert.equal(store.streams, 2);
  assert.equal(store.size, 2);
  await assert.rejects(replay(store, a), /Unknown/);
});

test('many streams and events stay bounded and cheap (no per-store scan per event)', async () => {
  const clock = new FakeClock();
  const store = new MemoryEventStore({ maxAgeMs: 1000, maxStreams: 100, maxEvents: 10 }, clock);
  const started = performance.now();
  for (let i = 0; i < 100_000; i++) {
    await store.storeEvent(`s${i % 500}`, msg(i));
    clock.advance(1);
  }
  assert.ok(store.streams <= 100);
  assert.ok(store.size <= 1000);
  // 100,000 stores: a scan of every stream per store would take far longer than this generous bound.
  assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
});

test('the session bound: many finished streams hold at most maxSessionBytes, the oldest go first', async () => {
  const store = new MemoryEventStore({ maxSessionBytes: 10_000 });
  const big = { jsonrpc: '2.0', id: 1, result: { text: 'x'.repeat(900) } } as const;
  const ids: string[] = [];
  for (let stream = 0; stream < 50; stream++) ids.push(await store.storeEvent(`s${stream}`, big as never));
  assert.ok(store.bytes <= 10_000, `held ${store.bytes} bytes`);
  assert.ok(store.streams < 50 && store.streams >= 9, `kept the newest streams (${store.streams})`);
  assert.equal(store.replayable(ids[0]!), 'expired', 'an evicted stream answers too late, never a gap');
  assert.equal(store.replayable(ids.at(-1)!), 'ok');
  const one = new MemoryEventStore({ maxSessionBytes: 3000, maxBytes: 1_000_000 });
  for (let i = 0; i < 20; i++) await one.storeEvent('only', big as never);
  assert.ok(one.bytes <= 3000, 'a single stream is bounded by the session too');
});
