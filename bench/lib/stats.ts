/** Percentiles and formatting for bench tables. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const mb = (bytes: number) => (Number.isFinite(bytes) ? `${Math.max(0, bytes / 1024 / 1024).toFixed(0)} MiB` : 'n/a');
/** Decimal megabytes, as the targets are written. */
export const decimalMb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
export const ms = (value: number) => `${value.toFixed(2)} ms`;
export const num = (value: number) => value.toLocaleString('en-US', { maximumFractionDigits: 0 });
