/**
 * `readResourceStream`: a resource of any size as an async iterable of
 * bytes, in bounded memory.
 *
 * Two ways to move the bytes, chosen per read:
 * - **raw** (`resources/stream`, SEP-2532) when the server offers it over
 *   HTTP: one response whose body is the resource; TCP flow control does
 *   the rest, since the body is read only as fast as the caller iterates;
 * - **windows** (`resources/read` with `_meta["dev.sluice/window"]`) on any
 *   transport: up to `inFlight` windows requested ahead for random-access
 *   resources (files), one at a time for sequential ones. A server or a
 *   resource that knows nothing of windows answers the whole content once.
 *
 * Memory: at most `inFlight` windows (raw: one chunk) are held beyond what
 * the caller has taken. Stopping early (break, throw, abort) cancels what is
 * in flight and tells the server to release the reader it keeps.
 *
 * @module
 */
import { setMaxListeners } from 'node:events';
import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  type Client,
  type ReadResourceResult,
} from '@modelcontextprotocol/client';
import { DEFAULT_CHUNK_SIZE_BYTES, DEFAULT_CHUNKS_IN_FLIGHT, DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES, DEFAULT_WINDOW_SIZE_BYTES } from '../defaults.js';
import { type FetchLike, nodeBody } from './nodeFetch.js';
import { backoffDelay, type BackoffPolicy } from '../flow/backoff.js';
import { CancelledError, InvalidOptionError, RemoteError, ResourceChangedError, StreamLostError } from '../errors.js';
import { sharedPacer } from '../flow/gcPacer.js';
import { remote } from './remote.js';
import { takeBytes, windowResultSchema } from './windowResult.js';
import { ErrorCode, Header, Method, RESOURCE_STREAM_CAPABILITY, STATELESS_PROTOCOL_VERSION, WINDOW_META_KEY, type WindowInfo } from '../protocol/wire.js';

/** Environment variable that sets the default chunk size (bytes). */
export const CHUNK_SIZE_ENV = 'SLUICE_CHUNK_SIZE';

export interface ReadStreamOptions {
  /** Bytes per window, and the largest chunk a raw stream yields. @defaultValue `SLUICE_CHUNK_SIZE`, else {@link DEFAULT_WINDOW_SIZE_BYTES} per window and {@link DEFAULT_CHUNK_SIZE_BYTES} per raw chunk */
  readonly chunkSize?: number;
  /** Windows requested ahead for random-access resources. @defaultValue {@link DEFAULT_CHUNKS_IN_FLIGHT} */
  readonly inFlight?: number;
  readonly signal?: AbortSignal;
  /** Time one window may take (ms). @defaultValue 60000 */
  readonly timeoutMs?: number;
  /** Use `resources/stream` when the server offers it. @defaultValue true */
  readonly raw?: boolean;
}

/** How a read is going. */
export interface ReadStats {
  /** Chunks handed to the caller. */
  readonly chunks: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  readonly chunksPerSecond: number;
  readonly bytesPerSecond: number;
  /** Most chunks ever held ahead of the caller (requested or received, not yet taken). */
  readonly peakQueueDepth: number;
}

export type ReadMode = 'raw' | 'windows' | 'whole';

export interface ResourceStream extends AsyncIterable<Uint8Array> {
  readonly uri: string;
  /** Total bytes, once known (after the first chunk, when the server says). */
  readonly size: number | undefined;
  readonly mimeType: string | undefined;
  /** How the bytes move, once known. */
  readonly mode: ReadMode | undefined;
  /** The bytes decoded as UTF-8, incrementally (a character split across chunks is never garbled). */
  text(): AsyncIterable<string>;
  /** The text split into lines (without `\n` / `\r\n`); a last line without newline is yielded too. */
  lines(): AsyncIterable<string>;
  stats(): ReadStats;
}

/** What the read needs from a connection. */
export interface ReadConnection {
  readonly client: Client;
  /** The MCP endpoint, when the connection is HTTP. */
  readonly url: URL | undefined;
  /** What raw streams are requested with (the connection's `fetch`). */
  readonly fetch: FetchLike;
  /** The HTTP session id (2025 era), if any. */
  readonly sessionId: () => string | undefined;
  /** The server's capabilities as sent (the SDK drops `resources.stream`). */
  readonly serverCapabilities: () => Readonly<Record<string, unknown>> | undefined;
  /** The capabilities this client declared (sent with raw 2026-era requests). */
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly clientInfo: { readonly name: string; readonly version: string };
  /** How dropped HTTP transfers are resumed (raw: `Range`; windows: the window again). */
  readonly reconnect: BackoffPolicy;
  readonly onReconnect?: (attempt: ReconnectAttempt) => void;
}

/** One attempt to resume a dropped stream. */
export interface ReconnectAttempt {
  /** 1-based. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly delayMs: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** The chunk size: option, else `SLUICE_CHUNK_SIZE`, else `fallback` (the raw chunk's 64 KiB). Throws on a bad value. */
export function chunkSizeOf(option: number | undefined, env: NodeJS.ProcessEnv = process.env, fallback: number = DEFAULT_CHUNK_SIZE_BYTES): number {
  if (option !== undefined) return checkChunkSize('chunkSize', option);
  const fromEnv = env[CHUNK_SIZE_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return checkChunkSize(CHUNK_SIZE_ENV, Number(fromEnv));
  return fallback;
}

function checkChunkSize(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 4) throw new InvalidOptionError(name, 'must be an integer >= 4 (bytes)', value);
  return value;
}

export function readResourceStream(connection: ReadConnection, uri: string, options: ReadStreamOptions = {}): ResourceStream {
  const chunkSize = chunkSizeOf(options.chunkSize);
  const windowSize = chunkSizeOf(options.chunkSize, process.env, DEFAULT_WINDOW_SIZE_BYTES);
  const inFlight = options.inFlight ?? DEFAULT_CHUNKS_IN_FLIGHT;
  if (!Number.isSafeInteger(inFlight) || inFlight < 1) throw new InvalidOptionError('inFlight', 'must be an integer >= 1', inFlight);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const startedAt = performance.now();
  let chunks = 0;
  let bytes = 0;
  let peakQueueDepth = 0;
  let started = false;
  const state: RawState = { size: undefined, mimeType: undefined, mode: undefined };
  const depth = (n: number) => {
    if (n > peakQueueDepth) peakQueueDepth = n;
  };

  async function* produce(): AsyncGenerator<Uint8Array> {
    const controller = new AbortController();
    // Every window in flight listens on this signal.
    setMaxListeners(inFlight + 8, controller.signal);
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (options.signal?.aborted) throw new CancelledError(`Reading ${uri} was cancelled`);
      const resources = connection.serverCapabilities()?.resources as Record<string, unknown> | undefined;
      const rawOffered = resources?.[RESOURCE_STREAM_CAPABILITY] === true;
      if (options.raw !== false && connection.url !== undefined && rawOffered) {
        const body = await openRaw(connection, uri, controller.signal, state, 0);
        if (body !== undefined) {
          yield* resumableRaw(connection, uri, body, { chunkSize, signal: controller.signal, depth, state });
          return;
        }
      }
      yield* windows(connection, uri, { chunkSize: windowSize, inFlight, timeoutMs, signal: controller.signal, depth, state });
    } catch (error) {
      if (options.signal?.aborted) throw new CancelledError(`Reading ${uri} was cancelled`, { cause: error });
      throw error;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      controller.abort(new Error('the read was stopped'));
    }
  }

  async function* counted(): AsyncGenerator<Uint8Array> {
    if (started) throw new Error(`readResourceStream(${uri}) can be iterated only once`);
    started = true;
    for await (const chunk of produce()) {
      chunks++;
      bytes += chunk.length;
      // Chunks die young: raw ones, and windows too once their content is emptied (takeBytes).
      // (Full collections every 64 MiB, as the server makes, cost a client more than they gave:
      // a 1 GiB stdio read took 11.5-12.2 s with them, 7.9-9.6 s without.)
      if (state.mode === 'raw') sharedPacer('minor').add(chunk.length);
      else sharedPacer('minor', DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES).add(chunk.length);
      yield chunk;
    }
  }

  const stream: ResourceStream = {
    uri,
    get size() {
      return state.size;
    },
    get mimeType() {
      return state.mimeType;
    },
    get mode() {
      return state.mode;
    },
    [Symbol.asyncIterator]: () => counted(),
    text: () => decodeText(counted()),
    lines: () => splitLines(decodeText(counted())),
    stats: () => {
      const elapsedMs = performance.now() - startedAt;
      const seconds = Math.max(elapsedMs, 1) / 1000;
      return { chunks, bytes, elapsedMs, chunksPerSecond: chunks / seconds, bytesPerSecond: bytes / seconds, peakQueueDepth };
    },
  };
  return stream;
}

/** What a read knows about its resource once the first answer came. */
interface RawState {
  size: number | undefined;
  mimeType: string | undefined;
  mode: ReadMode | undefined;
  /** Whether a raw stream can be resumed with a `Range` request. */
  ranges?: boolean;
  /** The version the first answer named (`ETag`): every resumption asks for it (`If-Match`). */
  version?: string;
}

interface WindowContext {
  readonly chunkSize: number;
  readonly inFlight: number;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly depth: (n: number) => void;
  readonly state: RawState;
}

interface Fetched {
  readonly bytes: Uint8Array;
  readonly window: WindowInfo | undefined;
  readonly mimeType: string | undefined;
}

async function* windows(connection: ReadConnection, uri: string, ctx: WindowContext): AsyncGenerator<Uint8Array> {
  const client = connection.client;
  const readId = globalThis.crypto.randomUUID();
  const fetchOnce = async (offset: number, length: number): Promise<Fetched> => {
    const result = await remote(
      client.request(
        // Bytes are what we want: blobs need no character cuts and no text decoding on either side.
        { method: Method.ResourcesRead, params: { uri, _meta: { [WINDOW_META_KEY]: { offset, length, readId, blob: true } } } },
        windowResultSchema,
        { signal: ctx.signal, timeout: ctx.timeoutMs },
      ),
    );
    return decodeResult(result);
  };
  // A window is a read: over HTTP, one whose request broke is simply asked again (not over stdio, where
  // a broken pipe means the server is gone).
  const fetchWindow = (offset: number, length: number): Promise<Fetched> =>
    connection.url === undefined
      ? fetchOnce(offset, length)
      : withRetries(connection, uri, ctx.signal, () => fetchOnce(offset, length), (error) => !(error instanceof RemoteError) && !(error instanceof CancelledError));
  let keptOnServer = false;
  let finished = false;
  try {
    const first = await fetchWindow(0, ctx.chunkSize);
    ctx.state.mimeType = first.mimeType;
    if (first.window === undefined) {
      // The server answered the whole resource (no window support, or a resource that is not streamed).
      ctx.state.mode = 'whole';
      ctx.state.size = first.bytes.length;
      finished = true;
      if (first.bytes.length > 0) yield first.bytes;
      return;
    }
    ctx.state.mode = 'windows';
    ctx.state.size = first.window.size;
    let window = first.window;
    // Sequential: the server keeps its reader at `next` until we read on or release it.
    keptOnServer = !window.seekable && !window.end;
    if (first.bytes.length > 0) yield first.bytes;
    if (!window.seekable) {
      // One window at a time.
      while (!window.end) {
        ctx.depth(1);
        const fetched = await fetchWindow(window.next, ctx.chunkSize);
        window = expectWindow(fetched, uri, window.next);
        keptOnServer = !window.end;
        if (fetched.bytes.length > 0) yield fetched.bytes;
      }
      finished = true;
      return;
    }
    // Random access: keep `inFlight` windows requested ahead at planned offsets.
    const size = window.size;
    let position = window.next; // next byte the caller gets
    let planned = position; // next offset to request
    const queue: Array<{ offset: number; promise: Promise<Fetched> }> = [];
    const refill = () => {
      while (queue.length < ctx.inFlight && (size === undefined || planned < size) && !window.end) {
        const promise = fetchWindow(planned, ctx.chunkSize);
        promise.catch(() => {}); // observed when its turn comes
        queue.push({ offset: planned, promise });
        planned += ctx.chunkSize;
      }
      ctx.depth(queue.length);
    };
    refill();
    while (!window.end) {
      const head = queue.shift();
      if (head === undefined) break;
      if (head.offset !== position) {
        // The previous text window stopped short of a split character: fetch the gap (1-3 bytes) first.
        const gap = await fetchWindow(position, head.offset - position);
        const gapWindow = expectWindow(gap, uri, position);
        if (gap.bytes.length > 0) yield gap.bytes;
        position = gapWindow.next;
        if (position !== head.offset) throw new StreamLostError(`Reading ${uri}: the server skipped bytes ${position}-${head.offset - 1}`);
      }
      const fetched = await head.promise;
      window = expectWindow(fetched, uri, head.offset);
      position = window.next;
      refill();
      if (fetched.bytes.length > 0) yield fetched.bytes;
      if (window.end) {
        finished = true;
        return;
      }
    }
    if (size !== undefined && position < size) {
      // Planned windows ran out before the end (a window came back short): continue one at a time.
      while (!window.end) {
        const fetched = await fetchWindow(position, ctx.chunkSize);
        window = expectWindow(fetched, uri, position);
        position = window.next;
        if (fetched.bytes.length > 0) yield fetched.bytes;
      }
    }
    finished = true;
  } finally {
    if (!finished && keptOnServer) {
      // Stopped early: release the reader the server keeps for our next window (best effort).
      void client.readResource({ uri, _meta: { [WINDOW_META_KEY]: { readId, close: true } } }, { timeout: ctx.timeoutMs }).catch(() => {});
    }
  }
}

function expectWindow(fetched: Fetched, uri: string, offset: number): WindowInfo {
  if (fetched.window === undefined || fetched.window.offset !== offset) {
    throw new StreamLostError(`Reading ${uri}: the server answered a window at ${fetched.window?.offset ?? 'no offset'}; expected ${offset}`);
  }
  return fetched.window;
}

function decodeResult(result: ReadResourceResult): Fetched {
  const window = (result._meta as Record<string, unknown> | undefined)?.[WINDOW_META_KEY] as WindowInfo | undefined;
  // A windowed answer has the window in contents[0] (a note may follow); a whole answer is all of its contents.
  const parts = window === undefined ? result.contents : result.contents.slice(0, 1);
  const buffers = parts.map(takeBytes);
  const bytes = buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers);
  return { bytes, window, mimeType: result.contents[0]?.mimeType };
}

/**
 * Runs `attempt`; when it fails in a way `retryable` accepts, waits (backoff
 * with jitter, announced to `onReconnect`) and runs it again, until
 * `maxAttempts` failures in a row (counting `failed`, those before the
 * first call), then fails with `StreamLostError`.
 */
async function withRetries<T>(
  connection: ReadConnection,
  uri: string,
  signal: AbortSignal,
  attempt: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  failed = 0,
): Promise<T> {
  const { reconnect: policy } = connection;
  let lastError: unknown;
  for (let failures = failed; ; failures++) {
    if (failures > 0) {
      if (failures >= policy.maxAttempts) {
        const why = lastError instanceof Error ? ` (${lastError.message})` : '';
        throw new StreamLostError(`Reading ${uri}: gave up after ${failures} attempts${why}`, { cause: lastError });
      }
      const delayMs = backoffDelay(policy, failures - 1);
      connection.onReconnect?.({ attempt: failures, maxAttempts: policy.maxAttempts, delayMs });
      await pause(delayMs, signal);
    }
    try {
      return await attempt();
    } catch (error) {
      if (signal.aborted || !retryable(error)) throw error;
      lastError = error;
    }
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

/**
 * A raw stream that resumes where it broke: a `Range` request from the
 * first byte not yet received, when the server accepts ranges (files). A
 * sequential source cannot be resumed: its break is a `StreamLostError`.
 */
async function* resumableRaw(
  connection: ReadConnection,
  uri: string,
  first: AsyncIterable<Uint8Array>,
  ctx: { chunkSize: number; signal: AbortSignal; depth: (n: number) => void; state: RawState },
): AsyncGenerator<Uint8Array> {
  let body = first;
  let received = 0;
  for (;;) {
    try {
      for await (const chunk of rawChunks(body, uri, ctx.chunkSize, ctx.signal, ctx.depth, received)) {
        received += chunk.length;
        yield chunk;
      }
      return;
    } catch (error) {
      // Every byte arrived and only the end of the response was lost: nothing to resume.
      if (ctx.state.size !== undefined && received >= ctx.state.size) return;
      if (!(error instanceof StreamLostError) || ctx.signal.aborted || ctx.state.ranges !== true) throw error;
      const from = received;
      body = await withRetries(
        connection,
        uri,
        ctx.signal,
        async () => {
          const resumed = await openRaw(connection, uri, ctx.signal, ctx.state, from);
          if (resumed === undefined) throw new StreamLostError(`Reading ${uri}: the server no longer streams it`);
          return resumed;
        },
        (e) => e instanceof StreamLostError,
        1, // the break itself was the first failure
      );
    }
  }
}

/** POSTs `resources/stream`; the body when the server streams, `undefined` when it says to use windows instead. */
async function openRaw(
  connection: ReadConnection,
  uri: string,
  signal: AbortSignal,
  state: RawState,
  from: number,
): Promise<AsyncIterable<Uint8Array> | undefined> {
  const client = connection.client;
  const version = client.getNegotiatedProtocolVersion();
  const sessionId = connection.sessionId();
  const modern = version === STATELESS_PROTOCOL_VERSION;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json, */*' };
  if (version !== undefined) headers[Header.ProtocolVersion] = version;
  if (sessionId !== undefined) headers[Header.SessionId] = sessionId;
  if (from > 0) headers[Header.Range] = `bytes=${from}-`;
  if (from > 0 && state.version !== undefined) headers[Header.IfMatch] = state.version;
  const params = {
    uri,
    ...(modern && {
      _meta: {
        [PROTOCOL_VERSION_META_KEY]: version,
        [CLIENT_CAPABILITIES_META_KEY]: connection.capabilities,
        [CLIENT_INFO_META_KEY]: connection.clientInfo,
      },
    }),
  };
  let response: Response;
  try {
    response = await connection.fetch(connection.url!, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: Method.ResourcesStream, params }),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StreamLostError(`Reading ${uri}: resources/stream failed: ${(error as Error).message}`, { cause: error });
  }
  const type = response.headers.get(Header.ContentType) ?? '';
  if (/^application\/json\b/i.test(type) || !response.ok) {
    const text = await response.text();
    let message: { error?: { code?: number; message?: string; data?: unknown } } = {};
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      // not JSON: reported below with the status
    }
    const code = message.error?.code;
    // Not a streamed resource, or the server wants the capability: windows work for every resource.
    if (code === ErrorCode.StreamNotSupported || code === ErrorCode.MissingClientCapability) return undefined;
    if (response.status === 412 || code === ErrorCode.ResourceChanged) {
      throw new ResourceChangedError(`${uri} changed after ${from} bytes were read; read it again from the start`, { cause: message.error?.data });
    }
    throw new RemoteError(message.error?.message ?? `resources/stream answered HTTP ${response.status}`, code, {
      cause: message.error?.data,
    });
  }
  if (from > 0 && response.status !== 206) {
    await response.body?.cancel();
    throw new StreamLostError(`Reading ${uri}: the server did not resume at byte ${from} (HTTP ${response.status})`);
  }
  if (from === 0) {
    const length = response.headers.get(Header.ContentLength);
    state.size = length === null ? undefined : Number(length);
    state.mimeType = type;
    state.mode = 'raw';
    state.ranges = response.headers.get(Header.AcceptRanges) === 'bytes';
    state.version = response.headers.get(Header.ETag) ?? undefined;
  }
  // A nodeFetch body is read as the Node stream it is (no web stream per chunk); any other as a web stream.
  return nodeBody(response) ?? (response.body as AsyncIterable<Uint8Array> | null) ?? noBytes();
}

async function* noBytes(): AsyncGenerator<Uint8Array> {}

async function* rawChunks(
  body: AsyncIterable<Uint8Array>,
  uri: string,
  chunkSize: number,
  signal: AbortSignal,
  depth: (n: number) => void,
  from: number,
): AsyncGenerator<Uint8Array> {
  // Leaving the loop early (a break, or an error below) ends the body: the connection closes and the
  // server stops reading the source.
  const chunks = body[Symbol.asyncIterator]();
  let received = from;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (error) {
        if (signal.aborted) throw error;
        throw new StreamLostError(`Reading ${uri}: the stream broke after ${received} bytes (${(error as Error).message})`, { cause: error });
      }
      if (next.done === true) return;
      depth(1);
      received += next.value.length;
      for (let at = 0; at < next.value.length; at += chunkSize) yield next.value.subarray(at, at + chunkSize);
    }
  } finally {
    await chunks.return?.()?.catch(() => {});
  }
}

async function* decodeText(source: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  for await (const chunk of source) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

async function* splitLines(source: AsyncIterable<string>): AsyncGenerator<string> {
  let carry = '';
  for await (const text of source) {
    // Search only the new text: a long line without newlines stays linear.
    let at = text.indexOf('\n');
    if (at !== -1) at += carry.length;
    carry += text;
    let from = 0;
    while (at !== -1) {
      yield carry.slice(from, at > from && carry[at - 1] === '\r' ? at - 1 : at);
      from = at + 1;
      at = carry.indexOf('\n', from);
    }
    carry = carry.slice(from);
  }
  if (carry !== '') yield carry;
}
