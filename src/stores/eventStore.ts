/**
 * The event log behind 2025-era resumable SSE streams.
 *
 * It is the SDK's `EventStore` contract (store every outbound SSE message,
 * replay after a `Last-Event-ID`) plus the bounds the SDK leaves out. One
 * instance serves exactly one session: event ids carry no session, so a
 * store shared between sessions could replay one session's events to another.
 *
 * @module
 */
import type { EventStore } from '@modelcontextprotocol/server';

/** Bounds of one stream's log; whichever is reached first evicts the oldest events. */
export interface EventLogLimits {
  /** Events kept per stream. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_EVENTS} */
  readonly maxEvents: number;
  /** Age after which an event is evicted (ms). @defaultValue {@link DEFAULT_EVENT_LOG_MAX_AGE_MS} */
  readonly maxAgeMs: number;
  /** Serialized bytes kept per stream. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_BYTES} */
  readonly maxBytes: number;
  /** Streams kept per session (each 2025 POST opens one); the oldest stream goes first. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_STREAMS} */
  readonly maxStreams: number;
  /** Serialized bytes kept per session over all its streams; the oldest streams go first. @defaultValue {@link DEFAULT_EVENT_LOG_MAX_SESSION_BYTES} */
  readonly maxSessionBytes: number;
}

/**
 * Whether a `Last-Event-ID` can be resumed: `ok`; `expired` when events after
 * it have left the log (or its stream is not in this session's log); or
 * `malformed` when it is not an id this store issues.
 */
export type ReplayVerdict = 'ok' | 'expired' | 'malformed';

/** A session-scoped, bounded {@link EventStore}. */
export interface SessionEventStore extends EventStore {
  /** Checks a `Last-Event-ID` before replaying: every event after it must still be in the log. */
  replayable(lastEventId: string): ReplayVerdict;
  /** Forgets every stream (the session ended). */
  clear(): void;
  /** Events currently held, over all streams. */
  readonly size: number;
}
