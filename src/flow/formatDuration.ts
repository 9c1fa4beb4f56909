/**
 * Durations for people: `90000` → `1m30s`, `300` → `300ms`.
 *
 * @module
 */

/** `90000` → `1m30s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `${h > 0 ? `${h}h` : ''}${m > 0 ? `${m}m` : ''}${rest > 0 || s === 0 ? `${rest}s` : ''}`;
}
