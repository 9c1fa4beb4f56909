/**
 * The control lines a script prints on stdout: `::progress DONE[/TOTAL] [message]`
 * reports progress; `::checkpoint TOKEN` keeps where a restarted task continues.
 *
 * @module
 */
import type { ProgressUpdate } from '../flow/progressThrottle.js';
import { SCRIPT_CHECKPOINT_PREFIX, SCRIPT_PROGRESS_PREFIX } from '../protocol/wire.js';

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

/** Longest checkpoint token kept (a longer line stays output). */
export const MAX_CHECKPOINT_BYTES = 4096;

const CHECKPOINT = new RegExp(String.raw`^${SCRIPT_CHECKPOINT_PREFIX}\s+(\S(?:.*\S)?)\s*$`);

/** Parses a checkpoint line; `undefined` for any other line (an empty or oversized token stays output). */
export function parseCheckpointLine(line: string): string | undefined {
  if (!line.startsWith(SCRIPT_CHECKPOINT_PREFIX) || line.length > SCRIPT_CHECKPOINT_PREFIX.length + MAX_CHECKPOINT_BYTES + 2) return undefined;
  return CHECKPOINT.exec(line)?.[1];
}
