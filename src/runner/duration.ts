/**
 * Durations in the config: `500ms`, `30s`, `5m`, `1h`, combinations like
 * `1m30s`, or a plain number of seconds.
 *
 * @module
 */

import { MAX_TIMER_DELAY_MS } from '../errors.js';

/**
 * Longest duration a config may give (ms): the largest delay a timer takes.
 * Beyond it a timer fires at once, so a huge `timeout` would make every call
 * time out immediately.
 */
export const MAX_DURATION_MS = MAX_TIMER_DELAY_MS;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration to milliseconds; `undefined` when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total > 0 ? Math.round(total) : undefined;
}
