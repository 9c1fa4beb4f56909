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
import { constants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { DEFAULT_FILE_HANDLE_IDLE_MS, DEFAULT_MAX_IDLE_FILE_HANDLES } from '../defaults.js';
import { type Clock, systemClock } from '../flow/clock.js';

interface Entry {
  readonly handle: FileHandle;
  users: number;
  timer: unknown;
  size: number;
  version: string;
  statAt: number;
}

/** How long a stat of an open handle stands for the next windows (ms): one stat, not one per window. */
const STAT_FRESH_MS = 50;

export interface AcquiredFile {
  readonly handle: FileHandle;
  readonly size: number;
  /** Inode, size and modification time (ns): changes when the file is rewritten, even in place. */
  readonly version: string;
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

  /**
   * Opens `path` (or reuses its open handle). Throws like `open` (ENOENT…),
   * or {@link NotRegularFileError} for a FIFO, socket, device or directory.
   */
  async acquire(path: string): Promise<AcquiredFile> {
    let pending = this.#entries.get(path);
    if (pending === undefined) {
      pending = openRegular(path).then((handle) => ({ handle, users: 0, timer: undefined, size: 0, version: '', statAt: Number.NEGATIVE_INFINITY }));
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
        const info = await entry.handle.stat({ bigint: true });
        if (!info.isFile()) throw new NotRegularFileError(path, kindOf(info));
        entry.size = Number(info.size);
        entry.version = `"${info.ino.toString(36)}-${info.size.toString(36)}-${info.mtimeNs.toString(36)}"`;
        entry.statAt = this.clock.now();
      }
      return { handle: entry.handle, size: entry.size, version: entry.version, release };
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

/** A path names something other than a regular file: it is never read. */
export class NotRegularFileError extends Error {
  /** `EISDIR` for a directory (as `open` would say), `ENOTREG` for anything else. */
  readonly code: 'EISDIR' | 'ENOTREG';
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`${path} is not a file that can be read: it is a ${kind}, and only regular files are`);
    this.name = 'NotRegularFileError';
    this.code = kind === 'directory' ? 'EISDIR' : 'ENOTREG';
  }
}

/**
 * Opens a regular file, and nothing else. `O_NONBLOCK` keeps the open of a
 * FIFO from waiting for a writer (which would hold a threadpool thread
 * forever: four such reads stall every file operation of the process); the
 * handle's own `fstat` then refuses what is not a regular file, with no race
 * between a check and the open.
 */
async function openRegular(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    // A Unix socket cannot be opened at all (ENXIO): say what it is.
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') throw new NotRegularFileError(path, kindOf(await stat(path)));
    throw error;
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new NotRegularFileError(path, kindOf(info));
    return handle;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

function kindOf(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isDirectory()) return 'directory';
  if (info.isFIFO()) return 'FIFO (named pipe)';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'special file';
}

/** The cache `fileBody` uses by default. */
export const sharedFileHandles = new FileHandleCache();
