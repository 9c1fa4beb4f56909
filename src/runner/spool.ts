/**
 * Run spool: where a script's full output goes once it outgrows the inline
 * limit. Each run gets one file, exposed as the resource `runs://ID/stdout`
 * and linked from the result; files older than the TTL are removed.
 *
 * Writing honours the file stream's backpressure: `write()` resolves when the
 * stream can take more, and the caller pauses the script's stdout meanwhile.
 *
 * @module
 */
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ResourceNotFoundError } from '@modelcontextprotocol/server';
import { DEFAULT_SPOOL_TTL_MS } from '../defaults.js';
import { requireDuration } from '../errors.js';
import type { ResourceTemplateDefinition } from '../server/types.js';
import { openFile } from './fileResource.js';

export const RUNS_URI_TEMPLATE = 'runs://{id}/stdout';
const ID = /^[0-9a-f-]{36}$/;

export interface SpoolFile {
  readonly id: string;
  readonly uri: string;
  /** Characters written so far. */
  readonly written: number;
  /** Appends text; resolves when the file can take more. */
  write(text: string): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

export class RunSpool {
  readonly dir: string;
  readonly ttlMs: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { ttlMs?: number; dir?: string } = {}) {
    this.ttlMs = requireDuration('spoolTtlMs', options.ttlMs ?? DEFAULT_SPOOL_TTL_MS, 1);
    this.dir = options.dir ?? mkdtempSync(join(tmpdir(), 'sluice-runs-'));
    this.#timer = setInterval(() => void this.sweep(), Math.max(50, Math.min(60_000, Math.floor(this.ttlMs / 4))));
    this.#timer.unref();
  }

  pathOf(id: string): string {
    return join(this.dir, `${id}.stdout`);
  }

  open(): SpoolFile {
    const id = randomUUID();
    const stream: WriteStream = createWriteStream(this.pathOf(id), { flags: 'wx' });
    let written = 0;
    return {
      id,
      uri: RUNS_URI_TEMPLATE.replace('{id}', id),
      get written() {
        return written;
      },
      write: (text) => {
        written += text.length;
        return stream.write(text) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve));
      },
      close: () => new Promise<void>((resolve) => stream.end(resolve)),
    };
  }

  /** Removes run files older than the TTL. */
  async sweep(): Promise<void> {
    const cutoff = Date.now() - this.ttlMs;
    for (const name of await readdir(this.dir).catch(() => [])) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined && info.mtimeMs <= cutoff) await rm(path, { force: true });
    }
  }

  /** The `runs://{id}/stdout` resource template. */
  resourceTemplate(): ResourceTemplateDefinition {
    return {
      uriTemplate: RUNS_URI_TEMPLATE,
      name: 'runs',
      description: 'Full output of script tool runs that outgrew the inline limit (kept for a limited time)',
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
    rmSync(this.dir, { recursive: true, force: true });
  }
}
