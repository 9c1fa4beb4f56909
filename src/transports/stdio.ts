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
 * - what every message connection does (`messageConnection.ts`): reused
 *   request ids refused, declared capabilities kept.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { serveStdio as sdkServeStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { DEFAULT_SHUTDOWN_GRACE_MS, DEFAULT_STREAM_HIGH_WATER_BYTES } from '../defaults.js';
import type { LogCursor } from '../stores/eventLog.js';
import { drained } from './drained.js';
import { connectionLog, MessageConnection } from './messageConnection.js';
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
  const { log, stream } = connectionLog(options.highWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES);
  const connection = new MessageConnection(new StdioServerTransport(stdin, stdout), log, stream);
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

/** The cursor that writes the log to stdout, one event after the pipe took the previous one. */
async function pump(cursor: LogCursor, stdout: Writable, connection: MessageConnection, tracker: StreamTracker): Promise<void> {
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
      // The message and its newline in one write (writev), without copying the message.
      tracker.sent(event.data.length + 1);
      stdout.cork();
      stdout.write(event.data);
      const room = stdout.write(newline);
      stdout.uncork();
      if (!room) await drained(stdout);
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

