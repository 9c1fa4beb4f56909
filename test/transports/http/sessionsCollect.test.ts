// What the session registry's sweeps ask of the garbage collector. Guards
// against: released sessions never collected on an idle server (what they
// held stays in its RSS until a thousand more are released), and no quiet
// collection after that (V8 keeps its young generation grown). Its own file:
// the process-wide pacer takes the runtime's `gc` when first used, so the spy
// must be in place before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Session } from '../../../src/transports/http/sessions.js';
import { SessionRegistry } from '../../../src/transports/http/sessions.js';
import { MemoryEventLog } from '../../../src/stores/memory/memoryEventLog.js';
import { FakeClock } from '../../helpers/fakeClock.js';

const collections: unknown[] = [];
(globalThis as { gc?: unknown }).gc = (options: unknown) => collections.push(options);

const settle = () => new Promise((resolve) => setImmediate(resolve));
function quietSession(id: string): Session {
  const closer = { close: async () => {}, quiet: true };
  return { id, transport: closer, server: closer, log: new MemoryEventLog(), clientCapabilities: undefined, ended: new AbortController(), busy: 0, lastSeen: 0 } as unknown as Session;
}

test('once the releases stop, the next sweep collects what the last ones released', async () => {
  const clock = new FakeClock();
  const registry = new SessionRegistry({ ttlMs: 60_000, max: 10, hibernateMs: 1000 }, clock);
  for (const id of ['a', 'b']) await registry.add(quietSession(id), { id, protocolVersion: '2025-11-25', initialize: {} });
  const sweep = async () => {
    clock.advance(250); // one sweep (each arms the next when it is done)
    await settle();
  };
  for (let i = 0; i < 20 && registry.hibernating < 2; i++) await sweep(); // the sweep that hibernates both: far below the pacer's threshold
  assert.equal(registry.hibernating, 2);
  assert.deepEqual(collections, [], 'not yet: more may follow');
  await sweep(); // the next one releases nothing
  assert.deepEqual(collections, [{ type: 'major', execution: 'async' }]);
  await sweep();
  assert.equal(collections.length, 1, 'once, not every sweep');
  // Five quiet seconds later (DEFAULT_QUIET_COLLECT_AFTER_MS), once more; then no more.
  for (let i = 0; i < 20; i++) await sweep();
  assert.equal(collections.length, 2, 'the quiet collection');
  for (let i = 0; i < 40; i++) await sweep();
  assert.equal(collections.length, 2, 'and no more');
  await registry.closeAll();
});

test('the sweep that ends the last sessions collects at once, then sweeps only until its quiet collection', async () => {
  collections.length = 0;
  const clock = new FakeClock();
  const registry = new SessionRegistry({ ttlMs: 1000, max: 10, hibernateMs: 60_000 }, clock);
  await registry.add(quietSession('c'), { id: 'c', protocolVersion: '2025-11-25', initialize: {} });
  for (let i = 0; i < 20 && registry.size > 0; i++) {
    clock.advance(250);
    await settle();
  }
  assert.equal(registry.size, 0, 'expired at its TTL');
  assert.deepEqual(collections, [{ type: 'major', execution: 'async' }]);
  assert.equal(clock.pendingTimers, 1, 'one sweep still armed: the quiet collection is to come');
  for (let i = 0; i < 40 && clock.pendingTimers > 0; i++) {
    clock.advance(250);
    await settle();
  }
  assert.equal(collections.length, 2, 'the quiet collection');
  assert.equal(clock.pendingTimers, 0, 'then no sweep is armed');
  await registry.closeAll();
});
