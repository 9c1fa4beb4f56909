/**
 * The stores a server runs on, injected where it starts (`serveHttp({ stores })`,
 * `createHttpHandler(sluice, { stores })`), never constructed inside the
 * handler: memory by default, Redis for several nodes (`mcp-sluice/redis`).
 *
 * @module
 */
import type { Clock } from '../flow/clock.js';
import { type Cluster, singleNode } from './cluster.js';
import type { EventLogStore } from './eventLog.js';
import { memoryEventLogs } from './memory/memoryEventLog.js';
import { MemorySessionStore } from './memory/memorySessionStore.js';
import { MemoryTaskStore } from './memory/memoryTaskStore.js';
import type { SessionStore } from './sessionStore.js';
import type { TaskStore } from './taskStore.js';

/** The state of the stores, for `/healthz` and for refusing requests (503) while they are unreachable. */
export interface StoreHealth {
  readonly kind: 'memory' | 'redis';
  readonly ready: boolean;
  readonly error?: string;
}

export interface Stores {
  readonly sessions: SessionStore;
  readonly eventLogs: EventLogStore;
  readonly tasks: TaskStore;
  readonly cluster: Cluster;
  /**
   * Whether other processes share these stores: then a node that stops
   * leaves its sessions and their logs to the others instead of ending them.
   */
  readonly shared: boolean;
  health(): StoreHealth;
  close(): Promise<void>;
}

/** Memory stores: one process, nothing to set up; `tasks` may be a durable one (`JournaledTaskStore`). */
export function memoryStores(clock?: Clock, options: { readonly tasks?: TaskStore } = {}): Stores {
  return {
    sessions: new MemorySessionStore(),
    eventLogs: memoryEventLogs(clock),
    tasks: options.tasks ?? new MemoryTaskStore(),
    cluster: singleNode(),
    shared: false,
    health: () => ({ kind: 'memory', ready: true }),
    close: async () => {},
  };
}
