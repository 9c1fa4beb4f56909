/**
 * Byte budget: a shared allowance of bytes that many holders draw from, such
 * as request bodies buffered at the same time across every connection.
 *
 * Policy when exhausted: refuse (`take` returns `false`); the caller answers
 * "busy" instead of buffering more. Holders give back what they took, once.
 *
 * @module
 */

export class ByteBudget {
  readonly capacityBytes: number;
  #used = 0;

  constructor(capacityBytes: number) {
    if (!Number.isInteger(capacityBytes) || capacityBytes < 1) {
      throw new RangeError(`capacityBytes must be an integer >= 1; got ${capacityBytes}`);
    }
    this.capacityBytes = capacityBytes;
  }

  /** Bytes currently held. */
  get usedBytes(): number {
    return this.#used;
  }

  /** Takes `bytes` if they fit under the capacity; `false` (and nothing taken) otherwise. */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.capacityBytes) return false;
    this.#used += bytes;
    return true;
  }

  /** Gives back bytes taken earlier. */
  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}
