/**
 * Head/tail buffer: keeps the first `headChars` and the last `tailChars` of a
 * text of any length in finite memory, and counts what it left out.
 *
 * Used for a script's output (head and tail of the result) and its stderr
 * (tail only). Policy when full: the middle is dropped, never the ends.
 *
 * @module
 */

export class HeadTailBuffer {
  readonly #headChars: number;
  readonly #tailChars: number;
  #head = '';
  #tail = '';
  #omitted = 0;

  constructor(headChars: number, tailChars: number) {
    if (!Number.isInteger(headChars) || headChars < 0 || !Number.isInteger(tailChars) || tailChars < 0) {
      throw new RangeError(`headChars and tailChars must be integers >= 0; got ${headChars}, ${tailChars}`);
    }
    this.#headChars = headChars;
    this.#tailChars = tailChars;
  }

  /** Characters left out between head and tail. */
  get omittedChars(): number {
    return this.#omitted;
  }

  /** Appends text. */
  push(text: string): void {
    if (this.#head.length < this.#headChars) {
      const room = this.#headChars - this.#head.length;
      this.#head += text.slice(0, room);
      text = text.slice(room);
      if (text.length === 0) return;
    }
    const joined = this.#tail + text;
    const overflow = joined.length - this.#tailChars;
    if (overflow > 0) {
      this.#omitted += overflow;
      this.#tail = joined.slice(overflow);
    } else {
      this.#tail = joined;
    }
  }

  /** The kept text; `marker(n)` is placed where `n` characters were left out. */
  text(marker: (omitted: number) => string = (n) => `\n… ${n} characters omitted …\n`): string {
    return this.#omitted > 0 ? this.#head + marker(this.#omitted) + this.#tail : this.#head + this.#tail;
  }
}
