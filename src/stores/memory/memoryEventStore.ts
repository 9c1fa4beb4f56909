/**
 * In-memory {@link SessionEventStore}: one log of events per stream, bounded
 * by count, age and bytes per stream, and by the number of streams and the
 * bytes kept over the whole session (the oldest streams go first: a session
 * of many finished calls holds at most `maxSessionBytes`, not 100 × 16 MiB).
 * Every bound is enforced in O(1) amortized work per stored event.
 *
 * Event ids are `<streamId>_<seq>` with `seq` strictly increasing over the
 * whole store (never reused, even after a stream is evicted and written again),
 * so a replay finds its starting point by binary search instead of sorting, and
 * the stream is recovered from the id alone.
 *
 * @module
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import {
  DEFAULT_EVENT_LOG_MAX_AGE_MS,
  DEFAULT_EVENT_LOG_MAX_BYTES,
  DEFAULT_EVENT_LOG_MAX_EVENTS,
  DEFAULT_EVENT_LOG_MAX_SESSION_BYTES,
  DEFAULT_EVENT_LOG_MAX_STREAMS,
} from '../../defaults.js';
import { requireDuration, requireInteger } from '../../errors.js';
import { type Clock, systemClock } from '../../flow/clock.js';
import type { EventLogLimits, ReplayVerdict, SessionEventStore } from '../eventStore.js';

/**
 * An event as kept: its serialized form as UTF-8 bytes, not the message
 * object. The bytes are what the bounds count, so what they say is what is
 * held (an object keeps whatever its strings reference, and one non-Latin-1
 * character makes a string take two bytes per character); replays parse it
 * again, which only resumptions pay for.
 */
interface StoredEvent {
  readonly seq: number;
  readonly at: number;
  readonly bytes: number;
  readonly encoded: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface StreamLog {
  /** Highest sequence number evicted from this stream (-1: none). */
  evictedSeq: number;
  bytes: number;
  /** Events; the live ones start at `head` (a moving head instead of O(n) `shift()`). */
  events: StoredEvent[];
  head: number;
}

/** One entry per stored event, in storage order: age-based eviction walks it from the front in O(1) per event. */
interface AgeEntry {
  readonly streamId: string;
  readonly seq: number;
  readonly at: number;
}

const SEPARATOR = '_';
/** Compact a moving-head array once this many slots are dead and they are over half of it. */
const COMPACT_AFTER = 1024;

export class MemoryEventStore implements SessionEventStore {
  readonly #limits: EventLogLimits;
  readonly #clock: Clock;
  /** Insertion order is creation order: the first entry is the oldest stream. */
  readonly #streams = new Map<string, StreamLog>();
  #ages: AgeEntry[] = [];
  #agesHead = 0;
  #nextSeq = 0;
  #size = 0;
  #bytes = 0;

  constructor(limits: Partial<EventLogLimits> = {}, clock: Clock = systemClock) {
    this.#limits = eventLogLimits(limits);
    this.#clock = clock;
  }

  get size(): number {
    return this.#size;
  }

  /** Streams currently held. */
  get streams(): number {
    return this.#streams.size;
  }

  /** Serialized bytes currently held, over all streams. */
  get bytes(): number {
    return this.#bytes;
  }

  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const now = this.#clock.now();
    this.#pruneAged(now);
    let log = this.#streams.get(streamId);
    if (log === undefined) {
      // Bound the number of streams: every POST of a 2025 session opens one.
      while (this.#streams.size >= this.#limits.maxStreams) this.#dropStream(this.#streams.keys().next().value!);
      // A stream may come back after its events aged out and its log was dropped:
      // count everything stored before as evicted, so an old id of it is refused
      // instead of replayed with a gap. (For a brand-new stream no such id exists.)
      log = { evictedSeq: this.#nextSeq - 1, bytes: 0, events: [], head: 0 };
      this.#streams.set(streamId, log);
    }
    const encoded = encoder.encode(JSON.stringify(message));
    const bytes = encoded.length;
    const event: StoredEvent = { seq: this.#nextSeq++, at: now, bytes, encoded };
    log.events.push(event);
    log.bytes += bytes;
    this.#bytes += bytes;
    this.#size++;
    this.#ages.push({ streamId, seq: event.seq, at: now });
    while (liveCount(log) > this.#limits.maxEvents || (log.bytes > this.#limits.maxBytes && liveCount(log) > 1)) {
      this.#dropOldest(log);
    }
    // The session's bound: older streams go first, then this one's oldest events.
    while (this.#bytes > this.#limits.maxSessionBytes) {
      const oldest = this.#streams.keys().next().value!;
      if (oldest !== streamId) this.#dropStream(oldest);
      else if (liveCount(log) > 1) this.#dropOldest(log);
      else break;
    }
    return `${streamId}${SEPARATOR}${event.seq}`;
  }

  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    const parsed = parseEventId(eventId);
    return parsed !== undefined && this.#streams.has(parsed.streamId) ? parsed.streamId : undefined;
  }

  replayable(lastEventId: string): ReplayVerdict {
    this.#pruneAged(this.#clock.now());
    const parsed = parseEventId(lastEventId);
    if (parsed === undefined) return 'malformed';
    const log = this.#streams.get(parsed.streamId);
    // A stream this session does not hold (evicted, or another session's id) cannot be resumed here.
    if (log === undefined) return 'expired';
    return parsed.seq < log.evictedSeq ? 'expired' : 'ok';
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
    const live = log.events.slice(log.head);
    for (const event of live.slice(firstAfter(live, parsed.seq))) {
      const message = JSON.parse(decoder.decode(event.encoded)) as JSONRPCMessage;
      // The priming event stores `{}`; it carries no message to replay.
      if (!('jsonrpc' in message)) continue;
      await send(`${parsed.streamId}${SEPARATOR}${event.seq}`, message);
    }
    return parsed.streamId;
  }

  clear(): void {
    this.#streams.clear();
    this.#ages = [];
    this.#agesHead = 0;
    this.#size = 0;
    this.#bytes = 0;
  }

  #dropOldest(log: StreamLog): void {
    const dropped = log.events[log.head];
    if (dropped === undefined) return;
    log.events[log.head] = undefined as unknown as StoredEvent; // release the message now
    log.head++;
    log.bytes -= dropped.bytes;
    this.#bytes -= dropped.bytes;
    log.evictedSeq = dropped.seq;
    this.#size--;
    if (log.head > COMPACT_AFTER && log.head * 2 > log.events.length) {
      log.events = log.events.slice(log.head);
      log.head = 0;
    }
  }

  #dropStream(streamId: string): void {
    const log = this.#streams.get(streamId);
    if (log === undefined) return;
    this.#size -= liveCount(log);
    this.#bytes -= log.bytes;
    this.#streams.delete(streamId);
  }

  #pruneAged(now: number): void {
    const cutoff = now - this.#limits.maxAgeMs;
    while (this.#agesHead < this.#ages.length && this.#ages[this.#agesHead]!.at < cutoff) {
      const entry = this.#ages[this.#agesHead++]!;
      const log = this.#streams.get(entry.streamId);
      // The event may already be gone (count or byte bound, or its stream dropped).
      if (log !== undefined && log.events[log.head]?.seq === entry.seq) {
        this.#dropOldest(log);
        if (liveCount(log) === 0) this.#streams.delete(entry.streamId);
      }
    }
    if (this.#agesHead > COMPACT_AFTER && this.#agesHead * 2 > this.#ages.length) {
      this.#ages = this.#ages.slice(this.#agesHead);
      this.#agesHead = 0;
    }
  }
}

/** Event log bounds with the defaults filled in; throws `InvalidOptionError` naming a bound that makes no sense. */
export function eventLogLimits(limits: Partial<EventLogLimits> = {}): EventLogLimits {
  return {
    maxEvents: requireInteger('eventLog.maxEvents', limits.maxEvents ?? DEFAULT_EVENT_LOG_MAX_EVENTS, 1),
    maxAgeMs: requireDuration('eventLog.maxAgeMs', limits.maxAgeMs ?? DEFAULT_EVENT_LOG_MAX_AGE_MS, 1),
    maxBytes: requireInteger('eventLog.maxBytes', limits.maxBytes ?? DEFAULT_EVENT_LOG_MAX_BYTES, 1),
    maxStreams: requireInteger('eventLog.maxStreams', limits.maxStreams ?? DEFAULT_EVENT_LOG_MAX_STREAMS, 1),
    maxSessionBytes: requireInteger('eventLog.maxSessionBytes', limits.maxSessionBytes ?? DEFAULT_EVENT_LOG_MAX_SESSION_BYTES, 1),
  };
}

function liveCount(log: StreamLog): number {
  return log.events.length - log.head;
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
