/** What both bench servers share, so both do the same work. */
export const ECHO_DESCRIPTION = 'Echoes its text';
export function echo(text: string): { content: Array<{ type: 'text'; text: string }> } {
  return { content: [{ type: 'text', text }] };
}
/** One 64 KiB chunk of output. */
export const CHUNK_TEXT = 'z'.repeat(64 * 1024);
/**
 * Wall-clock milliseconds, comparable across processes on one machine. Not
 * `performance.timeOrigin + performance.now()`: `timeOrigin` is fixed when a
 * process starts, so after the system clock is adjusted two processes
 * disagree (a run here showed 6.7 s of "cancel latency" over stdio for both
 * servers alike). `Date.now()` reads the clock at the moment of measuring, at
 * 1 ms resolution.
 */
export const epochMs = (): number => Date.now();
