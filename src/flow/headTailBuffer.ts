/**
 * Head/tail buffer: keeps the first `headChars` and the last `tailChars` of a
 * text of any length in finite memory, and counts what it left out.
 *
 * Used for a script's output (head and tail of the result) and its stderr
 * (tail only). Policy when full: the middle is dropped, never the ends.
 *
 * Cost per `push` is O(1) amortized whatever the tail size: the tail is a
 * queue of the pushed pieces with a moving head, trimmed a whole piece at a
 * time, and joined only when {@link HeadTailBuffer.text} is asked for. (Keeping
 * it as one string meant copying the whole tail on every line: 0.5 s of CPU
 * per MiB of output once the tail was full.)
 *
 * @module
 */

export class HeadTailBuffer {
  readonly #headChars: number;
  readonly #tailChars: number;
  #head = '';
  /** Tail pieces; the live ones start at `#first`. */
  #pieces: string[] = [];
  #first = 0;
  /** Characters in the live pieces (may exceed `tailChars` by less than one piece). */
  #tailLength = 0;
  #dropped = 0;

  constructor(headChars: number, tailChars: number) {
    if (!Number.isInteger(headChars) || headChars < 0 || !Number.isInteger(tailChars) || tailChars < 0) {
      throw new RangeError(`headChars and tailChars must be integers >= 0; got ${headChars}, ${tailChars}`);
    }
    this.#headChars = headChars;
    this.#tailChars = tailChars;
  }

  /** Characters left out between head and tail. */
  get omittedChars(): number {
    return this.#dropped + Math.max(0, this.#tailLength - this.#tailChars);
  }

  /** Appends text. */
  push(text: string): void {
    if (this.#head.length < this.#headChars) {
      const room = this.#headChars - this.#head.length;
      this.#head += text.slice(0, room);
      text = text.slice(room);
      if (text.length === 0) return;
    }
    if (text.length > this.#tailChars) {
      // Only its end can survive: keep that, drop the rest now.
      this.#dropped += text.length - this.#tailChars;
      text = text.slice(text.length - this.#tailChars);
    }
    if (text.length === 0) return;
    this.#pieces.push(text);
    this.#tailLength += text.length;
    // Drop whole pieces from the front while the rest still covers the tail.
    while (this.#tailLength - this.#pieces[this.#first]!.length >= this.#tailChars) {
      const gone = this.#pieces[this.#first]!;
      this.#pieces[this.#first++] = '';
      this.#tailLength -= gone.length;
      this.#dropped += gone.length;
    }
    if (this.#first > 1024 && this.#first * 2 > this.#pieces.length) {
      this.#pieces = this.#pieces.slice(this.#first);
      this.#first = 0;
    }
  }

  /** The kept text; `marker(n)` is placed where `n` characters were left out. */
  text(marker: (omitted: number) => string = (n) => `\n… ${n} characters omitted …\n`): string {
    const joined = this.#pieces.slice(this.#first).join('');
    const tail = joined.length > this.#tailChars ? joined.slice(joined.length - this.#tailChars) : joined;
    const omitted = this.omittedChars;
    return omitted > 0 ? this.#head + marker(omitted) + tail : this.#head + tail;
  }
}
