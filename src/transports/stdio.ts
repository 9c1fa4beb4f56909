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
  const transport = new StdioServerTransport(stdin, stdout);
  const handle = sdkServeStdio(sluice.factory, {
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
