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
  readonly #now: () => number;
  #fullSince: number | undefined;
  #onDisconnect: Array<(reason: string) => void> = [];

  /** @param now - time source for {@link OutboundMeter.stalledFor} (ms). */
  constructor(highWaterBytes: number, now: () => number = () => performance.now()) {
    if (!Number.isInteger(highWaterBytes) || highWaterBytes < 1) {
      throw new RangeError(`highWaterBytes must be an integer >= 1; got ${highWaterBytes}`);
    }
    this.highWaterBytes = highWaterBytes;
    this.#now = now;
  }

  /** How long the stream has been full without the consumer taking anything (ms; 0 when not full). */
  stalledFor(): number {
    return this.#fullSince === undefined || !this.full ? 0 : this.#now() - this.#fullSince;
  }

  /** Registers what ends the stream's connection when a producer gives up on a stalled consumer. */
  onDisconnect(listener: (reason: string) => void): void {
    this.#onDisconnect.push(listener);
  }

  /** Gives up on the consumer: closes the meter and asks the transport to drop the connection. Idempotent. */
  disconnect(reason: string): void {
    const listeners = this.#onDisconnect;
    this.#onDisconnect = [];
    this.close();
    for (const listener of listeners) listener(reason);
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
    if (this.full && this.#fullSince === undefined) this.#fullSince = this.#now();
  }

  /** The consumer passed on the oldest outstanding message. */
  delivered(): void {
    if (this.#head >= this.#sizes.length) return;
    this.#bytes -= this.#sizes[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#sizes.length) {
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    // Any delivery is progress: the stall clock restarts.
    this.#fullSince = this.full ? this.#now() : undefined;
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
