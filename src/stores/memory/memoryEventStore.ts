/**
 * In-memory {@link SessionEventStore}: one ring of events per stream, bounded
 * by count, age and bytes.
 *
 * Event ids are `<streamId>_<seq>` with `seq` strictly increasing over the
 * whole store (never reused, even after a stream is evicted and written again),
 * so a replay finds its starting point by binary search instead of sorting, and
 * the stream is recovered from the id alone.
 *
 * @module
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { DEFAULT_EVENT_LOG_MAX_AGE_MS, DEFAULT_EVENT_LOG_MAX_BYTES, DEFAULT_EVENT_LOG_MAX_EVENTS } from '../../defaults.js';
import { requireInteger } from '../../errors.js';
import { type Clock, systemClock } from '../../flow/clock.js';
import type { EventLogLimits, SessionEventStore } from '../eventStore.js';

interface StoredEvent {
  readonly seq: number;
  readonly at: number;
  readonly bytes: number;
  readonly message: JSONRPCMessage;
}

interface StreamLog {
  /** Highest sequence number evicted from this stream (-1: none). */
  evictedSeq: number;
  bytes: number;
  events: StoredEvent[];
}

const SEPARATOR = '_';

export class MemoryEventStore implements SessionEventStore {
  readonly #limits: EventLogLimits;
  readonly #clock: Clock;
  readonly #streams = new Map<string, StreamLog>();
  #nextSeq = 0;

  constructor(limits: Partial<EventLogLimits> = {}, clock: Clock = systemClock) {
    this.#limits = {
      maxEvents: requireInteger('eventLog.maxEvents', limits.maxEvents ?? DEFAULT_EVENT_LOG_MAX_EVENTS, 1),
      maxAgeMs: requireInteger('eventLog.maxAgeMs', limits.maxAgeMs ?? DEFAULT_EVENT_LOG_MAX_AGE_MS, 1),
      maxBytes: requireInteger('eventLog.maxBytes', limits.maxBytes ?? DEFAULT_EVENT_LOG_MAX_BYTES, 1),
    };
    this.#clock = clock;
  }

  get size(): number {
    let n = 0;
    for (const log of this.#streams.values()) n += log.events.length;
    return n;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const now = this.#clock.now();
    this.#pruneAged(now);
    let log = this.#streams.get(streamId);
    if (log === undefined) {
      // A stream may come back after its events aged out and its log was dropped:
      // count everything stored before as evicted, so an old id of it is refused
      // instead of replayed with a gap. (For a brand-new stream no such id exists.)
      log = { evictedSeq: this.#nextSeq - 1, bytes: 0, events: [] };
      this.#streams.set(streamId, log);
    }
    const bytes = JSON.stringify(message).length;
    const event: StoredEvent = { seq: this.#nextSeq++, at: now, bytes, message };
    log.events.push(event);
    log.bytes += bytes;
    while (log.events.length > this.#limits.maxEvents || (log.bytes > this.#limits.maxBytes && log.events.length > 1)) {
      this.#dropOldest(log);
    }
    return `${streamId}${SEPARATOR}${event.seq}`;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parseEventId(eventId);
    return parsed !== undefined && this.#streams.has(parsed.streamId) ? parsed.streamId : undefined;
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    this.#pruneAged(this.#clock.now());
    const parsed = parseEventId(lastEventId);
    const log = parsed === undefined ? undefined : this.#streams.get(parsed.streamId);
    if (parsed === undefined || log === undefined) {
      throw new Error(`Unknown Last-Event-ID ${JSON.stringify(lastEventId)}`);
    }
    if (parsed.seq < log.evictedSeq) {
      throw new Error(`Last-Event-ID ${JSON.stringify(lastEventId)} is older than the event log`);
    }
    // Snapshot first: `send` may await while new events are appended.
    for (const event of log.events.slice(firstAfter(log.events, parsed.seq))) {
      // The priming event stores `{}`; it carries no message to replay.
      if (!('jsonrpc' in event.message)) continue;
      await send(`${parsed.streamId}${SEPARATOR}${event.seq}`, event.message);
    }
    return parsed.streamId;
  }

  clear(): void {
    this.#streams.clear();
  }

  #dropOldest(log: StreamLog): void {
    const dropped = log.events.shift();
    if (dropped !== undefined) {
      log.bytes -= dropped.bytes;
      log.evictedSeq = dropped.seq;
    }
  }

  #pruneAged(now: number): void {
    const cutoff = now - this.#limits.maxAgeMs;
    for (const [id, log] of this.#streams) {
      while (log.events.length > 0 && log.events[0]!.at < cutoff) this.#dropOldest(log);
      if (log.events.length === 0) this.#streams.delete(id);
    }
  }
}

/** Index of the first event whose seq is greater than `seq` (events are sorted by seq). */
function firstAfter(events: readonly StoredEvent[], seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function parseEventId(eventId: string): { streamId: string; seq: number } | undefined {
  const at = eventId.lastIndexOf(SEPARATOR);
  if (at <= 0) return undefined;
  const seq = Number(eventId.slice(at + 1));
  if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
  return { streamId: eventId.slice(0, at), seq };
}
