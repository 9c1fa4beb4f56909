/**
 * Resource bodies: what a streamed resource's `read` returns instead of a
 * whole `ReadResourceResult`.
 *
 * Two kinds. A **random-access** body (`readAt`, known `size`: files) is read
 * at the offset asked, so windows can be fetched in any order and several at
 * a time. A **sequential** body (`stream`: a Node `Readable`, a web
 * `ReadableStream`, an async iterable of bytes or strings) can only be read
 * front to back; sluice keeps its reader between windows (see
 * `readCursors.ts`) and reads ahead by one source chunk at most.
 *
 * @module
 */
import { ByteReader, type ByteSource } from '../flow/byteReader.js';
import { type FileHandleCache, sharedFileHandles } from './fileHandles.js';

/** A sequential body: bytes in order, read once. `read` is called again for a fresh pass. */
export interface StreamedBody {
  readonly stream: ByteSource | ReadableStream<Uint8Array>;
  /** Total bytes, when known in advance. */
  readonly size?: number;
  /** @defaultValue the resource definition's `mimeType`, else `application/octet-stream` */
  readonly mimeType?: string;
}

/** A random-access body: any window, in any order. */
export interface RandomAccessBody {
  readonly size: number;
  /** @defaultValue the resource definition's `mimeType`, else `application/octet-stream` */
  readonly mimeType?: string;
  /**
   * The version of these bytes, when known (files: inode, size and
   * modification time). Raw streams send it as `ETag`; a resumption that
   * names another version is refused instead of splicing two versions.
   */
  readonly version?: string;
  /** Bytes `[offset, offset + length)`, fewer only at the end. */
  readAt(offset: number, length: number): Promise<Uint8Array>;
  /** Releases what the body holds (a file handle); called once after every read. */
  close?(): Promise<void>;
}

export type ResourceBody = StreamedBody | RandomAccessBody;

/** Whether a `read` returned a body (as opposed to a whole `ReadResourceResult`). */
export function isResourceBody(value: unknown): value is ResourceBody {
  return value !== null && typeof value === 'object' && ('stream' in value || 'readAt' in value);
}

export function isRandomAccess(body: ResourceBody): body is RandomAccessBody {
  return 'readAt' in body;
}

/** A reader over a sequential body, from its start. */
export function readerOf(body: StreamedBody): ByteReader {
  return new ByteReader(body.stream as ByteSource);
}

/** Releases a body that was not (or only partly) read. */
export async function closeBody(body: ResourceBody): Promise<void> {
  if (isRandomAccess(body)) await body.close?.();
  else await readerOf(body).close();
}

/**
 * A file as a random-access body, read at the offset asked. The open handle
 * is shared with other reads of the same file and kept briefly after
 * `close()` for the next window (see `fileHandles.ts`). Throws (ENOENT,
 * EISDIR…) when it cannot be opened.
 */
export async function fileBody(path: string, options: { readonly mimeType?: string; readonly handles?: FileHandleCache } = {}): Promise<RandomAccessBody> {
  const { handle, size, version, release } = await (options.handles ?? sharedFileHandles).acquire(path);
  return {
    size,
    version,
    ...(options.mimeType !== undefined && { mimeType: options.mimeType }),
    readAt: async (offset, length) => {
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - offset)));
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
        if (bytesRead === 0) break; // the file shrank while we read it
        filled += bytesRead;
      }
      return filled === buffer.length ? buffer : buffer.subarray(0, filled);
    },
    close: async () => release(),
  };
}
