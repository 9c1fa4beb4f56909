/**
 * Run spool: where a script's full output goes once it outgrows the inline
 * limit. Each run gets one file, exposed as the resource `runs://ID/stdout`
 * and linked from the result.
 *
 * Byte for byte: the file holds exactly the bytes the script printed on
 * stdout, less its `::progress` lines (no line is split, joined or
 * re-encoded; `\r\n` and invalid UTF-8 stay as printed).
 *
 * Bounded on disk, with explicit policies:
 * - one run keeps at most `maxBytesPerRun`; past it the file is cut and the
 *   run is marked `truncated` (its result says so);
 * - all runs together keep at most `maxTotalBytes`: the oldest finished
 *   files are removed to make room; when only running files are left, the
 *   writer is cut as above;
 * - files older than the TTL are removed.
 *
 * Writing honours the file stream's backpressure: `write()` resolves when the
 * stream can take more, and the caller pauses the script's stdout meanwhile.
 *
 * @module
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ResourceNotFoundError } from '@modelcontextprotocol/server';
import { DEFAULT_SPOOL_MAX_RUN_BYTES, DEFAULT_SPOOL_MAX_TOTAL_BYTES, DEFAULT_SPOOL_TTL_MS } from '../defaults.js';
import { requireDuration, requireInteger } from '../errors.js';
import type { ResourceTemplateDefinition } from '../server/types.js';
import { openFile } from './fileResource.js';

export const RUNS_URI_TEMPLATE = 'runs://{id}/stdout';
const ID = /^[0-9a-f-]{36}$/;

export interface SpoolOptions {
  /** How long a finished run's file is kept (ms). @defaultValue {@link DEFAULT_SPOOL_TTL_MS} */
  readonly ttlMs?: number;
  /** Folder for the files. @defaultValue a new temporary folder */
  readonly dir?: string;
  /** Bytes one run keeps at most (≥ 1). @defaultValue {@link DEFAULT_SPOOL_MAX_RUN_BYTES} */
  readonly maxBytesPerRun?: number;
  /** Bytes all runs keep at most (≥ 1); the oldest finished files go first. @defaultValue {@link DEFAULT_SPOOL_MAX_TOTAL_BYTES} */
  readonly maxTotalBytes?: number;
}

export interface SpoolFile {
  readonly id: string;
  readonly uri: string;
  /** Bytes kept so far. */
  readonly written: number;
  /** Whether output was left out because a bound was reached. */
  readonly truncated: boolean;
  /** Appends bytes (or the part that fits); resolves when the file can take more. */
  write(bytes: Uint8Array): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

interface Entry {
  bytes: number;
  open: boolean;
}

export class RunSpool {
  readonly dir: string;
  readonly ttlMs: number;
  readonly maxBytesPerRun: number;
  readonly maxTotalBytes: number;
  /** Insertion order is age order: the first finished entry is the one to remove first. */
  readonly #files = new Map<string, Entry>();
  #total = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SpoolOptions = {}) {
    this.ttlMs = requireDuration('spoolTtlMs', options.ttlMs ?? DEFAULT_SPOOL_TTL_MS);
    this.maxBytesPerRun = requireInteger('spool.maxBytesPerRun', options.maxBytesPerRun ?? DEFAULT_SPOOL_MAX_RUN_BYTES, 1);
    this.maxTotalBytes = requireInteger('spool.maxTotalBytes', options.maxTotalBytes ?? DEFAULT_SPOOL_MAX_TOTAL_BYTES, 1);
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sluice-runs-'));
    mkdirSync(this.dir, { recursive: true });
    this.#timer = setInterval(() => void this.sweep(), Math.max(50, Math.min(60_000, Math.floor(this.ttlMs / 4))));
    this.#timer.unref();
  }

  /** Bytes held over all files. */
  get totalBytes(): number {
    return this.#total;
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.stdout`);
  }

  open(): SpoolFile {
    const id = randomUUID();
    const stream: WriteStream = createWriteStream(this.pathOf(id), { flags: 'wx' });
    let failed = false;
    // A failed file only costs the full output; the result still goes out.
    stream.on('error', () => {
      failed = true;
    });
    const entry: Entry = { bytes: 0, open: true };
    this.#files.set(id, entry);
    let truncated = false;
    // One wait for drain shared by every writer; a stream that failed (and closed) releases it too.
    let drained: Promise<void> | undefined;
    const drain = () =>
      (drained ??= new Promise<void>((resolve) => {
        const done = () => {
          stream.off('drain', done);
          stream.off('close', done);
          drained = undefined;
          resolve();
        };
        stream.on('drain', done);
        stream.on('close', done);
      }));
    return {
      id,
      uri: RUNS_URI_TEMPLATE.replace('{id}', id),
      get written() {
        return entry.bytes;
      },
      get truncated() {
        return truncated;
      },
      write: (bytes) => {
        if (truncated || failed || bytes.length === 0) return Promise.resolve();
        const room = Math.min(this.maxBytesPerRun - entry.bytes, this.#makeRoom(bytes.length));
        const kept = room >= bytes.length ? bytes : bytes.subarray(0, Math.max(0, room));
        if (kept.length < bytes.length) truncated = true;
        if (kept.length === 0) return Promise.resolve();
        entry.bytes += kept.length;
        this.#total += kept.length;
        return stream.write(kept) ? Promise.resolve() : drain();
      },
      close: () =>
        new Promise<void>((resolve) => {
          entry.open = false;
          if (failed || stream.destroyed) resolve();
          else stream.end(resolve);
        }),
    };
  }

  /** Frees up to `wanted` bytes of the total by removing the oldest finished files; returns the room there is. */
  #makeRoom(wanted: number): number {
    for (const [id, entry] of this.#files) {
      if (this.maxTotalBytes - this.#total >= wanted) break;
      if (entry.open) continue;
      this.#forget(id);
      rmSync(this.pathOf(id), { force: true });
    }
    return this.maxTotalBytes - this.#total;
  }

  #forget(id: string): void {
    const entry = this.#files.get(id);
    if (entry === undefined) return;
    this.#files.delete(id);
    this.#total -= entry.bytes;
  }

  /** Removes finished run files older than the TTL. */
  async sweep(): Promise<void> {
    const cutoff = Date.now() - this.ttlMs;
    for (const name of await readdir(this.dir).catch(() => [])) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      const id = name.replace(/\.stdout$/, '');
      if (info === undefined || info.mtimeMs > cutoff || this.#files.get(id)?.open === true) continue;
      this.#forget(id);
      await rm(path, { force: true });
    }
  }

  /** The `runs://{id}/stdout` resource template. */
  resourceTemplate(): ResourceTemplateDefinition {
    return {
      uriTemplate: RUNS_URI_TEMPLATE,
      name: 'runs',
      description: 'Full output of script tool runs that outgrew the inline limit, byte for byte (kept for a limited time)',
      mimeType: 'text/plain',
      streamed: true,
      read: (uri, { id }) => {
        if (id === undefined || !ID.test(id)) throw new ResourceNotFoundError(uri);
        return openFile(uri, this.pathOf(id), 'text/plain');
      },
    };
  }

  /** Stops the sweeper and removes every run file. */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#files.clear();
    this.#total = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
