/**
 * A bounded queue with an explicit overflow policy: the one place where
 * sluice decides what happens to an item that arrives while a queue is full.
 *
 * - `block`: the arriving item is refused (`offer()` says so) and the caller
 *   waits elsewhere: sluice's producers wait on their stream log, not here;
 * - `drop-newest`: the arriving item is dropped;
 * - `drop-oldest`: the oldest queued item is dropped to make room;
 * - `coalesce-latest`: the queue holds only the newest item; an arriving one
 *   replaces whatever waits (its capacity is 1 whatever is asked).
 *
 * A capacity of 0 (not for `block`) is a queue nothing waits in: every item
 * offered is dropped. Every drop is counted in {@link BoundedQueue.dropped}. Used by the partial
 * emitter and the progress reporter (server) and by the call iterator
 * (client).
 *
 * @module
 */
import { Deque } from './deque.js';

export type OverflowPolicy = 'block' | 'drop-newest' | 'drop-oldest' | 'coalesce-latest';

export class BoundedQueue<T> {
  readonly capacity: number;
  readonly policy: OverflowPolicy;
  readonly #items = new Deque<T>();
  #dropped = 0;

  constructor(capacity: number, policy: OverflowPolicy) {
    // 0 is a queue nothing waits in (every item that arrives while something is pending is dropped); not for `block`.
    const min = policy === 'block' ? 1 : 0;
    if (!Number.isInteger(capacity) || capacity < min) throw new RangeError(`capacity must be an integer >= ${min}; got ${capacity}`);
    this.capacity = policy === 'coalesce-latest' ? 1 : capacity;
    this.policy = policy;
  }

  get length(): number {
    return this.#items.length;
  }

  get full(): boolean {
    return this.#items.length >= this.capacity;
  }

  /** Items the policy dropped so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Adds an item without waiting, as the policy says: whether it is now
   * queued (`false`: dropped, or refused by a full `block` queue).
   */
  offer(item: T): boolean {
    if (!this.full) {
      this.#items.push(item);
      return true;
    }
    switch (this.policy) {
      case 'block':
        return false;
      case 'drop-newest':
        this.#dropped++;
        return false;
      case 'drop-oldest':
        this.#dropped++;
        if (this.capacity === 0) return false;
        this.#items.shift();
        this.#items.push(item);
        return true;
      case 'coalesce-latest':
        this.#items.replaceLast(item);
        this.#dropped++;
        return true;
    }
  }

  /** Takes the oldest item. */
  shift(): T | undefined {
    return this.#items.shift();
  }

  /** Drops every queued item (not counted as dropped by policy). */
  clear(): void {
    this.#items.clear();
  }
}
