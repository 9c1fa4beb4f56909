/**
 * `GcPacer`: a full garbage collection after every so many bytes streamed.
 *
 * Streaming a large resource allocates a little garbage per chunk (strings,
 * buffers, JSON-RPC messages). V8 lets its old generation grow by tens of
 * megabytes before collecting it, which is what a process's peak RSS then
 * shows, whatever the size of the buffers. Collecting every few megabytes
 * streamed keeps the peak flat, for a few milliseconds each time.
 *
 * What a stream allocates decides the kind of collection. Resource bytes
 * die young: a minor collection (a scavenge, about a millisecond) frees raw
 * chunks and their backing stores, and the strings of windows of
 * `resources/read` too, since a window's content is emptied once written or
 * decoded (`server/singleUse.ts`). So resource streams ask for `minor`. A
 * `major` collection costs tens of milliseconds on a loaded heap (measured:
 * major collections were a third of a raw 1 GiB read's client time before
 * raw streams went minor, and 170-220 ms of each side of a 100 MiB stdio
 * read before windows did).
 *
 * Released sessions are old objects too (`major`); their pacer also
 * {@link GcPacer.settle | settles} when a sweep releases nothing more, so an
 * idle server collects the last of them instead of keeping them until the
 * next thousand.
 *
 * It collects only where the runtime exposes `gc` (`node --expose-gc`; the
 * `sluice` CLI turns it on for itself). A library never changes the runtime
 * it runs in: without `gc` this is a no-op.
 *
 * @module
 */
import { DEFAULT_COLLECT_EVERY_BYTES, DEFAULT_FULL_COLLECT_EVERY_BYTES, DEFAULT_MINOR_COLLECT_EVERY_BYTES, DEFAULT_QUIET_COLLECT_AFTER_MS } from '../defaults.js';
import { type Clock, systemClock } from './clock.js';

/**
 * The collection a pacer asks for:
 * - `minor`: a scavenge of the young generation (about a millisecond);
 * - `major`: a full collection V8 starts and finishes incrementally while
 *   the process runs. Right for a server gone idle; on a busy one the
 *   marking slows everything it does until it ends (measured: a 1 GiB stdio
 *   read took 10.7 s with one every 64 MiB, against 7.5-9.2 s with `full`);
 * - `full`: a full collection at once (a pause of about 26 ms on that read).
 */
export type CollectionKind = 'major' | 'minor' | 'full';

type Collect = (options?: { type: 'major' | 'minor'; execution: 'sync' | 'async' }) => void;

export class GcPacer {
  #since = 0;
  /** When a settle collected: a settle {@link quietMs} later collects once more (see {@link settle}). */
  #settledAt: number | undefined;

  /**
   * @param everyBytes - bytes between collections; 0 turns pacing off.
   * @param collect - the collector; `undefined` turns pacing off
   * @param kind - the collection asked for
   * @param quietMs - how long after a settle's collection the next settle collects once more
   */
  constructor(
    readonly everyBytes: number,
    private readonly collect: Collect | undefined,
    readonly kind: CollectionKind = 'major',
    readonly quietMs: number = DEFAULT_QUIET_COLLECT_AFTER_MS,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A pacer on the runtime's `gc`, when it is exposed. */
  static fromRuntime(everyBytes: number, kind: CollectionKind): GcPacer {
    return new GcPacer(everyBytes, (globalThis as { gc?: Collect }).gc, kind);
  }

  /** Whether collections actually happen (the runtime exposes `gc` and pacing is on). */
  get active(): boolean {
    return this.collect !== undefined && this.everyBytes > 0;
  }

  /** Counts `bytes` streamed; collects once `everyBytes` have passed since the last collection. */
  add(bytes: number): void {
    if (!this.active) return;
    this.#since += bytes;
    if (this.#since >= this.everyBytes) this.#collectNow();
  }

  /**
   * The work paused (a sweep found nothing to release): collects what was
   * counted since the last collection, if anything; and once more at the
   * first settle {@link quietMs} after that. The second collection runs while
   * the process allocates almost nothing, which is when V8 shrinks its young
   * generation back (measured: an idle server otherwise kept 32 MB of it, for
   * as long as V8's own memory reducer left it there, 20 s and more).
   * @param now - the caller's time (its clock), by default the pacer's
   */
  settle(now: number = this.clock.now()): void {
    if (!this.active) return;
    if (this.#since > 0) {
      this.#collectNow();
      this.#settledAt = now;
    } else if (this.#settledAt !== undefined && now - this.#settledAt >= this.quietMs) {
      this.#settledAt = undefined;
      this.#run();
    }
  }

  /** Whether a settle is still to collect once more (its owner keeps calling {@link settle} until it did). */
  get settling(): boolean {
    return this.active && this.#settledAt !== undefined;
  }

  #collectNow(): void {
    this.#since = 0;
    this.#run();
  }

  #run(): void {
    if (this.kind === 'full') this.collect!();
    else this.collect!({ type: this.kind, execution: 'async' });
  }
}

const shared = new Map<string, GcPacer>();

/**
 * The process-wide pacer of one kind and interval (created on first use, so
 * `gc` exposed at startup is seen). Resource streams count their bytes into
 * `minor`: raw streams and a server's windows every 8 MiB, a client's windows
 * every 2 MiB (see `DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES`). A server counts
 * the windows it answers into `full` too, since a few of a window's small
 * objects (the SDK's per-request signals and parse results) outlive young
 * collections: over a 1 GiB stdio read they grew the server's RSS by 65-71 MB
 * (13-19 MB with `full`). The session registry counts the sessions it
 * released into `major`, so an idle server gives their memory back.
 */
export function sharedPacer(kind: CollectionKind, everyBytes: number = EVERY_BYTES[kind]): GcPacer {
  const key = `${kind}:${everyBytes}`;
  let pacer = shared.get(key);
  if (pacer === undefined) shared.set(key, (pacer = GcPacer.fromRuntime(everyBytes, kind)));
  return pacer;
}

const EVERY_BYTES: Record<CollectionKind, number> = {
  minor: DEFAULT_MINOR_COLLECT_EVERY_BYTES,
  major: DEFAULT_COLLECT_EVERY_BYTES,
  full: DEFAULT_FULL_COLLECT_EVERY_BYTES,
};
