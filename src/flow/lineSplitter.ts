/**
 * Line splitter: a pure state machine turning text chunks into lines.
 *
 * Handles `\n` and `\r\n`, lines split across chunks, and a final line without
 * a newline (released by {@link LineSplitter.flush}). Its buffer is finite: a
 * line longer than `maxLineChars` is released in pieces of that size, so a
 * script that never prints a newline cannot grow server memory.
 *
 * @module
 */

export class LineSplitter {
  readonly #maxLineChars: number;
  readonly #onLine: (line: string) => void;
  #buffer = '';

  constructor(onLine: (line: string) => void, maxLineChars: number) {
    if (!Number.isInteger(maxLineChars) || maxLineChars < 1) {
      throw new RangeError(`maxLineChars must be an integer >= 1; got ${maxLineChars}`);
    }
    this.#onLine = onLine;
    this.#maxLineChars = maxLineChars;
  }

  /** Feeds a chunk of text; calls `onLine` for every completed line. */
  feed(chunk: string): void {
    let text = this.#buffer + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.#emit(text.slice(start, end));
      start = nl + 1;
    }
    text = text.slice(start);
    // Bound the buffer: release over-long partial lines in fixed pieces.
    while (text.length > this.#maxLineChars) {
      this.#onLine(text.slice(0, this.#maxLineChars));
      text = text.slice(this.#maxLineChars);
    }
    this.#buffer = text;
  }

  /** Releases a final line that had no newline. */
  flush(): void {
    if (this.#buffer.length > 0) {
      const rest = this.#buffer.endsWith('\r') ? this.#buffer.slice(0, -1) : this.#buffer;
      this.#buffer = '';
      this.#onLine(rest);
    }
  }

  /** Drops buffered text. */
  reset(): void {
    this.#buffer = '';
  }

  #emit(line: string): void {
    for (let i = 0; i < line.length; i += this.#maxLineChars) {
      this.#onLine(line.slice(i, i + this.#maxLineChars));
      if (line.length <= this.#maxLineChars) return;
    }
    if (line.length === 0) this.#onLine('');
  }
}
