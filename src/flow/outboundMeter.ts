/**
 * Outbound meter: how much of what a producer wrote to one stream has not yet
 * reached the consumer, in bytes, with a high-water mark.
 *
 * Producers call `produced(bytes)` per message and `await room()` before
 * writing more; the consumer side calls `delivered()` once per message it
 * passed on (matched one-to-one, oldest first, so estimates never drift).
 * `room()` resolves while the backlog is under the high-water mark, and
 * always once the meter is closed (the stream ended: nothing left to wait
 * for). One signal for producers: the awaited promise.
 *
 * @module
 */

export class OutboundMeter {
  readonly highWaterBytes: number;
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #closed = false;
  #waiters: Array<() => void> = [];

  constructor(highWaterBytes: number) {
    if (!Number.isInteger(highWaterBytes) || highWaterBytes < 1) {
      throw new RangeError(`highWaterBytes must be an integer >= 1; got ${highWaterBytes}`);
    }
    this.highWaterBytes = highWaterBytes;
  }

  /** Bytes written by producers and not yet delivered. */
  get bufferedBytes(): number {
    return this.#bytes;
  }

  /** Messages written by producers and not yet delivered. */
  get bufferedMessages(): number {
    return this.#sizes.length - this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a producer would have to wait now. */
  get full(): boolean {
    return !this.#closed && this.#bytes >= this.highWaterBytes;
  }

  /** A producer wrote one message of `bytes`. */
  produced(bytes: number): void {
    if (this.#closed) return;
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  /** The consumer passed on the oldest outstanding message. */
  delivered(): void {
    if (this.#head >= this.#sizes.length) return;
    this.#bytes -= this.#sizes[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#sizes.length) {
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    if (!this.full) this.#wake();
  }

  /** Resolves when there is room under the high-water mark (at once if there is). */
  room(): Promise<void> {
    if (!this.full) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The stream ended: release every waiter, accept nothing more. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
