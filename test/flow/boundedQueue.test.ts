// Guards the one bounded queue: each overflow policy does what its name says, counts what it
// drops, and the deque under it releases items as they leave and stays O(1) per shift.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedQueue } from '../../src/flow/boundedQueue.js';
import { Deque } from '../../src/flow/deque.js';

const drain = <T>(queue: BoundedQueue<T>) => {
  const out: T[] = [];
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
  return out;
};

test('drop-newest keeps the first items; drop-oldest keeps the last; both count drops', () => {
  const newest = new BoundedQueue<number>(3, 'drop-newest');
  const oldest = new BoundedQueue<number>(3, 'drop-oldest');
  for (let i = 0; i < 6; i++) {
    newest.offer(i);
    oldest.offer(i);
  }
  assert.deepEqual(drain(newest), [0, 1, 2]);
  assert.deepEqual(drain(oldest), [3, 4, 5]);
  assert.equal(newest.dropped, 3);
  assert.equal(oldest.dropped, 3);
});

test('coalesce-latest holds only the newest item, whatever capacity is asked', () => {
  const queue = new BoundedQueue<number>(16, 'coalesce-latest');
  for (let i = 0; i < 5; i++) assert.equal(queue.offer(i), true);
  assert.equal(queue.capacity, 1);
  assert.deepEqual(drain(queue), [4]);
  assert.equal(queue.dropped, 4);
});

test('block: a full queue refuses and drops nothing; the item goes in once one leaves', () => {
  const queue = new BoundedQueue<number>(1, 'block');
  assert.equal(queue.offer(1), true);
  assert.equal(queue.offer(2), false, 'full: refused, for the caller to wait elsewhere');
  assert.equal(queue.dropped, 0, 'block never drops');
  assert.equal(queue.shift(), 1);
  assert.equal(queue.offer(2), true);
  assert.deepEqual(drain(queue), [2]);
  assert.throws(() => new BoundedQueue<number>(0, 'block'), RangeError);
});

test('capacity 0: nothing waits in it; every item is dropped and counted', () => {
  const queue = new BoundedQueue<number>(0, 'drop-oldest');
  assert.equal(queue.offer(1), false);
  assert.equal(queue.length, 0);
  assert.equal(queue.dropped, 1);
});

test('the deque: FIFO with a moving head, index access, removal, and a bounded array under churn', () => {
  const deque = new Deque<number>();
  for (let i = 0; i < 5; i++) deque.push(i);
  assert.equal(deque.shift(), 0);
  assert.deepEqual([deque.at(0), deque.peek(), deque.last(), deque.length], [1, 1, 4, 4]);
  assert.equal(deque.remove(3), true);
  assert.deepEqual([deque.shift(), deque.shift(), deque.shift(), deque.shift()], [1, 2, 4, undefined]);
  const started = performance.now();
  const churn = new Deque<number>();
  for (let i = 0; i < 200_000; i++) {
    churn.push(i);
    if (i % 2 === 1) churn.shift();
  }
  assert.equal(churn.length, 100_000);
  assert.equal(churn.peek(), 100_000);
  assert.ok(performance.now() - started < 2000, 'shift is O(1): Array.prototype.shift here would take seconds');
});
