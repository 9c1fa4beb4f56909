/**
 * The Prometheus text format, read: each sample as its metric name, labels
 * and value (`# HELP`/`# TYPE` lines and timestamps are skipped). Enough for
 * `sluice top` to read any sluice's `/metrics`; not a general parser (no
 * exemplars, no OpenMetrics extensions).
 *
 * @module
 */

/** One sample of an exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of an exposition, in order; lines that are not samples are skipped. */
export function parsePromText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (match === null) continue;
    const value = valueOf(match[3]!);
    if (value === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = raw!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** A sample's value (`+Inf`, `-Inf` and `NaN` as the format spells them); `undefined` when it is none. */
function valueOf(text: string): number | undefined {
  if (text === '+Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  const value = Number(text);
  return Number.isNaN(value) ? undefined : value;
}

/** Sums the samples of `name` whose labels include `match`, grouped by the value of `by` (or in one group `''`). */
export function sumBy(samples: readonly Sample[], name: string, by?: string, match: Readonly<Record<string, string>> = {}): Map<string, number> {
  const sums = new Map<string, number>();
  for (const sample of samples) {
    if (sample.name !== name || Number.isNaN(sample.value)) continue;
    if (!Object.entries(match).every(([k, v]) => sample.labels[k] === v)) continue;
    const key = by === undefined ? '' : (sample.labels[by] ?? '');
    sums.set(key, (sums.get(key) ?? 0) + sample.value);
  }
  return sums;
}

/** The sum of every sample of `name` whose labels include `match` (0 when there is none). */
export function total(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}): number {
  return sumBy(samples, name, undefined, match).get('') ?? 0;
}
