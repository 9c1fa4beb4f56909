/**
 * `GcPacer`: a full garbage collection after every so many bytes streamed.
 *
 * Streaming a large resource allocates a little garbage per chunk (strings,
 * buffers, JSON-RPC messages). V8 lets its old generation grow by tens of
 * megabytes before collecting it, which is what a process's peak RSS then
 * shows, whatever the size of the buffers. Collecting every few megabytes
 * streamed keeps the peak flat, for a few milliseconds each time.
 *
 * It collects only where the runtime exposes `gc` (`node --expose-gc`; the
 * `sluice` CLI turns it on for itself). A library never changes the runtime
 * it runs in: without `gc` this is a no-op.
 *
 * @module
 */
import { DEFAULT_COLLECT_EVERY_BYTES } from '../defaults.js';

type Collect = (options?: { type: 'major' | 'minor'; execution: 'sync' | 'async' }) => void;

export class GcPacer {
  #since = 0;

  /**
   * @param everyBytes - bytes between collections; 0 turns pacing off.
   * @param collect - the collector; `undefined` turns pacing off
   */
  constructor(
    readonly everyBytes: number,
    private readonly collect: Collect | undefined,
  ) {}

  /** A pacer on the runtime's `gc`, when it is exposed. */
  static fromRuntime(everyBytes: number): GcPacer {
    return new GcPacer(everyBytes, (globalThis as { gc?: Collect }).gc);
  }

  /** Whether collections actually happen (the runtime exposes `gc` and pacing is on). */
  get active(): boolean {
    return this.collect !== undefined && this.everyBytes > 0;
  }

  /** Counts `bytes` streamed; collects once `everyBytes` have passed since the last collection. */
  add(bytes: number): void {
    if (!this.active) return;
    this.#since += bytes;
    if (this.#since >= this.everyBytes) {
      this.#since = 0;
      this.collect!({ type: 'major', execution: 'async' });
    }
  }
}

let shared: GcPacer | undefined;

/** The process-wide pacer every resource stream counts its bytes into (created on first use, so `gc` exposed at startup is seen). */
export function streamPacer(): GcPacer {
  return (shared ??= GcPacer.fromRuntime(DEFAULT_COLLECT_EVERY_BYTES));
}
