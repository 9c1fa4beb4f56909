/**
 * Waiting for a writable to take more: the one way sluice's writers (the
 * Node adapter's socket, the stdio pump's stdout) honour backpressure.
 *
 * @module
 */
import type { Writable } from 'node:stream';

/** Resolves on `drain`, when the stream closes, or when `stop` aborts (at once if it already has). */
export function drained(stream: Writable, stop?: AbortSignal): Promise<void> {
  if (stop?.aborted === true || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    stop?.addEventListener('abort', done, { once: true });
  });
}
