/**
 * Readers of sequential resources kept between windows.
 *
 * A sequential body can only be read front to back, and every window is its
 * own request (on 2026-07-28 even its own server instance). So after a window
 * the reader is parked here under (read id, URI, position) and the request
 * for the next window takes it back: one pass over the source, however many
 * windows. A request that finds no reader at its offset opens the source
 * again and skips to the offset.
 *
 * Bounded: at most `max` readers (the longest idle is closed first), each
 * closed after `ttlMs` idle, and a client may release its readers at once
 * (window `close`). Closing a reader stops its source.
 *
 * @module
 */
import { DEFAULT_MAX_READ_CURSORS, DEFAULT_READ_CURSOR_TTL_MS } from '../defaults.js';
import type { Clock } from '../flow/clock.js';
import type { ByteReader } from '../flow/byteReader.js';

/** A parked reader and what the next window needs to know about its resource. */
export interface ReadCursor {
  readonly reader: ByteReader;
  readonly mimeType: string;
  readonly size: number | undefined;
}

interface Parked {
  readonly cursor: ReadCursor;
  readonly owner: string;
  timer: unknown;
}

export interface ReadCursorLimits {
  /** @defaultValue {@link DEFAULT_MAX_READ_CURSORS} */
  readonly max?: number;
  /** @defaultValue {@link DEFAULT_READ_CURSOR_TTL_MS} */
  readonly ttlMs?: number;
}

export class ReadCursors {
  readonly #parked = new Map<string, Parked>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #clock: Clock;

  constructor(clock: Clock, limits: ReadCursorLimits = {}) {
    this.#clock = clock;
    this.#max = limits.max ?? DEFAULT_MAX_READ_CURSORS;
    this.#ttlMs = limits.ttlMs ?? DEFAULT_READ_CURSOR_TTL_MS;
  }

  /** Readers parked now. */
  get size(): number {
    return this.#parked.size;
  }

  /** Takes the reader of `uri` for `readId` that stands at `offset`, if one is parked. */
  take(uri: string, readId: string, offset: number): ReadCursor | undefined {
    const key = keyOf(ownerOf(uri, readId), offset);
    const parked = this.#parked.get(key);
    if (parked === undefined) return undefined;
    this.#parked.delete(key);
    this.#clock.clearTimeout(parked.timer);
    return parked.cursor;
  }

  /** Parks a reader at its position; closes it instead when that slot is taken. */
  put(uri: string, readId: string, cursor: ReadCursor): void {
    const owner = ownerOf(uri, readId);
    const key = keyOf(owner, cursor.reader.position);
    if (this.#parked.has(key)) {
      void cursor.reader.close();
      return;
    }
    while (this.#parked.size >= this.#max) this.#drop(this.#parked.keys().next().value!);
    const parked: Parked = { cursor, owner, timer: undefined };
    parked.timer = this.#clock.setTimeout(() => this.#drop(key), this.#ttlMs);
    this.#parked.set(key, parked);
  }

  /** Closes every reader of `uri` parked for `readId` (the client is done with it). Returns how many. */
  release(uri: string, readId: string): number {
    const owner = ownerOf(uri, readId);
    let released = 0;
    for (const [key, parked] of this.#parked) {
      if (parked.owner === owner) {
        this.#drop(key);
        released++;
      }
    }
    return released;
  }

  /** Closes every parked reader (server shutdown). */
  closeAll(): void {
    for (const key of [...this.#parked.keys()]) this.#drop(key);
  }

  #drop(key: string): void {
    const parked = this.#parked.get(key);
    if (parked === undefined) return;
    this.#parked.delete(key);
    this.#clock.clearTimeout(parked.timer);
    void parked.cursor.reader.close();
  }
}

function ownerOf(uri: string, readId: string): string {
  return `${readId}\u0000${uri}`;
}

function keyOf(owner: string, offset: number): string {
  return `${owner}\u0000${offset}`;
}
