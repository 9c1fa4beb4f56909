/**
 * `resources/stream` (SEP-2532, direct binary mode): a resource's raw bytes
 * as the HTTP response body, for clients that declared `resourceStreaming`.
 *
 * The answer to the POST is either a JSON-RPC error (`application/json`:
 * unknown resource -32602, not a streamed resource -32003, larger than the
 * client's `maxStreamSize` -32004, capability not declared -32021) or 200/206
 * with the resource's own `Content-Type`, `Content-Length` when known,
 * `Content-Disposition`, `MCP-Resource-Uri` and `Cache-Control: no-store`.
 *
 * Flow control end to end: the body is a pull stream that holds one chunk
 * read ahead; the Node adapter takes a chunk only when the socket has
 * drained, and only then is the next one read from the source. A client that goes away cancels the body,
 * which closes the source at once. A source that fails midway cuts the
 * connection, so the client sees a broken transfer, never a short success.
 * `Range: bytes=…` (one range) is honoured for random-access bodies (files).
 * A body that knows its version sends it as `ETag`; a request whose
 * `If-Match` names another version gets 412 (-32011), so a resumption never
 * splices bytes of a file that changed in between.
 *
 * @module
 */
import { ProtocolError } from '@modelcontextprotocol/server';
import { sharedPacer } from '../../flow/gcPacer.js';
import { ErrorCode, Header, RESOURCE_STREAMING_CLIENT_CAPABILITY } from '../../protocol/wire.js';
import { closeBody, isRandomAccess, readerOf, type RandomAccessBody, type ResourceBody } from '../../server/resourceBody.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import type { StreamTracker } from '../../server/activity.js';
import { jsonRpcError, requestIdOf } from './responses.js';

export interface ResourceStreamOptions {
  /** Bytes read from the source per pull. */
  readonly chunkBytes: number;
  /** The capabilities the client declared (session or request `_meta`). */
  readonly clientCapabilities: Readonly<Record<string, unknown>> | undefined;
  /** Aborted when the client goes away or its session ends: the source is closed at once. */
  readonly signal: AbortSignal;
  /** The 2025 session the stream belongs to, for watchers. */
  readonly session?: string;
}

export async function serveResourceStream(sluice: SluiceServer, request: Request, body: unknown, options: ResourceStreamOptions): Promise<Response> {
  const id = requestIdOf(body);
  const fail = (code: number, message: string, data?: unknown) => jsonRpcError(200, code, message, { id, ...(data !== undefined && { data }) });
  const uri = (body as { params?: { uri?: unknown } }).params?.uri;
  if (typeof uri !== 'string' || uri === '') return fail(ErrorCode.InvalidParams, 'resources/stream needs params.uri (a string)');
  const declared = options.clientCapabilities?.[RESOURCE_STREAMING_CLIENT_CAPABILITY];
  if (declared === null || typeof declared !== 'object') {
    return fail(
      ErrorCode.MissingClientCapability,
      `resources/stream is only answered to clients that declare the "${RESOURCE_STREAMING_CLIENT_CAPABILITY}" capability; use resources/read`,
      { requiredCapabilities: { [RESOURCE_STREAMING_CLIENT_CAPABILITY]: {} } },
    );
  }
  const maxStreamSize = (declared as { maxStreamSize?: unknown }).maxStreamSize;

  let opened: { body: ResourceBody; mimeType: string };
  try {
    opened = await sluice.openResourceBody(uri, options.signal);
  } catch (error) {
    if (error instanceof ProtocolError) return fail(error.code, error.message, error.data);
    return fail(ErrorCode.InternalError, `Opening ${uri} failed: ${(error as Error).message}`, { uri });
  }
  const { body: source, mimeType } = opened;
  const size = source.size;
  if (typeof maxStreamSize === 'number' && size !== undefined && size > maxStreamSize) {
    await closeQuietly(source);
    return fail(ErrorCode.ResourceTooLarge, `Resource too large: ${uri} is ${size} bytes; the client accepts ${maxStreamSize}`, {
      uri,
      size,
      maxStreamSize,
    });
  }

  const headers = new Headers({
    [Header.ContentType]: mimeType,
    [Header.ResourceUri]: headerSafe(uri),
    [Header.ContentDisposition]: `attachment; filename="${fileNameOf(uri)}"`,
    [Header.CacheControl]: 'no-store',
    [Header.AcceptRanges]: isRandomAccess(source) ? 'bytes' : 'none',
  });
  const version = isRandomAccess(source) ? source.version : undefined;
  if (version !== undefined) headers.set(Header.ETag, version);
  const ifMatch = request.headers.get(Header.IfMatch);
  if (ifMatch !== null && ifMatch.trim() !== '*' && !ifMatch.split(',').some((tag) => tag.trim() === version)) {
    await closeQuietly(source);
    return jsonRpcError(412, ErrorCode.ResourceChanged, `Precondition Failed: ${uri} changed since version ${ifMatch}; read it again from the start`, {
      id,
      data: { uri, ...(version !== undefined && { version }) },
    });
  }
  let start = 0;
  let end = size; // exclusive
  let status = 200;
  const range = request.headers.get(Header.Range);
  if (range !== null && isRandomAccess(source)) {
    const parsed = parseRange(range, source.size);
    if (parsed === 'unsatisfiable') {
      await closeQuietly(source);
      return new Response(null, { status: 416, headers: { [Header.ContentRange]: `bytes */${source.size}` } });
    }
    if (parsed !== undefined) {
      [start, end] = parsed;
      status = 206;
      headers.set(Header.ContentRange, `bytes ${start}-${end - 1}/${source.size}`);
    }
  }
  if (end !== undefined) headers.set(Header.ContentLength, String(end - start));
  const tracker = sluice.activity.openStream({ kind: 'resource', ...(options.session !== undefined && { session: options.session }) });
  if (status === 206) tracker.resumed();
  return new Response(bodyStream(source, start, end, options, tracker), { status, headers });
}

/**
 * The pull stream: one source read per pull, one chunk read ahead. The read
 * ahead (`highWaterMark: 1`, counted in chunks) overlaps the next source read
 * with the socket write of this one, as a piped `fs.ReadStream` does; without
 * it the socket sat idle through every file read (half the loopback ceiling).
 * It is still one chunk: a reader that stops holds the source back at once.
 */
function bodyStream(source: ResourceBody, start: number, end: number | undefined, options: ResourceStreamOptions, tracker: StreamTracker): ReadableStream<Uint8Array> {
  const { signal } = options;
  const pacer = sharedPacer('minor');
  let position = start;
  let finished = false;
  const reader = isRandomAccess(source) ? undefined : readerOf(source);
  let fail: (error: unknown) => void = () => {};
  const release = async () => {
    if (finished) return;
    finished = true;
    tracker.close();
    signal.removeEventListener('abort', onAbort);
    await (reader !== undefined ? reader.close() : closeBody(source)).catch(() => {});
  };
  // The client went away or its session ended: stop the source now, not at its next chunk.
  const onAbort = () => fail(signal.reason);
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        fail = (error) => {
          if (finished) return;
          void release();
          // An errored body cuts the connection (the Node adapter sees it even while parked on drain):
          // a chunked body must not look complete.
          controller.error(error);
        };
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      },
      async pull(controller) {
        try {
          const want = end === undefined ? options.chunkBytes : Math.min(options.chunkBytes, end - position);
          const chunk =
            want <= 0 ? new Uint8Array(0) : reader !== undefined ? await reader.read(want) : await (source as RandomAccessBody).readAt(position, want);
          if (finished) return;
          if (chunk.length === 0) {
            if (end !== undefined && position < end) throw new Error(`the source ended at byte ${position} of ${end}`);
            await release();
            controller.close();
            return;
          }
          position += chunk.length;
          pacer.add(chunk.length);
          tracker.sent(chunk.length);
          controller.enqueue(chunk);
        } catch (error) {
          fail(error);
        }
      },
      cancel: release,
    },
    { highWaterMark: 1 },
  );
}

/** One `bytes=` range as [start, end); `undefined` to ignore (multi-range, other units); 'unsatisfiable' for 416. */
export function parseRange(header: string, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (match === null) return undefined;
  const [, from, to] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size];
  }
  const first = Number(from);
  const last = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (first >= size || last < first) return 'unsatisfiable';
  return [first, last + 1];
}

function fileNameOf(uri: string): string {
  const path = uri.replace(/[?#].*$/, '');
  let name = path.slice(path.lastIndexOf('/') + 1) || 'resource';
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it encoded
  }
  return name.replace(/[^\x20-\x7e]|["\\]/g, '_');
}

/** Header values are Latin-1: percent-encode anything else. */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURI(value);
}

async function closeQuietly(body: ResourceBody): Promise<void> {
  await closeBody(body).catch(() => {});
}
