/**
 * Line scanner: a pure state machine that cuts a byte stream into lines
 * without changing a byte.
 *
 * Each segment it reports is a subarray of the input (copied only when a line
 * spans chunks), terminator included, so concatenating every segment gives
 * the input back exactly: `\r\n` stays `\r\n`, invalid UTF-8 stays as it was.
 * Cost is O(1) per line plus one scan of each byte.
 *
 * Bounded: a line longer than `maxLineBytes` is released in pieces of that
 * size (`complete: false`), so a stream that never prints a newline cannot
 * grow memory. A final line without a newline comes out of {@link flush}.
 *
 * @module
 */

/** One piece of the stream. */
export interface LineSegment {
  /** The bytes, terminator included. */
  readonly bytes: Uint8Array;
  /** Bytes of the line without its terminator (`\n` or `\r\n`). */
  readonly contentLength: number;
  /** Whether the segment starts a line (false for the later pieces of an over-long line). */
  readonly startsLine: boolean;
  /** Whether the segment ends a line (false for a piece of an over-long line, and a final line without newline). */
  readonly endsLine: boolean;
}

const LF = 0x0a;
const CR = 0x0d;

export class LineScanner {
  readonly #maxLineBytes: number;
  readonly #onSegment: (segment: LineSegment) => void;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Whether the next segment starts a line. */
  #atLineStart = true;

  constructor(onSegment: (segment: LineSegment) => void, maxLineBytes: number) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 2) {
      throw new RangeError(`maxLineBytes must be an integer >= 2; got ${maxLineBytes}`);
    }
    this.#onSegment = onSegment;
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds a chunk; reports every line it completes. */
  feed(chunk: Uint8Array): void {
    let start = 0;
    for (let nl = chunk.indexOf(LF, start); nl !== -1; nl = chunk.indexOf(LF, start)) {
      this.#emitLine(this.#take(chunk.subarray(start, nl + 1)));
      start = nl + 1;
    }
    if (start < chunk.length) this.#hold(chunk.subarray(start));
  }

  /** Releases a final line that had no newline. */
  flush(): void {
    if (this.#pendingBytes === 0) return;
    const bytes = this.#take(new Uint8Array(0));
    this.#emit(bytes, bytes.length, false);
  }

  /** Drops whatever is held. */
  reset(): void {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#atLineStart = true;
  }

  /** Held bytes plus `tail`, as one array (no copy when nothing is held). */
  #take(tail: Uint8Array): Uint8Array {
    if (this.#pendingBytes === 0) return tail;
    const joined = new Uint8Array(this.#pendingBytes + tail.length);
    let at = 0;
    for (const part of this.#pending) {
      joined.set(part, at);
      at += part.length;
    }
    joined.set(tail, at);
    this.#pending = [];
    this.#pendingBytes = 0;
    return joined;
  }

  #hold(part: Uint8Array): void {
    this.#pending.push(part.slice()); // the caller may reuse its buffer
    this.#pendingBytes += part.length;
    // Bound the buffer: release an over-long line in fixed pieces, keeping a trailing CR for its LF.
    while (this.#pendingBytes > this.#maxLineBytes) {
      const all = this.#take(new Uint8Array(0));
      this.#emit(all.subarray(0, this.#maxLineBytes), this.#maxLineBytes, false);
      const rest = all.subarray(this.#maxLineBytes);
      if (rest.length > 0) {
        this.#pending = [rest];
        this.#pendingBytes = rest.length;
      }
    }
  }

  #emitLine(bytes: Uint8Array): void {
    // A line completed in one go may still be over-long: the same bounded pieces, the last one ends it.
    while (bytes.length > this.#maxLineBytes + 2) {
      this.#emit(bytes.subarray(0, this.#maxLineBytes), this.#maxLineBytes, false);
      bytes = bytes.subarray(this.#maxLineBytes);
    }
    const contentLength = bytes.length - (bytes.length >= 2 && bytes[bytes.length - 2] === CR ? 2 : 1);
    this.#emit(bytes, contentLength, true);
  }

  #emit(bytes: Uint8Array, contentLength: number, endsLine: boolean): void {
    const startsLine = this.#atLineStart;
    this.#atLineStart = endsLine;
    this.#onSegment({ bytes, contentLength, startsLine, endsLine });
  }
}
