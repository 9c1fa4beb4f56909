/**
 * Progress throttle: a pure state machine (no timers, no I/O) deciding which
 * progress updates go out.
 *
 * Invariants, each guarded by a test in `test/flow/progressThrottle.test.ts`:
 * - only strictly increasing `progress` values are ever released (the spec
 *   says progress MUST increase; a stale or repeated value is dropped);
 * - at most one update per `1000 / perSecond` ms is released; updates arriving
 *   faster are coalesced so that only the newest waits;
 * - the newest update is never lost: {@link ProgressThrottle.flush} releases it,
 *   and {@link ProgressThrottle.due} releases it as soon as its window opens.
 *
 * The adapter that owns timers (`server/progress.ts`) calls `offer()` for each
 * update, arms a timer at the returned `flushAt`, calls `due()` when it fires,
 * and `flush()` before the final result.
 *
 * @module
 */

/** One progress update, as in `notifications/progress`. */
export interface ProgressUpdate {
  readonly progress: number;
  readonly total?: number | undefined;
  readonly message?: string | undefined;
}

/** What {@link ProgressThrottle.offer} decided. */
export type OfferOutcome =
  | { readonly kind: 'send'; readonly update: ProgressUpdate }
  | { readonly kind: 'held'; readonly flushAt: number }
  | { readonly kind: 'stale' };

export class ProgressThrottle {
  readonly #intervalMs: number;
  #lastSentProgress = Number.NEGATIVE_INFINITY;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #pending: ProgressUpdate | undefined;

  /** @param perSecond - updates released per second at most; 0 releases every increasing update. */
  constructor(perSecond: number) {
    if (!(perSecond >= 0) || !Number.isFinite(perSecond)) {
      throw new RangeError(`perSecond must be a finite number >= 0; got ${perSecond}`);
    }
    this.#intervalMs = perSecond === 0 ? 0 : 1000 / perSecond;
  }

  /** The newest progress value accepted so far (sent or pending). */
  get highWater(): number {
    return this.#pending?.progress ?? this.#lastSentProgress;
  }

  /** Whether an update is waiting for its window. */
  get hasPending(): boolean {
    return this.#pending !== undefined;
  }

  /** Offers an update at time `now` (ms). */
  offer(update: ProgressUpdate, now: number): OfferOutcome {
    if (!Number.isFinite(update.progress) || update.progress <= this.highWater) {
      return { kind: 'stale' };
    }
    const opensAt = this.#lastSentAt + this.#intervalMs;
    if (this.#pending === undefined && now >= opensAt) {
      return { kind: 'send', update: this.#markSent(update, now) };
    }
    // Coalesce: only the newest waiting update matters, older ones are superseded.
    this.#pending = update;
    return { kind: 'held', flushAt: opensAt };
  }

  /** Releases the pending update if its window is open at `now`. */
  due(now: number): ProgressUpdate | undefined {
    const pending = this.#pending;
    if (pending === undefined || now < this.#lastSentAt + this.#intervalMs) return undefined;
    this.#pending = undefined;
    return this.#markSent(pending, now);
  }

  /** Releases the pending update regardless of the window (call before the final result). */
  flush(now: number): ProgressUpdate | undefined {
    const pending = this.#pending;
    if (pending === undefined) return undefined;
    this.#pending = undefined;
    return this.#markSent(pending, now);
  }

  /** Forgets a pending update without releasing it (after cancellation). */
  reset(): void {
    this.#pending = undefined;
  }

  #markSent(update: ProgressUpdate, now: number): ProgressUpdate {
    this.#lastSentProgress = update.progress;
    this.#lastSentAt = now;
    return update;
  }
}
