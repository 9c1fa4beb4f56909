/**
 * The stores a server runs on, injected where it starts (`serveHttp({ stores })`,
 * `createHttpHandler(sluice, { stores })`), never constructed inside the
 * handler: memory by default, another implementation for several nodes.
 *
 * @module
 */
import type { Clock } from '../flow/clock.js';
import type { EventLogStore } from './eventLog.js';
import { memoryEventLogs } from './memory/memoryEventLog.js';
import { MemorySessionStore } from './memory/memorySessionStore.js';
import type { SessionStore } from './sessionStore.js';

export interface Stores {
  readonly sessions: SessionStore;
  readonly eventLogs: EventLogStore;
}

/** Memory stores: one process, nothing to set up. */
export function memoryStores(clock?: Clock): Stores {
  return { sessions: new MemorySessionStore(), eventLogs: memoryEventLogs(clock) };
}
