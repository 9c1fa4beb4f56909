/**
 * In-memory {@link EventLog}: the streams of one scope, each a
 * {@link Deque} of encoded events, bounded by count, age and bytes per
 * stream and by streams and bytes per log (see {@link EventLog} for what goes
 * first). The count and byte bounds cost O(1) amortized per appended event;
 * the age bound is swept at most every {@link AGE_SWEEP_FRACTION}th of
 * `maxAgeMs` (and at every `check()`), not at every append; a cursor finds its
 * place by binary search (sequence numbers only grow).
 *
 * The unread part of a stream is what follows the furthest position a cursor
 * delivered; producers that append with `wait` are parked while it is at the
 * high-water mark and woken by the delivery that makes room.
 *
 * @module
 */
import { DEFAULT_STREAM_HIGH_WATER_BYTES } from '../../defaults.js';
import { requireInteger } from '../../errors.js';
import { type Clock, systemClock } from '../../flow/clock.js';
import { Deque } from '../../flow/deque.js';
import {
  CursorCutError,
  EventsLostError,
  type AppendOptions,
  type EventLog,
  type EventLogOptions,
  type EventLogStore,
  type LogCursor,
  type OpenStreamOptions,
  type LogEvent,
  type ReplayVerdict,
  type StreamPressure,
} from '../eventLog.js';
import { eventIdOf, parseEventId } from '../eventId.js';
import { eventLogLimits } from '../eventLogLimits.js';

interface StoredEvent {
  readonly seq: number;
  readonly at: number;
  readonly encoded: Uint8Array;
}

interface StreamState {
  readonly id: string;
  readonly events: Deque<StoredEvent>;
  /** No producer waits on it: the count and byte bounds may take unread events too. */
  readonly lossy: boolean;
  /** The sequence number before the stream's first event: a cursor from the start reads after it. */
  readonly baseSeq: number;
  /** Highest sequence number evicted from this stream (`baseSeq`: none). */
  evictedSeq: number;
  bytes: number;
  ended: boolean;
  /** Furthest sequence number a cursor delivered (-1: none). */
  deliveredSeq: number;
  /** Index in `events` of the first undelivered event, and the bytes and events from there on. */
  unreadAt: number;
  unreadBytes: number;
  unreadCount: number;
  fullSince: number | undefined;
  /** Cuts so far, and the reason of the last: a cursor opened before a cut fails; later ones read on. */
  cuts: number;
  cutReason: string;
  /** Parked producers and readers, woken on every change. */
  producers: Array<() => void>;
  readers: Set<() => void>;
}

const encoder = new TextEncoder();
/** Appends sweep aged events at most every `maxAgeMs / AGE_SWEEP_FRACTION` (capped at one second): an event may outlive its age by that much. */
const AGE_SWEEP_FRACTION = 10;

export class MemoryEventLog implements EventLog {
  readonly #limits: EventLogOptions['limits'];
  readonly #highWaterBytes: number;
  readonly #highWaterEvents: number;
  readonly #keepDelivered: boolean;
  readonly #clock: Clock;
  /** Insertion order is creation order: the first entry is the oldest stream. */
  readonly #streams = new Map<string, StreamState>();
  /** Shared names → their streams. */
  readonly #named = new Map<string, string>();
  #nextSeq = 0;
  #nextStream = 0;
  #bytes = 0;
  #size = 0;
  readonly #sweepEveryMs: number;
  #sweptAt = Number.NEGATIVE_INFINITY;

  constructor(options: Partial<EventLogOptions> = {}, clock: Clock = systemClock) {
    this.#limits = eventLogLimits(options.limits);
    this.#highWaterBytes = requireInteger('streamHighWaterBytes', options.highWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES, 1);
    this.#highWaterEvents = Math.max(1, Math.floor(this.#limits.maxEvents / 2));
    this.#keepDelivered = options.keepDelivered ?? true;
    this.#clock = clock;
    this.#sweepEveryMs = Math.min(1000, Math.floor(this.#limits.maxAgeMs / AGE_SWEEP_FRACTION));
  }

  /** Events held, over all streams. */
  get size(): number {
    return this.#size;
  }

  /** Streams held. */
  get streams(): number {
    return this.#streams.size;
  }

  /** Encoded bytes held, over all streams. */
  get bytes(): number {
    return this.#bytes;
  }

  async openStream(options: OpenStreamOptions = {}): Promise<string> {
    return this.openStreamNow(options);
  }

  /** {@link MemoryEventLog.openStream}, at once: for the node-local logs (stdio, a 2026-07-28 exchange) that need an id before any await. */
  openStreamNow(options: OpenStreamOptions = {}): string {
    const named = options.shared === undefined ? undefined : this.#named.get(options.shared);
    if (named !== undefined && this.#streams.has(named)) return named;
    // Ended streams go to make room; an open one is never dropped for it (its connection would be cut).
    for (let victim = this.#oldestEnded(); this.#streams.size >= this.#limits.maxStreams && victim !== undefined; victim = this.#oldestEnded()) {
      this.#dropStream(victim);
    }
    const id = `s${(this.#nextStream++).toString(36)}`;
    // Everything stored before counts as evicted for this stream: an id from before its start is refused.
    this.#streams.set(id, newStream(id, this.#nextSeq - 1, options.lossy === true));
    if (options.shared !== undefined) this.#named.set(options.shared, id);
    return id;
  }

  async append(streamId: string, data: string, options: AppendOptions = {}): Promise<string | undefined> {
    let stream = this.#streams.get(streamId);
    if (options.wait === true) {
      const cuts = stream?.cuts;
      while (stream !== undefined && !stream.ended && this.#isFull(stream)) {
        await new Promise<void>((resolve) => stream!.producers.push(resolve));
        stream = this.#streams.get(streamId);
        // The reader was given up on while this waited: the call is being cancelled, its message is dropped.
        if (stream !== undefined && stream.cuts !== cuts) return undefined;
      }
    }
    if (stream === undefined || stream.ended) return undefined;
    const now = this.#clock.now();
    if (now - this.#sweptAt >= this.#sweepEveryMs) this.#pruneAged(now);
    const encoded = encoder.encode(data);
    const event: StoredEvent = { seq: this.#nextSeq++, at: now, encoded };
    stream.events.push(event);
    stream.bytes += encoded.length;
    stream.unreadBytes += encoded.length;
    stream.unreadCount++;
    this.#bytes += encoded.length;
    this.#size++;
    if (stream.fullSince === undefined && this.#isFull(stream)) stream.fullSince = now;
    this.#enforceBounds(stream);
    wakeReaders(stream);
    return eventIdOf(streamId, event.seq);
  }

  async end(streamId: string): Promise<void> {
    const stream = this.#streams.get(streamId);
    if (stream === undefined || stream.ended) return;
    stream.ended = true;
    this.#enforceBounds(stream); // what it held unread may go now
    wakeAll(stream);
  }

  async check(lastEventId: string): Promise<ReplayVerdict> {
    this.#pruneAged(this.#clock.now());
    const parsed = parseEventId(lastEventId);
    if (parsed === undefined) return 'malformed';
    const stream = this.#streams.get(parsed.streamId);
    // A stream this log does not hold (evicted, or another scope's id) cannot be resumed here.
    if (stream === undefined) return 'expired';
    return parsed.seq < stream.evictedSeq ? 'expired' : 'ok';
  }

  streamOf(eventId: string): string | undefined {
    return parseEventId(eventId)?.streamId;
  }

  async lastEventId(streamId: string): Promise<string | undefined> {
    const last = this.#streams.get(streamId)?.events.last();
    return last === undefined ? undefined : eventIdOf(streamId, last.seq);
  }

  cursor(streamId: string, afterEventId: string | undefined): LogCursor {
    let after = afterEventId === undefined ? (this.#streams.get(streamId)?.baseSeq ?? -1) : (parseEventId(afterEventId)?.seq ?? -1);
    let closed = false;
    /** With a graceful close: the last sequence number still handed out. */
    let closeAt: number | undefined;
    let wake: (() => void) | undefined;
    const epoch = this.#streams.get(streamId)?.cuts ?? 0;
    return {
      next: async (): Promise<LogEvent | undefined> => {
        for (;;) {
          const stream = this.#streams.get(streamId);
          if (closed) return undefined;
          // Closing gracefully while the log went (the session ended): the end, not a loss.
          if (stream === undefined && closeAt !== undefined) return undefined;
          if (stream === undefined) throw new EventsLostError(streamId);
          if (stream.cuts > epoch) throw new CursorCutError(stream.cutReason);
          if (after < stream.evictedSeq) throw new EventsLostError(streamId);
          const event = stream.events.at(firstAfter(stream.events, after));
          if (closeAt !== undefined && (event === undefined || event.seq > closeAt)) return undefined;
          if (event !== undefined) {
            after = event.seq;
            return { id: eventIdOf(streamId, event.seq), data: event.encoded };
          }
          if (stream.ended) return undefined;
          await new Promise<void>((resolve) => {
            wake = resolve;
            stream.readers.add(resolve);
          });
          stream.readers.delete(wake!);
        }
      },
      delivered: (eventId: string): void => {
        const seq = parseEventId(eventId)?.seq;
        const stream = this.#streams.get(streamId);
        if (seq !== undefined && stream !== undefined) this.#deliver(stream, seq);
      },
      close: (options?: { readonly afterCurrent?: boolean }): void => {
        if (options?.afterCurrent === true && !closed) {
          closeAt = this.#streams.get(streamId)?.events.last()?.seq ?? after;
        } else closed = true;
        wake?.();
      },
    };
  }

  pressure(streamId: string): StreamPressure {
    const current = () => this.#streams.get(streamId);
    const full = () => {
      const stream = current();
      return stream !== undefined && !stream.ended && this.#isFull(stream);
    };
    return {
      get full() {
        return full();
      },
      get unreadBytes() {
        return current()?.unreadBytes ?? 0;
      },
      room: async () => {
        const cuts = current()?.cuts;
        for (let stream = current(); stream !== undefined && !stream.ended && stream.cuts === cuts && this.#isFull(stream); stream = current()) {
          await new Promise<void>((resolve) => stream!.producers.push(resolve));
        }
      },
      stalledFor: () => {
        const stream = current();
        return stream?.fullSince === undefined || !this.#isFull(stream) ? 0 : this.#clock.now() - stream.fullSince;
      },
      cut: (reason: string) => {
        const stream = current();
        if (stream === undefined) return;
        stream.cuts++;
        stream.cutReason = reason;
        wakeAll(stream);
      },
    };
  }

  async clear(): Promise<void> {
    for (const stream of this.#streams.values()) {
      stream.ended = true;
      wakeAll(stream);
    }
    this.#streams.clear();
    this.#named.clear();
    this.#bytes = 0;
    this.#size = 0;
  }

  #isFull(stream: StreamState): boolean {
    return stream.unreadBytes >= this.#highWaterBytes || stream.unreadCount >= this.#highWaterEvents;
  }

  #deliver(stream: StreamState, seq: number): void {
    if (seq <= stream.deliveredSeq) return;
    stream.deliveredSeq = seq;
    for (let event = stream.events.at(stream.unreadAt); event !== undefined && event.seq <= seq; event = stream.events.at(stream.unreadAt)) {
      stream.unreadBytes -= event.encoded.length;
      stream.unreadCount--;
      stream.unreadAt++;
    }
    // Nobody can resume this stream: what was delivered is gone at once.
    if (!this.#keepDelivered) while (stream.unreadAt > 0) this.#dropOldest(stream);
    // Any delivery is progress: the stall clock restarts.
    stream.fullSince = this.#isFull(stream) ? this.#clock.now() : undefined;
    if (!this.#isFull(stream)) wakeProducers(stream);
  }

  /**
   * Count and byte bounds evict what nobody can still be waiting to read:
   * delivered events, and any event of an ended stream. The unread events of
   * an open stream are bounded by its high-water mark instead (its producers
   * wait), and only age takes them (a client away too long gets 410).
   */
  #enforceBounds(stream: StreamState): void {
    while ((liveCount(stream) > this.#limits.maxEvents || (stream.bytes > this.#limits.maxBytes && liveCount(stream) > 1)) && evictable(stream)) {
      this.#dropOldest(stream);
    }
    // The log's bound: ended streams go first (the oldest), then delivered events, oldest streams first.
    while (this.#bytes > this.#limits.maxSessionBytes) {
      const ended = this.#oldestEnded(stream.id);
      if (ended !== undefined) {
        this.#dropStream(ended);
        continue;
      }
      const delivered = this.#oldestWithDelivered();
      if (delivered !== undefined) this.#dropOldest(delivered);
      else if ((stream.ended || stream.lossy) && liveCount(stream) > 1) this.#dropOldest(stream);
      else break;
    }
  }

  /** The oldest ended stream other than `except`. */
  #oldestEnded(except?: string): string | undefined {
    for (const stream of this.#streams.values()) if (stream.ended && stream.id !== except) return stream.id;
    return undefined;
  }

  /** The oldest stream with events a bound may take: delivered ones, or any of a lossy stream. */
  #oldestWithDelivered(): StreamState | undefined {
    for (const stream of this.#streams.values()) if (stream.unreadAt > 0 || (stream.lossy && liveCount(stream) > 0)) return stream;
    return undefined;
  }

  #dropOldest(stream: StreamState): void {
    const dropped = stream.events.shift();
    if (dropped === undefined) return;
    stream.bytes -= dropped.encoded.length;
    this.#bytes -= dropped.encoded.length;
    this.#size--;
    stream.evictedSeq = dropped.seq;
    if (stream.unreadAt > 0) stream.unreadAt--;
    else {
      // An unread event was evicted: whoever resumes before it gets 410; the producer may go on.
      stream.unreadBytes -= dropped.encoded.length;
      stream.unreadCount--;
      if (!this.#isFull(stream)) wakeProducers(stream);
    }
  }

  #dropStream(streamId: string | undefined): void {
    const stream = streamId === undefined ? undefined : this.#streams.get(streamId);
    if (stream === undefined) return;
    this.#size -= liveCount(stream);
    this.#bytes -= stream.bytes;
    this.#streams.delete(stream.id);
    wakeAll(stream);
  }

  #pruneAged(now: number): void {
    this.#sweptAt = now;
    const cutoff = now - this.#limits.maxAgeMs;
    for (const stream of this.#streams.values()) {
      for (let oldest = stream.events.peek(); oldest !== undefined && oldest.at < cutoff; oldest = stream.events.peek()) this.#dropOldest(stream);
      // An ended stream with nothing left is gone; a live one stays (its call may speak again).
      if (stream.ended && liveCount(stream) === 0) this.#dropStream(stream.id);
    }
  }
}

/**
 * The memory {@link EventLogStore}: one {@link MemoryEventLog} per scope, the
 * same one each time the scope is opened until it is cleared, as a shared
 * store keeps a scope's streams. A session whose live objects were released
 * while it idled (it hibernated) finds its streams again when it wakes.
 */
export function memoryEventLogs(clock: Clock = systemClock): EventLogStore {
  const logs = new Map<string, MemoryEventLog>();
  return {
    open: (scope, options) => {
      let log = logs.get(scope);
      if (log === undefined) logs.set(scope, (log = new ScopedMemoryEventLog(options, clock, () => logs.delete(scope))));
      return log;
    },
    stats: () => {
      let streams = 0;
      let events = 0;
      let bytes = 0;
      for (const log of logs.values()) {
        streams += log.streams;
        events += log.size;
        bytes += log.bytes;
      }
      return { logs: logs.size, streams, events, bytes };
    },
  };
}

/** A scope's log, forgotten by its store once cleared. */
class ScopedMemoryEventLog extends MemoryEventLog {
  readonly #forget: () => void;

  constructor(options: Partial<EventLogOptions>, clock: Clock, forget: () => void) {
    super(options, clock);
    this.#forget = forget;
  }

  override async clear(): Promise<void> {
    this.#forget();
    await super.clear();
  }
}

function newStream(id: string, baseSeq: number, lossy: boolean): StreamState {
  return {
    id,
    events: new Deque(),
    lossy,
    baseSeq,
    evictedSeq: baseSeq,
    bytes: 0,
    ended: false,
    deliveredSeq: -1,
    unreadAt: 0,
    unreadBytes: 0,
    unreadCount: 0,
    fullSince: undefined,
    cuts: 0,
    cutReason: '',
    producers: [],
    readers: new Set(),
  };
}

function wakeProducers(stream: StreamState): void {
  const producers = stream.producers;
  stream.producers = [];
  for (const wake of producers) wake();
}

function wakeReaders(stream: StreamState): void {
  // Waking only resolves promises: a reader removes itself later, never during this loop.
  for (const wake of stream.readers) wake();
}

function wakeAll(stream: StreamState): void {
  wakeProducers(stream);
  wakeReaders(stream);
}

/** Whether the oldest event of a stream may go to a count or byte bound: delivered, or its stream ended or is lossy. */
function evictable(stream: StreamState): boolean {
  return stream.ended || stream.lossy || stream.unreadAt > 0;
}

function liveCount(stream: StreamState): number {
  return stream.events.length;
}

/** Index of the first event whose seq is greater than `seq` (events are sorted by seq). */
function firstAfter(events: Deque<StoredEvent>, seq: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events.at(mid)!.seq <= seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
