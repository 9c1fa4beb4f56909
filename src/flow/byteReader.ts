/**
 * `ByteReader`: exact-length reads from a sequential byte source.
 *
 * A source is anything async-iterable that yields bytes or strings: a Node
 * `Readable`, a web `ReadableStream`, an async generator. Strings are encoded
 * as UTF-8. The reader pulls one source chunk at a time and only when a read
 * needs more bytes, so it holds at most one source chunk beyond what was asked
 * (the carry), plus whatever a caller gives back with `unread`.
 *
 * @module
 */

/** Anything that yields a resource's bytes in order. */
export type ByteSource = AsyncIterable<Uint8Array | string>;

const encoder = new TextEncoder();

export class ByteReader {
  readonly #iterator: AsyncIterator<Uint8Array | string>;
  #carry: Uint8Array[] = [];
  #carryBytes = 0;
  #position = 0;
  #received = 0;
  #ended = false;
  #closed = false;

  constructor(source: ByteSource) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** Offset of the next byte `read` returns. */
  get position(): number {
    return this.#position;
  }

  /** Bytes the source has yielded so far (where it stands; a failure happened here). */
  get received(): number {
    return this.#received;
  }

  /** Whether the source is exhausted and nothing is left in the carry. */
  get done(): boolean {
    return this.#ended && this.#carryBytes === 0;
  }

  /** Bytes held beyond what was read (at most one source chunk, plus anything given back). */
  get bufferedBytes(): number {
    return this.#carryBytes;
  }

  /**
   * The next `length` bytes, or fewer only at the end of the source. Errors of
   * the source propagate (the reader is closed first).
   */
  async read(length: number): Promise<Uint8Array> {
    if (this.#closed) throw new Error('ByteReader is closed');
    while (this.#carryBytes < length && !this.#ended) {
      let next: IteratorResult<Uint8Array | string>;
      try {
        next = await this.#iterator.next();
      } catch (error) {
        this.#ended = true;
        await this.close();
        throw error;
      }
      if (next.done === true) {
        this.#ended = true;
        break;
      }
      const chunk = typeof next.value === 'string' ? encoder.encode(next.value) : toBytes(next.value);
      this.#received += chunk.length;
      if (chunk.length > 0) {
        this.#carry.push(chunk);
        this.#carryBytes += chunk.length;
      }
    }
    const out = this.#take(Math.min(length, this.#carryBytes));
    this.#position += out.length;
    return out;
  }

  /** Discards the next `length` bytes (or up to the end). Reads in bounded steps. */
  async skip(length: number, step = 64 * 1024): Promise<void> {
    let left = length;
    while (left > 0 && !this.done) left -= (await this.read(Math.min(left, step))).length;
  }

  /** Gives back the tail of the last read; the next read starts with these bytes. */
  unread(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.#carry.unshift(bytes);
    this.#carryBytes += bytes.length;
    this.#position -= bytes.length;
  }

  /** Stops the source (runs its cleanup: a stream is destroyed, a generator's `finally` runs). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#carry = [];
    this.#carryBytes = 0;
    if (!this.#ended) {
      this.#ended = true;
      try {
        await this.#iterator.return?.();
      } catch {
        // A source that fails while stopping has nothing more to give.
      }
    }
  }

  #take(length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    const first = this.#carry[0]!;
    if (first.length === length) {
      this.#carry.shift();
      this.#carryBytes -= length;
      return first;
    }
    if (first.length > length) {
      this.#carry[0] = first.subarray(length);
      this.#carryBytes -= length;
      return first.subarray(0, length);
    }
    const out = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const chunk = this.#carry[0]!;
      const n = Math.min(chunk.length, length - filled);
      out.set(chunk.subarray(0, n), filled);
      filled += n;
      if (n === chunk.length) this.#carry.shift();
      else this.#carry[0] = chunk.subarray(n);
    }
    this.#carryBytes -= length;
    return out;
  }
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError(`A resource stream yielded ${typeof value}; expected bytes (Uint8Array) or strings`);
}
