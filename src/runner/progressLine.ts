/**
 * The `::progress DONE[/TOTAL] [message]` line a script prints on stdout to
 * report progress.
 *
 * @module
 */
import type { ProgressUpdate } from '../flow/progressThrottle.js';
import { SCRIPT_PROGRESS_PREFIX } from '../protocol/wire.js';

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const PATTERN = new RegExp(String.raw`^${SCRIPT_PROGRESS_PREFIX}\s+${NUMBER}(?:/${NUMBER})?(?:\s+(.*))?$`);

/** Parses a progress line; `undefined` for any other line (including malformed progress lines, which stay output). */
export function parseProgressLine(line: string): ProgressUpdate | undefined {
  if (!line.startsWith(SCRIPT_PROGRESS_PREFIX)) return undefined;
  const m = PATTERN.exec(line);
  if (m === null) return undefined;
  const message = m[3]?.trim();
  return {
    progress: Number(m[1]),
    ...(m[2] !== undefined && { total: Number(m[2]) }),
    ...(message !== undefined && message !== '' && { message }),
  };
}
