/**
 * Token bucket: a pure rate limiter (no timers). `take(now)` says whether one
 * more item may go at time `now` (ms); the bucket holds at most `burst`
 * tokens and refills at `perSecond`. What it refuses is counted, so the
 * caller can say how much it skipped.
 *
 * Used for a script's stderr lines sent as MCP log messages: a script that
 * writes thousands of lines a second reaches the client as a bounded trickle.
 *
 * @module
 */
export class TokenBucket {
  #tokens: number;
  #at: number | undefined;
  #refused = 0;

  /**
   * @param perSecond - tokens added per second (> 0)
   * @param burst - tokens held at most, and at the start (≥ 1)
   */
  constructor(
    readonly perSecond: number,
    readonly burst: number,
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError(`perSecond must be a finite number > 0; got ${perSecond}`);
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`burst must be an integer >= 1; got ${burst}`);
    this.#tokens = burst;
  }

  /** Takes one token at `now` (ms); `false` (and counted as refused) when there is none. */
  take(now: number): boolean {
    if (this.#at !== undefined && now > this.#at) this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#at) * this.perSecond) / 1000);
    this.#at = Math.max(now, this.#at ?? now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    this.#refused++;
    return false;
  }

  /** Items refused since the last call (and resets the count). */
  takeRefused(): number {
    const refused = this.#refused;
    this.#refused = 0;
    return refused;
  }
}
