/**
 * A push channel: several producers push, one consumer iterates, in the
 * order the pushes happened. Bounded with the `block` policy of
 * `boundedQueue.ts`: `push()` resolves once the item is queued, so a
 * producer that awaits it waits while `capacity` items are already waiting
 * for a slow consumer (the one signal for backpressure, as everywhere).
 *
 * `end()` finishes the iteration after what is queued; `fail(error)` makes
 * the iteration throw after what is queued; both are idempotent, and pushes
 * after them are ignored. A consumer that stops iterating (`return`) ends the
 * channel and releases every waiting producer.
 *
 * Used by the agent loop (`agent/`) to merge the model's stream and every
 * running tool's events into one ordered stream.
 *
 * @module
 */
import { BoundedQueue } from './boundedQueue.js';

export class PushChannel<T> implements AsyncIterable<T> {
  readonly #queue: BoundedQueue<T>;
  /** Producers waiting for room, oldest first. */
  readonly #waiting: Array<{ item: T; resolve: () => void }> = [];
  #wake: (() => void) | undefined;
  #done = false;
  #error: { error: unknown } | undefined;

  /** @param capacity - items queued for the consumer before producers wait (≥ 1) */
  constructor(capacity: number) {
    this.#queue = new BoundedQueue<T>(capacity, 'block');
  }

  /** Queues `item`; resolves once it is queued (at once when there is room). A no-op after `end`/`fail`. */
  push(item: T): Promise<void> {
    if (this.#done) return Promise.resolve();
    if (this.#waiting.length === 0 && this.#queue.offer(item)) {
      this.#notify();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ item, resolve }));
  }

  /** No more items: the iteration ends after what is queued. */
  end(): void {
    if (this.#done) return;
    this.#done = true;
    this.#notify();
  }

  /** The iteration throws `error` after what is queued. */
  fail(error: unknown): void {
    if (this.#done) return;
    this.#error = { error };
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    try {
      for (;;) {
        if (this.#queue.length > 0) {
          const item = this.#queue.shift() as T;
          this.#admitWaiting();
          yield item;
          continue;
        }
        if (this.#waiting.length > 0) {
          this.#admitWaiting();
          continue;
        }
        if (this.#done) {
          if (this.#error !== undefined) throw this.#error.error;
          return;
        }
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    } finally {
      // The consumer stopped: nothing will read what is queued or waiting.
      this.#done = true;
      for (const waiting of this.#waiting.splice(0)) waiting.resolve();
    }
  }

  /** Moves waiting producers' items into the room the consumer made. */
  #admitWaiting(): void {
    while (this.#waiting.length > 0 && this.#queue.offer(this.#waiting[0]!.item)) this.#waiting.shift()!.resolve();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
