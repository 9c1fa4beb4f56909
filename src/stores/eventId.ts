/**
 * The event ids every {@link EventLog} issues: `<stream>_<seq>`, the stream
 * and a sequence number unique within the log, so a `Last-Event-ID` alone
 * names the stream to resume.
 *
 * @module
 */

const SEPARATOR = '_';

export function eventIdOf(streamId: string, seq: number): string {
  return `${streamId}${SEPARATOR}${seq}`;
}

/** `undefined` for an id no log issues. */
export function parseEventId(eventId: string): { streamId: string; seq: number } | undefined {
  const at = eventId.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const digits = eventId.slice(at + 1);
  const seq = Number(digits);
  if (digits === '' || !Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { streamId: eventId.slice(0, at), seq };
}
