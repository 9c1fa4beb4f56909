/** What both bench servers share, so both do the same work. */
export const ECHO_DESCRIPTION = 'Echoes its text';
export function echo(text: string): { content: Array<{ type: 'text'; text: string }> } {
  return { content: [{ type: 'text', text }] };
}
/** One 64 KiB chunk of output. */
export const CHUNK_TEXT = 'z'.repeat(64 * 1024);
/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes on one machine. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
