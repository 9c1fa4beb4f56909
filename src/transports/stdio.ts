/**
 * `serveStdio`: serves a {@link SluiceServer} over stdin/stdout, both eras
 * (the SDK's `serveStdio` negotiates per connection and reads stdin). stdout
 * carries only protocol frames; anything else a server wants to say goes to
 * stderr.
 *
 * Outbound, stdio is a stream log like every other stream: whatever the
 * server sends is appended to one bounded stream of the connection's log, and
 * a pump is the cursor that writes it to stdout, taking the next event only
 * once the pipe drained. A reader that stops reading therefore holds the
 * tools back at the high-water mark instead of growing memory. Around it:
 * - **a response never shares a write with what came before it**: before a
 *   response goes out, the writes queued ahead of it are flushed to the pipe
 *   first. Queued writes are otherwise combined into one `writev`, and the
 *   stock TypeScript SDK client drops a progress notification that arrives in
 *   the same read as the result (the final progress value, typically);
 * - **a request id reused while in flight is refused** with -32600 (and
 *   `id: null`, so it cannot be taken for the first request's answer); the
 *   first request is unharmed;
 * - the capabilities the client declared at initialize (the SDK keeps only
 *   those it knows).
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import { serveStdio as sdkServeStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_STREAM_HIGH_WATER_BYTES } from '../defaults.js';
import { Serial } from '../flow/serial.js';
import type { LogCursor } from '../stores/eventLog.js';
import { drained } from './drained.js';
import { messageJson } from './messageJson.js';
import { MemoryEventLog } from '../stores/memory/memoryEventLog.js';
import { MAX_TIMER_DELAY_MS } from '../errors.js';
import { ErrorCode, Method } from '../protocol/wire.js';
import type { SluiceServer } from '../server/sluiceServer.js';
import type { StreamTracker } from '../server/activity.js';

export interface ServeStdioOptions {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly onerror?: (error: Error) => void;
  /** Unread bytes the outbound stream holds before a call's notifications wait. @defaultValue {@link DEFAULT_STREAM_HIGH_WATER_BYTES} */
  readonly highWaterBytes?: number;
}

export interface RunningStdioServer {
  /** Resolves when the peer closes stdin (or {@link RunningStdioServer.close} is called). */
  readonly closed: Promise<void>;
  /** Cancels in-flight work and closes the connection. Idempotent. */
  close(): Promise<void>;
}

export function serveStdio(sluice: SluiceServer, options: ServeStdioOptions = {}): RunningStdioServer {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  // Nothing resumes a pipe: delivered events go at once, and unread ones never age out.
  const log = new MemoryEventLog({
    highWaterBytes: options.highWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES,
    keepDelivered: false,
    limits: { maxAgeMs: MAX_TIMER_DELAY_MS, maxEvents: STDIO_MAX_UNREAD_EVENTS, maxBytes: Number.MAX_SAFE_INTEGER, maxSessionBytes: Number.MAX_SAFE_INTEGER, maxStreams: 1 },
  });
  const stream = log.openStreamNow();
  const connection = new StdioConnection(new StdioServerTransport(stdin, stdout), log, stream);
  const outbound = { pressure: log.pressure(stream) };
  const tracker = sluice.activity.openStream({ kind: 'stdio', pressure: outbound.pressure, highWaterBytes: options.highWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES });
  const pumping = pump(log.cursor(stream, undefined), stdout, connection, tracker).finally(() => tracker.close());
  const handle = sdkServeStdio(() => sluice.createServer({ clientCapabilities: () => connection.declared, outbound: () => outbound, stream: 'stdio' }), {
    transport: connection,
    ...(options.onerror !== undefined && { onerror: options.onerror }),
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      sluice.abortAll();
      await sluice.idle(DEFAULT_SHUTDOWN_GRACE_MS);
      await log.end(stream);
      await Promise.race([pumping, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      await handle.close().catch(() => {});
      await log.clear();
    })());
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  }).then(close);
  return { closed, close };
}

/** Events the stdio stream holds unread at most; its producers wait at half of it (results never wait). */
const STDIO_MAX_UNREAD_EVENTS = 100_000;

/** The SDK's stdio transport for reading; everything sent goes to the log (see the module comment). */
class StdioConnection implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** What the client declared at initialize. */
  declared: Record<string, unknown> | undefined;
  /** Event ids of responses, for the pump: a response is written on its own. */
  readonly responses = new Set<string>();
  readonly #inner: Transport;
  readonly #log: MemoryEventLog;
  readonly #stream: string;
  readonly #inflight = new Set<string | number>();
  /** Appends in send order. */
  readonly #order = new Serial();

  constructor(inner: Transport, log: MemoryEventLog, stream: string) {
    this.#inner = inner;
    this.#log = log;
    this.#stream = stream;
  }

  start(): Promise<void> {
    this.#inner.onmessage = (message, extra) => this.#receive(message, extra);
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (error) => this.onerror?.(error);
    return this.#inner.start();
  }

  #receive(message: JSONRPCMessage, extra: Parameters<NonNullable<Transport['onmessage']>>[1]): void {
    if ('method' in message && 'id' in message) {
      if (this.#inflight.has(message.id)) {
        void this.send(reusedIdError(message.id));
        return;
      }
      this.#inflight.add(message.id);
      if (message.method === Method.Initialize) this.declared = (message.params as { capabilities?: Record<string, unknown> } | undefined)?.capabilities;
    } else if ('method' in message && message.method === Method.CancelledNotification) {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') this.#inflight.delete(requestId); // never answered now
    }
    this.onmessage?.(message, extra);
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const response = !('method' in message) && 'id' in message;
    if (response && (typeof message.id === 'string' || typeof message.id === 'number')) this.#inflight.delete(message.id);
    // A call's notifications wait for room; responses and everything else only for what was sent before them.
    const wait = !response && options?.relatedRequestId !== undefined;
    const data = messageJson(message);
    return this.#order.run(async () => {
      const id = await this.#log.append(this.#stream, data, { wait });
      if (response && id !== undefined) this.responses.add(id);
    });
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** The cursor that writes the log to stdout, one event after the pipe took the previous one. */
async function pump(cursor: LogCursor, stdout: Writable, connection: StdioConnection, tracker: StreamTracker): Promise<void> {
  const newline = new Uint8Array([10]);
  let unflushed = false;
  try {
    for (let event = await cursor.next(); event !== undefined; event = await cursor.next()) {
      const response = connection.responses.delete(event.id);
      if (response && unflushed) {
        // What was written before reaches the pipe in its own write, not combined with this one;
        // then one turn of the event loop, so a reader that keeps up sees it in its own read.
        await flushed(stdout);
        await new Promise((resolve) => setImmediate(resolve));
      }
      unflushed = !response;
      if (stdout.destroyed) return;
      const frame = new Uint8Array(event.data.length + 1);
      frame.set(event.data);
      frame.set(newline, event.data.length);
      tracker.sent(frame.length);
      if (!stdout.write(frame)) await drained(stdout);
      cursor.delivered(event.id);
    }
  } catch {
    // The log was cleared (the connection closed): nothing left to write.
  }
}

/** Resolves once every write queued so far has been handed to the OS. */
function flushed(stdout: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stdout.writableLength === 0 || stdout.destroyed) resolve();
    else stdout.write('', () => resolve());
  });
}

function reusedIdError(id: string | number): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id: null,
    error: { code: ErrorCode.InvalidRequest, message: `Invalid Request: request id ${JSON.stringify(id)} is already in flight; use a new id`, data: { requestId: id } },
  } as unknown as JSONRPCMessage;
}
