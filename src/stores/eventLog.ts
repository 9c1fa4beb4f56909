/**
 * The stream log: the one source of everything a server sends on an outbound
 * stream. Producers append; a connection is only a cursor reading from it, as
 * fast as its socket drains; a reconnect with `Last-Event-ID` is a new cursor
 * on the same log.
 *
 * One {@link EventLog} holds the streams of one scope (a 2025 session, one
 * 2026-07-28 exchange, one stdio connection). Event ids are `<stream>_<seq>`,
 * unique within the log, so a cursor is found from an id alone. Two bounds
 * with different jobs:
 * - **unread** (`highWaterBytes`, per stream): bytes appended and not yet
 *   delivered by a cursor. At the mark, `append(…, { wait: true })` waits, so
 *   producers are held back whether a client reads slowly, reads nothing, or
 *   is away for the moment;
 * - **kept** ({@link EventLogLimits}): events, bytes and age per stream,
 *   streams and bytes per log. Past the count and byte bounds, what nobody can
 *   still be waiting for goes first: ended streams, then delivered events. The
 *   unread events of an open stream are never dropped for them (that would
 *   cut a live connection); the high-water mark bounds those. Past the age
 *   bound the oldest events go, read or not: a cursor that needed them fails
 *   with {@link EventsLostError} and a resumption is refused (410), never
 *   answered with a gap.
 *
 * Implementations: `memory/memoryEventLog.ts`; every implementation passes
 * `test/stores/contract/eventLog.contract.ts` unchanged.
 *
 * @module
 */

/** Bounds of what a log keeps (what goes first is in the module comment). */
export interface EventLogLimits {
  /** Events kept per stream. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_EVENTS} */
  readonly maxEvents: number;
  /** Age after which an event is evicted (ms). @defaultValue {@link DEFAULT_EVENT_LOG_MAX_AGE_MS} */
  readonly maxAgeMs: number;
  /** Serialized bytes kept per stream. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_BYTES} */
  readonly maxBytes: number;
  /** Streams kept per log (each 2025 POST opens one); the oldest ended stream goes first, an open one never does. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_STREAMS} */
  readonly maxStreams: number;
  /** Serialized bytes kept per log over all its streams; ended streams go first, then delivered events. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_SESSION_BYTES} */
  readonly maxSessionBytes: number;
}

/** What opening a log takes: its bounds and the unread high-water mark of each stream. */
export interface EventLogOptions {
  readonly limits: EventLogLimits;
  /**
   * Unread bytes per stream at which waiting producers wait (they also wait at
   * half of `maxEvents` unread events, so that tiny events cannot push unread
   * ones out by count). @defaultValue {@link DEFAULT_STREAM_HIGH_WATER_BYTES}
   */
  readonly highWaterBytes: number;
  /**
   * Whether delivered events are kept for resumption (2025 streams); a stream
   * nobody can resume (stdio, a 2026-07-28 exchange) drops them at once. @defaultValue true
   */
  readonly keepDelivered?: boolean;
  /**
   * Told when a stream this producer appends to was taken from it: another
   * node took it over (this node was presumed dead) or a shared store lost
   * it. A store that cannot lose a stream never calls it.
   */
  readonly onLost?: (streamId: string) => void;
}

/** One stored event: its id and the serialized message as UTF-8 (empty for a priming event). */
export interface LogEvent {
  readonly id: string;
  readonly data: Uint8Array;
}

/**
 * Whether a `Last-Event-ID` can be resumed: `ok`; `expired` when events after
 * it have left the log (or its stream is not in this log); `malformed` when it
 * is not an id this log issues.
 */
export type ReplayVerdict = 'ok' | 'expired' | 'malformed';

/** A cursor needed events that the log's bounds had already evicted. */
export class EventsLostError extends Error {
  constructor(streamId: string) {
    super(`Events of stream ${streamId} left the log before they were read`);
    this.name = 'EventsLostError';
  }
}

/** A cursor was cut on purpose (a stalled reader, the stream closed for polling). */
export class CursorCutError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CursorCutError';
  }
}

/**
 * One stream as a producer sees it: one signal for backpressure, the awaited
 * `room()`. `full` and `stalledFor` serve the non-blocking policies and the
 * stall timeout; `cut` gives up on the reader.
 */
export interface StreamPressure {
  /** Whether a waiting producer would wait now. */
  readonly full: boolean;
  /** Bytes appended and not yet delivered (what the high-water mark is compared with; for watchers). */
  readonly unreadBytes: number;
  /** Resolves when the unread part is under the high-water mark (at once if it is, or once the stream ended). */
  room(): Promise<void>;
  /** How long the stream has been full with no delivery (ms; 0 when not full). */
  stalledFor(): number;
  /**
   * Gives up on the reader: its cursors fail with {@link CursorCutError} (their
   * connections close); producers waiting now are released and their messages
   * dropped (the call is being cancelled). A later cursor reads on.
   */
  cut(reason: string): void;
}

/** A reader's position in one stream. */
export interface LogCursor {
  /**
   * The next event after the position, waiting for one; `undefined` once the
   * stream ended and everything was read (or the cursor was closed). Rejects
   * with {@link EventsLostError} or {@link CursorCutError}.
   */
  next(): Promise<LogEvent | undefined>;
  /** The reader passed everything up to `eventId` on: it no longer counts as unread. */
  delivered(eventId: string): void;
  /**
   * Stops reading. Idempotent. With `afterCurrent`, first hands out what the
   * stream holds now (a connection closed for SSE polling still carries what
   * was appended before the close, its priming event included).
   */
  close(options?: { readonly afterCurrent?: boolean }): void;
}

export interface OpenStreamOptions {
  readonly lossy?: boolean;
  readonly shared?: string;
}

export interface AppendOptions {
  /** Wait for room under the high-water mark first (producers of a call do; results do not). @defaultValue false */
  readonly wait?: boolean;
}

/** The streams of one scope. */
export interface EventLog {
  /**
   * Opens a new stream and returns its id. A `lossy` stream is one no
   * producer waits on (the 2025 standalone GET stream): the count and byte
   * bounds may take its unread events too, oldest first. A `shared` name
   * opens the stream once: every later open with that name (from any node
   * of a shared store) returns the same stream while it is held.
   */
  openStream(options?: OpenStreamOptions): Promise<string>;
  /** Appends one event; its id, or `undefined` when the stream is gone (ended, evicted or the log cleared). */
  append(streamId: string, data: string, options?: AppendOptions): Promise<string | undefined>;
  /** No more events on this stream: cursors finish once they read the rest. Idempotent. */
  end(streamId: string): Promise<void>;
  /** Checks a `Last-Event-ID` before a cursor is opened from it. */
  check(lastEventId: string): Promise<ReplayVerdict>;
  /** The stream an event id belongs to (`undefined` when malformed). */
  streamOf(eventId: string): string | undefined;
  /** The id of the newest event of a stream (`undefined` when it has none). */
  lastEventId(streamId: string): Promise<string | undefined>;
  /** A cursor reading the events after `afterEventId` (from the start when `undefined`). */
  cursor(streamId: string, afterEventId: string | undefined): LogCursor;
  /** The producer's view of a stream. */
  pressure(streamId: string): StreamPressure;
  /** Forgets every stream; waiting producers and cursors are released. */
  clear(): Promise<void>;
}

/** What a store holds on this node, for watchers (`/metrics`). */
export interface EventLogStats {
  /** Scopes (sessions) with a log. */
  readonly logs: number;
  readonly streams: number;
  /** Events held. */
  readonly events: number;
  /** Encoded bytes held. */
  readonly bytes: number;
}

/** Opens the log of a scope (a session id, an exchange): where a store keeps its streams. */
export interface EventLogStore {
  open(scope: string, options: EventLogOptions): EventLog;
  /** What the store holds in this process; absent where it lives elsewhere (Redis: ask Redis). */
  stats?(): EventLogStats;
}
