/**
 * The one way sluice reads time. Library code takes a {@link Clock} so that
 * tests can drive time by hand instead of sleeping.
 *
 * @module
 */

/** Opaque timer handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = unknown;

/** A source of time and one-shot timers. */
export interface Clock {
  /** Milliseconds on a monotonic-enough scale; only differences matter. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds. The timer must not keep a process alive. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer; a no-op for one that already fired. */
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `performance.now()` and global timers, unref'd where the runtime allows. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms) as unknown as { unref?: () => void };
    handle.unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as Parameters<typeof clearTimeout>[0]);
  },
};

/**
 * Wall time (`Date.now()`) with the global timers: for what several processes
 * compare (session activity and event ages kept in a shared store), where a
 * per-process `performance.now()` origin would mean nothing.
 */
export const wallClock: Clock = {
  now: () => Date.now(),
  setTimeout: systemClock.setTimeout,
  clearTimeout: systemClock.clearTimeout,
};
