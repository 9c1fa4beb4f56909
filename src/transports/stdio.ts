/**
 * `serveStdio`: serves a {@link SluiceServer} over stdin/stdout, both eras
 * (the SDK's `serveStdio` negotiates per connection). stdout carries only
 * protocol frames; anything else a server wants to say goes to stderr.
 *
 * The SDK's stdio transport awaits stdout `drain`, so a slow reader slows the
 * tools down instead of growing memory.
 *
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/server';
import { serveStdio as sdkServeStdio, StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../defaults.js';
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
  // One stdio connection is one client: remember what it declared at initialize
  // (the SDK keeps only the capabilities it knows).
  let declared: Record<string, unknown> | undefined;
  const transport = peekInitialize(inner, (capabilities) => {
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

/** Wraps a transport so `onInitialize` sees the capabilities of an initialize request before the SDK parses it. */
function peekInitialize(inner: Transport, onInitialize: (capabilities: Record<string, unknown> | undefined) => void): Transport {
  const outer: Transport = {
    start: () => {
      inner.onmessage = (message, extra) => {
        if ('method' in message && message.method === 'initialize') {
          onInitialize((message.params as { capabilities?: Record<string, unknown> } | undefined)?.capabilities);
        }
        outer.onmessage?.(message, extra);
      };
      inner.onclose = () => outer.onclose?.();
      inner.onerror = (error) => outer.onerror?.(error);
      return inner.start();
    },
    send: (message, options) => inner.send(message, options),
    close: () => inner.close(),
  };
  return outer;
}
