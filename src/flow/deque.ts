/**
 * A FIFO queue over an array with a moving head: the
 * one sluice uses wherever items leave from the front. `shift()` is O(1)
 * amortized (the array is compacted once more than half of it is dead and at
 * least {@link COMPACT_AFTER} slots are), unlike `Array.prototype.shift()`,
 * which moves every remaining item. A shifted slot is cleared at once, so a
 * large item is released as soon as it leaves.
 *
 * @module
 */

/** Compact once this many slots at the front are dead and they are over half of the array. */
const COMPACT_AFTER = 1024;

export class Deque<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The item `index` places from the front (`undefined` past the end). */
  at(index: number): T | undefined {
    return index < 0 ? undefined : this.#items[this.#head + index];
  }

  peek(): T | undefined {
    return this.at(0);
  }

  /** The newest item. */
  last(): T | undefined {
    return this.length === 0 ? undefined : this.#items[this.#items.length - 1];
  }

  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** Replaces the newest item (there must be one). */
  replaceLast(item: T): void {
    this.#items[this.#items.length - 1] = item;
  }

  /** Removes the first item equal to `item` (O(n)); whether there was one. */
  remove(item: T): boolean {
    const at = this.#items.indexOf(item, this.#head);
    if (at === -1) return false;
    this.#items.splice(at, 1);
    return true;
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }
}
