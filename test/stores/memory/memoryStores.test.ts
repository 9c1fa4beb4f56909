// The memory stores pass the store contracts (event log, sessions, tasks), and the memory log keeps its bounds cheap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventLogLimits } from '../../../src/stores/eventLogLimits.js';
import { MemoryEventLog, memoryEventLogs } from '../../../src/stores/memory/memoryEventLog.js';
import { MemorySessionStore } from '../../../src/stores/memory/memorySessionStore.js';
import { MemoryTaskStore } from '../../../src/stores/memory/memoryTaskStore.js';
import { eventLogContract } from '../contract/eventLog.contract.js';
import { sessionStoreContract } from '../contract/sessionStore.contract.js';
import { taskStoreContract } from '../contract/taskStore.contract.js';
import { FakeClock } from '../../helpers/fakeClock.js';

eventLogContract('memory', (options, clock) => new MemoryEventLog(options, clock));
sessionStoreContract('memory', () => new MemorySessionStore());
taskStoreContract('memory', (limits, clock) => new MemoryTaskStore(limits, clock));

test('many streams and events stay bounded and cheap (no per-log scan per event)', async () => {
  const clock = new FakeClock();
  const log = new MemoryEventLog({ limits: { maxAgeMs: 1000, maxStreams: 100, maxEvents: 10, maxBytes: 1 << 20, maxSessionBytes: 1 << 24 } }, clock);
  const streams: string[] = [];
  for (let i = 0; i < 100; i++) streams.push(await log.openStream());
  const readers = streams.map((s) => log.cursor(s, undefined));
  const started = performance.now();
  for (let i = 0; i < 100_000; i++) {
    const id = (await log.append(streams[i % 100]!, `{"n":${i}}`))!;
    readers[i % 100]!.delivered(id); // a client that keeps up: what it read is what the bounds may take
    clock.advance(1);
  }
  assert.ok(log.streams <= 100);
  assert.ok(log.size <= 1000, `held ${log.size} events`);
  assert.ok(performance.now() - started < 5000, `took ${performance.now() - started} ms`);
});

test('the bound over all streams holds bytes, not objects', async () => {
  const log = new MemoryEventLog({ limits: { maxSessionBytes: 10_000, maxEvents: 5000, maxAgeMs: 60_000, maxBytes: 1 << 20, maxStreams: 100 } });
  for (let i = 0; i < 50; i++) {
    const s = await log.openStream();
    await log.append(s, 'é'.repeat(450)); // 900 bytes as UTF-8
    await log.end(s);
  }
  assert.ok(log.bytes <= 10_000, `held ${log.bytes} bytes`);
  assert.ok(log.streams >= 9 && log.streams < 50, `kept the newest streams (${log.streams})`);
});

test('memoryEventLogs: a scope opens the same log until it is cleared, then a fresh one', async () => {
  const logs = memoryEventLogs();
  const options = { limits: eventLogLimits(), highWaterBytes: 1 << 20 };
  const first = logs.open('s', options);
  assert.equal(logs.open('s', options), first, 'a session that woke finds its streams');
  assert.notEqual(logs.open('other', options), first);
  await first.clear();
  assert.notEqual(logs.open('s', options), first, 'a cleared scope is forgotten (no log kept for an ended session)');
});
