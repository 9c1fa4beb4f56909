/**
 * Reconnection delays: exponential backoff with jitter, never shorter than
 * the `retry` the server asked for, and a bounded number of attempts.
 *
 * "Equal jitter": half of the backoff is fixed, the other half random, so
 * clients that lost the same server at the same moment spread out without
 * ever retrying at once.
 *
 * @module
 */

export interface BackoffPolicy {
  /** Delay before the first attempt (ms). */
  readonly initialDelayMs: number;
  /** Longest delay (ms). */
  readonly maxDelayMs: number;
  /** Growth per attempt. */
  readonly factor: number;
  /** Attempts in a row before giving up. */
  readonly maxAttempts: number;
}

/**
 * The delay before attempt `attempt` (0-based): `initial × factor^attempt`,
 * capped, jittered to between half and all of it, and at least `floorMs`
 * (the server's `retry`).
 */
export function backoffDelay(policy: BackoffPolicy, attempt: number, floorMs = 0, random: () => number = Math.random): number {
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** attempt);
  return Math.max(floorMs, Math.round(backoff / 2 + (random() * backoff) / 2));
}
