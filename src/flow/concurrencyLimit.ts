/**
 * Concurrency limit: at most `max` holders at once, later arrivals wait in a
 * bounded FIFO queue.
 *
 * Policy when the queue is full too: refuse at once with
 * {@link ConcurrencyLimitFullError} (the caller answers "busy"). A waiter
 * whose signal aborts leaves the queue; a slot is handed straight to the next
 * waiter when released, so nobody can overtake the queue.
 *
 * @module
 */
import { Deque } from './deque.js';

/** The limit is reached and its queue is full. */
export class ConcurrencyLimitFullError extends Error {
  constructor(
    readonly running: number,
    readonly waiting: number,
  ) {
    super(`${running} running and ${waiting} waiting, the most allowed`);
    this.name = 'ConcurrencyLimitFullError';
  }
}

interface Waiter {
  readonly grant: () => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

export class ConcurrencyLimit {
  readonly max: number;
  readonly maxWaiting: number;
  #running = 0;
  readonly #queue = new Deque<Waiter>();

  constructor(max: number, maxWaiting: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1; got ${max}`);
    if (!Number.isInteger(maxWaiting) || maxWaiting < 0) throw new RangeError(`maxWaiting must be an integer >= 0; got ${maxWaiting}`);
    this.max = max;
    this.maxWaiting = maxWaiting;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Resolves with a release function once a slot is held. Rejects with
   * {@link ConcurrencyLimitFullError} when the queue is full, or with the
   * signal's reason when it aborts first. `release` is idempotent.
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.#running < this.max && this.waiting === 0) {
      this.#running++;
      return Promise.resolve(this.#releaser());
    }
    if (this.waiting >= this.maxWaiting) return Promise.reject(new ConcurrencyLimitFullError(this.#running, this.waiting));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => resolve(this.#releaser()),
        signal,
        onAbort: () => {
          this.#queue.remove(waiter);
          reject(signal!.reason);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next === undefined) {
        this.#running--;
        return;
      }
      // Hand the slot over: `running` stays the same.
      next.signal?.removeEventListener('abort', next.onAbort);
      next.grant();
    };
  }
}
