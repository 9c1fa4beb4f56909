/**
 * Open file handles shared by the windows of a read.
 *
 * A large file is read in many windows, each its own request; opening,
 * stat-ing and closing the file for every window costs more than reading it.
 * Handles are kept open while in use and for a short idle time after, then
 * closed; at most `max` idle handles are kept (the longest idle goes first).
 * The open handle is stat-ed again when its last stat is older than 50 ms,
 * so a file that grows is seen at its current size. A file replaced on disk is seen once its handle has
 * been idle for `idleMs`.
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DEFAULT_FILE_HANDLE_IDLE_MS, DEFAULT_MAX_IDLE_FILE_HANDLES } from '../defaults.js';
import { type Clock, systemClock } from '../flow/clock.js';

interface Entry {
  readonly handle: FileHandle;
  users: number;
  timer: unknown;
  size: number;
  statAt: number;
}

/** How long a stat of an open handle stands for the next windows (ms): one stat, not one per window. */
const STAT_FRESH_MS = 50;

export interface AcquiredFile {
  readonly handle: FileHandle;
  readonly size: number;
  /** Gives the handle back; it is closed after the idle time unless acquired again. Idempotent. */
  release(): void;
}

export class FileHandleCache {
  readonly #entries = new Map<string, Promise<Entry>>();
  readonly #idle = new Set<string>();

  constructor(
    readonly idleMs: number = DEFAULT_FILE_HANDLE_IDLE_MS,
    readonly max: number = DEFAULT_MAX_IDLE_FILE_HANDLES,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Opens `path` (or reuses its open handle). Throws like `open` (ENOENT…) or when it is not a regular file. */
  async acquire(path: string): Promise<AcquiredFile> {
    let pending = this.#entries.get(path);
    if (pending === undefined) {
      pending = open(path, 'r').then((handle) => ({ handle, users: 0, timer: undefined, size: 0, statAt: Number.NEGATIVE_INFINITY }));
      this.#entries.set(path, pending);
      pending.catch(() => this.#entries.delete(path));
    }
    // Claimed now, before any await: an idle close can no longer take it.
    this.#idle.delete(path);
    const entry = await pending;
    entry.users++;
    this.clock.clearTimeout(entry.timer);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      if (--entry.users === 0) this.#park(path, entry);
    };
    try {
      if (this.clock.now() - entry.statAt > STAT_FRESH_MS) {
        const info = await entry.handle.stat();
        if (!info.isFile()) throw Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
        entry.size = info.size;
        entry.statAt = this.clock.now();
      }
      return { handle: entry.handle, size: entry.size, release };
    } catch (error) {
      release();
      throw error;
    }
  }

  /** Closes every idle handle (shutdown); handles in use close when released. */
  closeIdle(): void {
    for (const path of [...this.#idle]) void this.#close(path);
  }

  #park(path: string, entry: Entry): void {
    this.#idle.add(path);
    entry.timer = this.clock.setTimeout(() => void this.#close(path), this.idleMs);
    // Set order is idle order: the first is the longest idle. #close takes it out of the set at once.
    while (this.#idle.size > this.max) void this.#close(this.#idle.values().next().value!);
  }

  /** Closes an idle handle. Synchronous up to the close itself, so callers may loop on it. */
  async #close(path: string): Promise<void> {
    if (!this.#idle.delete(path)) return; // in use again, or already closed
    const pending = this.#entries.get(path);
    this.#entries.delete(path);
    const entry = await pending!;
    this.clock.clearTimeout(entry.timer);
    await entry.handle.close().catch(() => {});
  }
}

/** The cache `fileBody` uses by default. */
export const sharedFileHandles = new FileHandleCache();
