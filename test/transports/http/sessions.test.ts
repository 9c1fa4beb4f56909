// Guards session lifetimes with a fake clock: idle sessions expire after the
// TTL, busy ones never do; a full registry evicts the longest-idle session or
// refuses when all are busy; an ended session is never brought back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Session } from '../../../src/transports/http/sessions.js';
import { SessionRegistry } from '../../../src/transports/http/sessions.js';
import { MemoryEventLog } from '../../../src/stores/memory/memoryEventLog.js';
import { FakeClock } from '../../helpers/fakeClock.js';

const recordOf = (id: string) => ({ id, protocolVersion: '2025-11-25', initialize: {} });

/** Lets the registry's store calls (promises) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function fakeSession(id: string, closed: string[]): Session {
  const closer = { close: async () => void closed.push(id) };
  return { id, transport: closer, server: closer, log: new MemoryEventLog(), clientCapabilities: undefined, ended: new AbortController(), busy: 0, lastSeen: 0 } as unknown as Session;
}

test('idle sessions expire after the TTL; busy ones stay', async () => {
  const clock = new FakeClock();
  const closed: string[] = [];
  const registry = new SessionRegistry({ ttlMs: 1000, max: 10 }, clock);
  const idle = fakeSession('idle', closed);
  const busy = fakeSession('busy', closed);
  await registry.add(idle, recordOf('idle'));
  await registry.add(busy, recordOf('busy'));
  busy.busy = 1;
  clock.advance(999);
  await settle();
  assert.equal(registry.size, 2);
  clock.advance(500);
  await settle();
  assert.equal(registry.get('idle'), undefined);
  assert.ok(registry.get('busy'));
  assert.ok(closed.includes('idle'));
  await registry.closeAll();
  assert.equal(clock.pendingTimers, 0);
});

test('touch keeps a session alive', async () => {
  const clock = new FakeClock();
  const registry = new SessionRegistry({ ttlMs: 1000, max: 10 }, clock);
  const s = fakeSession('s', []);
  await registry.add(s, recordOf('s'));
  for (let i = 0; i < 5; i++) {
    clock.advance(600);
    registry.touch(s);
    await settle();
  }
  assert.ok(registry.get('s'));
});

test('when full, the longest-idle session is evicted; when all are busy, admission is refused', async () => {
  const clock = new FakeClock();
  const closed: string[] = [];
  const registry = new SessionRegistry({ ttlMs: 60_000, max: 2 }, clock);
  const a = fakeSession('a', closed);
  const b = fakeSession('b', closed);
  await registry.add(a, recordOf('a'));
  clock.advance(10);
  await registry.add(b, recordOf('b'));
  clock.advance(10);
  registry.touch(a); // b is now the longest idle
  await settle();
  assert.deepEqual(await registry.admit(), { ok: true });
  assert.equal(registry.get('b'), undefined);
  const c = fakeSession('c', closed);
  assert.equal(await registry.add(c, recordOf('c')), true);
  a.busy = 1;
  c.busy = 1;
  assert.equal((await registry.admit()).ok, false);
  assert.equal(await registry.add(fakeSession('d', closed), recordOf('d')), false, 'the cap holds at creation too');
});

test('an ended session is never resurrected by a late touch', async () => {
  const registry = new SessionRegistry({}, new FakeClock());
  const s = fakeSession('s', []);
  await registry.add(s, recordOf('s'));
  await registry.end('s');
  registry.touch(s);
  assert.equal(registry.get('s'), undefined);
  assert.equal(registry.size, 0);
});

test('one sweep ends every expired session, however many (the store answers in batches)', async () => {
  const clock = new FakeClock();
  const closed: string[] = [];
  const registry = new SessionRegistry({ ttlMs: 60_000, max: 1000 }, clock);
  for (let i = 0; i < 250; i++) await registry.add(fakeSession(`s${i}`, closed), recordOf(`s${i}`));
  const busy = fakeSession('busy', closed);
  await registry.add(busy, recordOf('busy'));
  busy.busy = 1;
  clock.advance(60_001);
  await registry.sweep();
  assert.equal(new Set(closed).size, 250, 'all 250 expired sessions were ended');
  assert.equal(registry.size, 1, 'the busy one stays');
  await registry.closeAll();
});

test('a quiet session hibernates after hibernateMs and still expires at its TTL; one with work in flight stays awake', async () => {
  const clock = new FakeClock();
  const closed: string[] = [];
  const registry = new SessionRegistry({ ttlMs: 10_000, max: 10, hibernateMs: 1000 }, clock);
  const quiet = fakeSession('quiet', closed);
  const working = fakeSession('working', closed);
  Object.assign(quiet.transport, { quiet: true });
  Object.assign(working.transport, { quiet: false });
  await registry.add(quiet, recordOf('quiet'));
  await registry.add(working, recordOf('working'));
  clock.advance(999);
  await settle();
  assert.equal(registry.hibernating, 0);
  clock.advance(500);
  await settle();
  assert.equal(registry.get('quiet'), undefined, 'its live objects are released');
  assert.deepEqual(closed, ['quiet', 'quiet'], 'transport and server closed');
  assert.ok(registry.get('working'));
  assert.equal(registry.size, 2);
  assert.equal(registry.hibernating, 1);
  for (let i = 0; i < 40; i++) {
    clock.advance(250); // one sweep each (a sweep arms the next when it is done)
    await settle();
  }
  assert.equal(registry.size, 0, 'both expired at the TTL');
  assert.equal(registry.hibernating, 0);
});
