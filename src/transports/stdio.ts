/**
 * `serveStdio`: serves a {@link SluiceServer} over stdin/stdout, both eras
 * (the SDK's `serveStdio` negotiates per connection). stdout carries only
 * protocol frames; anything else a server wants to say goes to stderr.
 *
 * The SDK's stdio transport awaits stdout `drain`, so a slow reader slows the
 * tools down instead of growing memory. Around it, sluice adds:
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
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { serveStdio as sdkServeStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../defaults.js';
import { ErrorCode, Method } from '../protocol/wire.js';
import type { SluiceServer } from '../server/sluiceServer.js';

export interface ServeStdioOptions {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly onerror?: (error: Error) => void;
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
  const inner = new StdioServerTransport(stdin, stdout);
  // One stdio connection is one client: remember what it declared at initialize.
  let declared: Record<string, unknown> | undefined;
  const transport = stdioConnection(inner, stdout, (capabilities) => {
    declared = capabilities;
  });
  const handle = sdkServeStdio(() => sluice.createServer({ clientCapabilities: () => declared }), {
    transport,
    ...(options.onerror !== undefined && { onerror: options.onerror }),
  });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      sluice.abortAll();
      await sluice.idle(DEFAULT_SHUTDOWN_GRACE_MS);
      await handle.close().catch(() => {});
    })());
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  }).then(close);
  return { closed, close };
}

/** The SDK's stdio transport with sluice's additions (see the module comment). */
function stdioConnection(inner: Transport, stdout: Writable, onInitialize: (capabilities: Record<string, unknown> | undefined) => void): Transport {
  const inflight = new Set<string | number>();
  let unflushed = false;
  const outer: Transport = {
    start: () => {
      inner.onmessage = (message, extra) => {
        if ('method' in message && 'id' in message) {
          if (inflight.has(message.id)) {
            void inner.send(reusedIdError(message.id)).catch(() => {});
            return;
          }
          inflight.add(message.id);
          if (message.method === Method.Initialize) {
            onInitialize((message.params as { capabilities?: Record<string, unknown> } | undefined)?.capabilities);
          }
        } else if ('method' in message && message.method === Method.CancelledNotification) {
          const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
          if (typeof requestId === 'string' || typeof requestId === 'number') inflight.delete(requestId); // never answered now
        }
        outer.onmessage?.(message, extra);
      };
      inner.onclose = () => outer.onclose?.();
      inner.onerror = (error) => outer.onerror?.(error);
      return inner.start();
    },
    send: async (message, sendOptions) => {
      const response = !('method' in message) && 'id' in message;
      if (response) {
        if (typeof message.id === 'string' || typeof message.id === 'number') inflight.delete(message.id);
        // What was written before reaches the pipe in its own write, not combined with this one;
        // then one turn of the event loop, so a reader that keeps up sees it in its own read.
        if (unflushed) {
          await flushed(stdout);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
      unflushed = !response;
      return inner.send(message, sendOptions);
    },
    close: () => inner.close(),
  };
  return outer;
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
