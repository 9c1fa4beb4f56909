/**
 * Registry of live 2025-era sessions: one {@link SessionTransport}, one SDK
 * server and one stream log each, ended by DELETE, by idle TTL, or by
 * eviction when the registry is full. What a session is, as data, goes to the
 * injected {@link SessionStore}; the live objects stay here, in the node that
 * serves them.
 *
 * Session lifecycle: open → (busy ⇄ idle) → ended. A session is busy while a
 * request or an SSE stream of it is open; only idle sessions expire or are
 * evicted. Ending is idempotent and releases the transport, the server (which
 * aborts its in-flight handlers) and the event log.
 *
 * @module
 */
import type { Server } from '@modelcontextprotocol/server';
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_TTL_MS } from '../../defaults.js';
import { requireDuration, requireInteger } from '../../errors.js';
import { type Clock, systemClock, type TimerHandle } from '../../flow/clock.js';
import type { EventLog } from '../../stores/eventLog.js';
import { MemorySessionStore } from '../../stores/memory/memorySessionStore.js';
import type { SessionRecord, SessionStore } from '../../stores/sessionStore.js';
import type { SessionTransport } from './sessionTransport.js';

/** Limits of the session registry. */
export interface SessionLimits {
  /** Idle time after which a session is ended (ms). @defaultValue {@link DEFAULT_SESSION_TTL_MS} */
  readonly ttlMs: number;
  /** Live sessions at most. @defaultValue {@link DEFAULT_MAX_SESSIONS} */
  readonly max: number;
}

export interface Session {
  readonly id: string;
  readonly transport: SessionTransport;
  readonly server: Server;
  /** The session's streams: every POST stream and the standalone GET stream. */
  readonly log: EventLog;
  /** The capabilities the client declared at initialize, as sent (the SDK keeps only those it knows). */
  readonly clientCapabilities: Readonly<Record<string, unknown>> | undefined;
  /** Aborted when the session ends: work outside the SDK transport (raw resource streams) stops with it. */
  readonly ended: AbortController;
  /** Open requests and streams. */
  busy: number;
  lastSeen: number;
}

export type AdmitOutcome = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export class SessionRegistry {
  readonly limits: SessionLimits;
  readonly #sessions = new Map<string, Session>();
  readonly #clock: Clock;
  readonly #store: SessionStore;
  #sweepTimer: TimerHandle | undefined;
  #closed = false;

  constructor(limits: Partial<SessionLimits> = {}, clock: Clock = systemClock, store: SessionStore = new MemorySessionStore()) {
    this.limits = {
      ttlMs: requireDuration('sessions.ttl', limits.ttlMs ?? DEFAULT_SESSION_TTL_MS, 1),
      max: requireInteger('sessions.max', limits.max ?? DEFAULT_MAX_SESSIONS, 1),
    };
    this.#clock = clock;
    this.#store = store;
  }

  get size(): number {
    return this.#sessions.size;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** The live sessions, longest idle first. */
  all(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /**
   * Makes room for one more session: evicts the longest-idle session when
   * full, or refuses when every session is busy.
   */
  admit(): AdmitOutcome {
    if (this.#sessions.size < this.limits.max) return { ok: true };
    // Map order is insertion order and `touch` re-inserts, so the first idle entry is the longest idle.
    for (const session of this.#sessions.values()) {
      if (session.busy === 0) {
        void this.end(session.id);
        return { ok: true };
      }
    }
    return { ok: false, retryAfterSeconds: 5 };
  }

  /** Registers a live session and stores what it is (`record` without timestamps: they are the registry's). */
  add(session: Session, record?: Omit<SessionRecord, 'createdAt' | 'lastSeen'>): Promise<void> {
    session.lastSeen = this.#clock.now();
    this.#sessions.set(session.id, session);
    this.#armSweep();
    if (record === undefined) return Promise.resolve();
    return this.#store.create({ ...record, createdAt: session.lastSeen, lastSeen: session.lastSeen });
  }

  /** Marks activity: moves the session to the most-recent end. */
  touch(session: Session): void {
    // Never resurrect: a stream of an ended session may finish after the end.
    if (this.#sessions.get(session.id) !== session) return;
    session.lastSeen = this.#clock.now();
    this.#sessions.delete(session.id);
    this.#sessions.set(session.id, session);
    void this.#store.touch(session.id, session.lastSeen).catch(() => {});
  }

  /** Ends a session and releases what it holds. Idempotent. */
  async end(id: string): Promise<void> {
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    session.ended.abort(new Error(`session ${id} ended`));
    await Promise.allSettled([session.transport.close(), session.server.close(), session.log.clear(), this.#store.delete(id)]);
  }

  /** Ends every session idle for longer than the TTL. */
  sweep(): void {
    const cutoff = this.#clock.now() - this.limits.ttlMs;
    for (const session of [...this.#sessions.values()]) {
      if (session.busy === 0 && session.lastSeen <= cutoff) void this.end(session.id);
    }
  }

  async closeAll(): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    await Promise.allSettled([...this.#sessions.keys()].map((id) => this.end(id)));
  }

  #armSweep(): void {
    if (this.#sweepTimer !== undefined || this.#closed) return;
    const every = Math.max(10, Math.min(60_000, Math.floor(this.limits.ttlMs / 4)));
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.#sweepTimer = undefined;
      this.sweep();
      if (this.#sessions.size > 0) this.#armSweep();
    }, every);
  }
}
