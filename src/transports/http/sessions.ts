/**
 * Registry of live 2025-era sessions: one {@link SessionTransport}, one SDK
 * server and one stream log each, ended by DELETE, by idle TTL, or by
 * eviction when the registry is full. A session that is quiet for
 * `hibernateMs` hibernates: its transport and SDK server are released (a few
 * KiB each), its record and stream log stay in the stores, and its next
 * request builds them again from the record, as on another node. What a session is, as data, goes to the
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
import { DEFAULT_MAX_SESSIONS, DEFAULT_SESSION_HIBERNATE_MS, DEFAULT_SESSION_TTL_MS } from '../../defaults.js';
import { requireDuration, requireInteger } from '../../errors.js';
import { type Clock, type TimerHandle, wallClock } from '../../flow/clock.js';
import { sharedPacer } from '../../flow/gcPacer.js';
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
  /** Quiet time after which a session's live objects are released until its next request (ms). @defaultValue {@link DEFAULT_SESSION_HIBERNATE_MS} */
  readonly hibernateMs: number;
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

/** Where the registry keeps what a session is, and whether other nodes share it. */
export interface SessionRegistryStores {
  readonly store: SessionStore;
  /** Other nodes share the store: a node that stops leaves its sessions to them, and a busy session here is kept fresh in the store. */
  readonly shared: boolean;
  /** Tells the other nodes that a session ended (they drop what they hold of it). */
  readonly announceEnd: (id: string) => Promise<void>;
  /** Forgets a session's stream log (a session ended on a node that held nothing of it). */
  readonly clearLog: (id: string) => Promise<void>;
}

const localStores = (): SessionRegistryStores => ({
  store: new MemorySessionStore(),
  shared: false,
  announceEnd: async () => {},
  clearLog: async () => {},
});

/**
 * What one released session counts for in the process-wide collection pacer:
 * about its live objects and the garbage of its requests (the bench's
 * sessions table has the measured figures). An idle server does not
 * allocate, so without a collection what it released would stay in its RSS.
 */
const RELEASED_SESSION_BYTES = 16 * 1024;

/** Expired sessions ended per store query of a sweep. */
const SWEEP_BATCH = 100;

/** Sessions idle in the store this long are not busy on another node (busy ones are touched every sweep). */
const BUSY_GRACE_SWEEPS = 2;

export class SessionRegistry {
  readonly limits: SessionLimits;
  readonly #sessions = new Map<string, Session>();
  /** Sessions of this node that hibernated: only their ids are held here. */
  readonly #hibernating = new Set<string>();
  readonly #clock: Clock;
  readonly #stores: SessionRegistryStores;
  /** Sessions being restored on this node: one restore per id, however many requests race for it. */
  readonly #restoring = new Map<string, Promise<Session | undefined>>();
  #sweepTimer: TimerHandle | undefined;
  #closed = false;

  constructor(limits: Partial<SessionLimits> = {}, clock: Clock = wallClock, stores: SessionRegistryStores = localStores()) {
    this.limits = {
      ttlMs: requireDuration('sessions.ttl', limits.ttlMs ?? DEFAULT_SESSION_TTL_MS, 1),
      max: requireInteger('sessions.max', limits.max ?? DEFAULT_MAX_SESSIONS, 1),
      hibernateMs: requireDuration('sessions.hibernate', limits.hibernateMs ?? DEFAULT_SESSION_HIBERNATE_MS, 1),
    };
    this.#clock = clock;
    this.#stores = stores;
    if (stores.shared) this.#armSweep(); // the cluster's idle sessions expire whether or not this node holds them
  }

  /** Sessions open on this node, hibernating ones included. */
  get size(): number {
    return this.#sessions.size + this.#hibernating.size;
  }

  /** Sessions of this node whose live objects are released until their next request. */
  get hibernating(): number {
    return this.#hibernating.size;
  }

  get(id: string): Session | undefined {
    return this.#sessions.get(id);
  }

  /** The live sessions of this node, longest idle first. */
  all(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  /**
   * A session another node opened (or this node held before it restarted):
   * built here from its record by `build`, registered only once built.
   * `undefined` when the store has no such session.
   */
  restore(id: string, build: (record: SessionRecord) => Promise<Session>): Promise<Session | undefined> {
    const local = this.#sessions.get(id);
    if (local !== undefined) return Promise.resolve(local);
    let restoring = this.#restoring.get(id);
    if (restoring === undefined) {
      restoring = (async () => {
        const record = await this.#stores.store.get(id);
        if (record === undefined || this.#closed) return undefined;
        const session = await build(record);
        session.lastSeen = this.#clock.now();
        this.#hibernating.delete(id);
        this.#sessions.set(id, session);
        return session;
      })().finally(() => this.#restoring.delete(id));
      this.#restoring.set(id, restoring);
    }
    return restoring;
  }

  /**
   * Makes room for one more session, for the whole service: evicts the
   * longest-idle session when the store is full, or refuses when every
   * session is busy.
   */
  async admit(): Promise<AdmitOutcome> {
    const { store } = this.#stores;
    if ((await store.count()) < this.limits.max) return { ok: true };
    const cutoff = this.#clock.now() - (this.#stores.shared ? BUSY_GRACE_SWEEPS * this.#sweepEveryMs() : 0);
    for (const id of await store.idle(cutoff, 20)) {
      if ((this.#sessions.get(id)?.busy ?? 0) > 0) continue;
      await this.end(id);
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: 5 };
  }

  /** Registers a new session and stores what it is; `false` (nothing registered) when the service is full. */
  async add(session: Session, record: Omit<SessionRecord, 'createdAt' | 'lastSeen'>): Promise<boolean> {
    const now = this.#clock.now();
    const created = await this.#stores.store.create({ ...record, createdAt: now, lastSeen: now }, { max: this.limits.max });
    if (!created) return false;
    session.lastSeen = now;
    this.#sessions.set(session.id, session);
    this.#armSweep();
    return true;
  }

  /** Marks activity: moves the session to the most-recent end, here and in the store. */
  touch(session: Session): void {
    void this.#mark(session).catch(() => {});
  }

  /** Marks activity and checks the session still exists in the store (another node may have ended it); drops it here if not. */
  async alive(session: Session): Promise<boolean> {
    if (await this.#mark(session)) return true;
    await this.drop(session.id);
    return false;
  }

  /** Moves a held session to the most-recent end and tells the store; whether the store still has it. */
  #mark(session: Session): Promise<boolean> {
    // Never resurrect: a stream of an ended session may finish after the end.
    if (this.#sessions.get(session.id) !== session) return Promise.resolve(false);
    session.lastSeen = this.#clock.now();
    this.#sessions.delete(session.id);
    this.#sessions.set(session.id, session);
    return this.#stores.store.touch(session.id, session.lastSeen);
  }

  /** Ends a session for the whole service (DELETE, TTL, eviction) and releases what it holds. Idempotent. */
  async end(id: string): Promise<void> {
    const held = this.#sessions.has(id);
    this.#hibernating.delete(id);
    const existed = await this.#stores.store.delete(id).catch(() => false);
    if (held) await this.drop(id, true);
    else if (existed) await this.#stores.clearLog(id).catch(() => {});
    if (existed) await this.#stores.announceEnd(id).catch(() => {});
  }

  /** Releases what this node holds of a session; with `clearLog`, its stream log too (the session ended). */
  async drop(id: string, clearLog = false): Promise<void> {
    this.#hibernating.delete(id);
    const session = this.#sessions.get(id);
    if (session === undefined) return;
    this.#sessions.delete(id);
    session.ended.abort(new Error(`session ${id} ended`));
    await Promise.allSettled([session.transport.close(), session.server.close(), clearLog ? session.log.clear() : undefined]);
  }

  /** Ends every session idle for longer than the TTL, service-wide; keeps this node's busy sessions fresh in the store. */
  async sweep(): Promise<void> {
    const now = this.#clock.now();
    const busy = [...this.#sessions.values()].filter((session) => session.busy > 0);
    await Promise.all(busy.map((session) => this.#stores.store.touch(session.id, now).catch(() => false)));
    let released = await this.#hibernateQuiet(now);
    const cutoff = now - this.limits.ttlMs;
    // In batches, until none is left: a sweep reclaims every expired session, however many.
    for (;;) {
      const idle = await this.#stores.store.idle(cutoff, SWEEP_BATCH).catch(() => [] as string[]);
      const expired = idle.filter((id) => (this.#sessions.get(id)?.busy ?? 0) === 0);
      for (const id of expired) await this.end(id);
      released += expired.length;
      if (idle.length < SWEEP_BATCH || expired.length === 0 || this.#closed) break;
    }
    // Released sessions are collected every so many, and once more when the releases stop (or no
    // sweep follows: none is left), so an idle server does not keep the last of them.
    const pacer = sharedPacer('major');
    if (released > 0) pacer.add(released * RELEASED_SESSION_BYTES);
    if (released === 0 || this.size === 0) pacer.settle(this.#clock.now());
  }

  /** This node stops: alone, it ends its sessions; sharing the store, it leaves them to the other nodes. */
  async closeAll(): Promise<void> {
    this.#closed = true;
    if (this.#sweepTimer !== undefined) this.#clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = undefined;
    const ids = [...this.#sessions.keys(), ...this.#hibernating];
    await Promise.allSettled(ids.map((id) => (this.#stores.shared ? this.drop(id) : this.end(id))));
    this.#hibernating.clear();
  }

  /** Releases the live objects of every session quiet for `hibernateMs`; the store keeps its record, the log its streams. */
  async #hibernateQuiet(now: number): Promise<number> {
    const cutoff = now - this.limits.hibernateMs;
    const quiet = [...this.#sessions.values()].filter((s) => s.busy === 0 && s.lastSeen <= cutoff && s.transport.quiet);
    for (const session of quiet) {
      this.#sessions.delete(session.id);
      this.#hibernating.add(session.id);
      await Promise.allSettled([session.transport.close(), session.server.close()]);
    }
    return quiet.length;
  }

  #sweepEveryMs(): number {
    return Math.max(10, Math.min(60_000, Math.floor(Math.min(this.limits.ttlMs, this.limits.hibernateMs) / 4)));
  }

  #armSweep(): void {
    if (this.#sweepTimer !== undefined || this.#closed) return;
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.#sweepTimer = undefined;
      void this.sweep().finally(() => {
        // With no session left, sweeps go on only while the pacer has its quiet collection to make.
        if (this.size > 0 || this.#stores.shared || sharedPacer('major').settling) this.#armSweep();
      });
    }, this.#sweepEveryMs());
  }
}
