/**
 * The session store: what a 2025-era session is, as data. Live objects (the
 * SDK server, the transport, open cursors) stay in the node that serves them;
 * a store holds only what another node would need to know about the session.
 *
 * Implementations: `memory/memorySessionStore.ts`; every implementation passes
 * `test/stores/contract/sessionStore.contract.ts` unchanged.
 *
 * @module
 */

/** A session as data. */
export interface SessionRecord {
  readonly id: string;
  /** The protocol revision negotiated at initialize. */
  readonly protocolVersion: string;
  /** The `initialize` parameters as the client sent them (its capabilities include extensions the SDK drops). */
  readonly initialize: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  /** Last activity (ms, the store's clock). */
  readonly lastSeen: number;
}

export interface SessionStore {
  /**
   * Stores a new session; `false` when `max` sessions are held already (the
   * cap holds for everyone sharing the store, checked and applied at once).
   */
  create(record: SessionRecord, options?: { readonly max?: number }): Promise<boolean>;
  get(id: string): Promise<SessionRecord | undefined>;
  /** Marks activity at `at`; whether the session still exists. A session that is gone stays gone. */
  touch(id: string, at: number): Promise<boolean>;
  /** Removes a session; whether it existed. */
  delete(id: string): Promise<boolean>;
  /** Sessions held. */
  count(): Promise<number>;
  /** Ids of the sessions idle since `cutoff` or before, longest idle first, at most `limit`. */
  idle(cutoff: number, limit: number): Promise<string[]>;
  /** Ids of every session, longest idle first. */
  ids(): Promise<string[]>;
}
