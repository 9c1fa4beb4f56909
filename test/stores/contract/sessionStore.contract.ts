// The contract every SessionStore implementation passes unchanged (memory now, Redis next):
// records as data, activity order, idle queries for TTL and eviction, deletion that sticks.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SessionRecord, SessionStore } from '../../../src/stores/sessionStore.js';

const record = (id: string, at: number): SessionRecord => ({
  id,
  protocolVersion: '2025-11-25',
  initialize: { protocolVersion: '2025-11-25', capabilities: { partialResults: {} }, clientInfo: { name: 'c', version: '1' } },
  createdAt: at,
  lastSeen: at,
});

export function sessionStoreContract(name: string, make: () => SessionStore | Promise<SessionStore>): void {
  describe(`SessionStore contract: ${name}`, () => {
    test('a record comes back as stored, capabilities the SDK does not know included', async () => {
      const store = await make();
      await store.create(record('a', 1));
      assert.deepEqual(await store.get('a'), record('a', 1));
      assert.equal(await store.get('nobody'), undefined);
      assert.equal(await store.count(), 1);
    });

    test('idle: the longest idle first, only those idle since the cutoff, at most the limit', async () => {
      const store = await make();
      await store.create(record('a', 10));
      await store.create(record('b', 20));
      await store.create(record('c', 30));
      await store.touch('a', 40);
      assert.deepEqual(await store.idle(35, 10), ['b', 'c']);
      assert.deepEqual(await store.idle(35, 1), ['b']);
      assert.deepEqual(await store.idle(5, 10), []);
      assert.deepEqual(await store.ids(), ['b', 'c', 'a']);
      assert.equal((await store.get('a'))!.lastSeen, 40);
    });

    test('the cap holds at creation: a full store refuses a new session, not a known one', async () => {
      const store = await make();
      assert.equal(await store.create(record('a', 1), { max: 2 }), true);
      assert.equal(await store.create(record('b', 2), { max: 2 }), true);
      assert.equal(await store.create(record('c', 3), { max: 2 }), false);
      assert.equal(await store.get('c'), undefined);
      assert.equal(await store.touch('a', 4), true);
      assert.equal(await store.count(), 2);
    });

    test('delete sticks: a late touch does not bring a session back', async () => {
      const store = await make();
      await store.create(record('a', 1));
      assert.equal(await store.delete('a'), true);
      assert.equal(await store.delete('a'), false);
      assert.equal(await store.touch('a', 5), false, 'touch tells the session is gone');
      assert.equal(await store.get('a'), undefined);
      assert.equal(await store.count(), 0);
    });
  });
}
