/**
 * Where `sluice read` puts its bytes: stdout, or a file written under a
 * temporary name and renamed only when the read completed, so a failed read
 * never leaves a truncated file behind.
 *
 * @module
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { DEFAULT_OUTPUT_FILE_BUFFER_BYTES } from '../defaults.js';

export interface OutputSink {
  /** Resolves when the sink can take more (backpressure from the disk or the pipe). */
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes, and for a file, gives it its final name. */
  commit(): Promise<void>;
  /** For a file: drops what was written, even with writes still in flight. */
  abandon(): Promise<void>;
}

/** `path` undefined: stdout. `onError` hears a failed write at once, even between writes. */
export function outputSink(path: string | undefined, onError: (error: Error) => void): OutputSink {
  if (path === undefined) return streamSink(process.stdout, async () => {});
  const partial = `${path}.sluice-partial`;
  // A larger buffer than the stream's 16 KiB: the disk gets batched writes, memory stays bounded by it.
  const out = createWriteStream(partial, { highWaterMark: DEFAULT_OUTPUT_FILE_BUFFER_BYTES });
  let failed = false;
  let abandoned = false;
  // Destroying the file while a write is in flight fails that write; this
  // listener keeps it from becoming an unhandled 'error' event.
  out.on('error', (error) => {
    if (!failed && !abandoned) onError(error);
    failed = true;
  });
  const sink = streamSink(out, () => rename(partial, path));
  return {
    ...sink,
    abandon: async () => {
      abandoned = true;
      const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
      out.destroy();
      await closed; // after any write in flight has failed
      await rm(partial, { force: true });
    },
  };
}

function streamSink(out: Writable, finish: () => Promise<void>): OutputSink {
  return {
    write: (chunk) => (out.write(chunk) ? Promise.resolve() : drained(out)),
    commit: async () => {
      await endOf(out);
      await finish();
    },
    abandon: async () => {},
  };
}

function drained(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', done);
      out.off('error', done);
      if (error !== undefined) reject(error);
      else resolve();
    };
    out.once('drain', done);
    out.once('error', done);
  });
}

function endOf(out: Writable): Promise<void> {
  if (out === process.stdout) return new Promise((resolve, reject) => out.write('', (error) => (error ? reject(error) : resolve())));
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}
