/**
 * The CLI is an application, so it may tune the runtime it runs in (a
 * library never does). It exposes V8's `gc` so that resource streams can
 * collect as they go (`flow/gcPacer.ts`) and keep peak memory flat.
 *
 * @module
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Makes `globalThis.gc` available, if it is not already. */
export function exposeGc(): void {
  const global = globalThis as { gc?: unknown };
  if (typeof global.gc === 'function') return;
  setFlagsFromString('--expose-gc');
  global.gc = runInNewContext('gc');
}
