/**
 * Every store on one Redis: sessions, stream logs, call ownership and
 * cancellation, node liveness. Nodes that share a Redis URL and `prefix`
 * are one service; any of them serves any request.
 *
 * @module
 */
import { DEFAULT_NODE_TIMEOUT_MS, DEFAULT_REDIS_PREFIX } from '../../defaults.js';
import { requireDuration } from '../../errors.js';
import { type Clock, wallClock } from '../../flow/clock.js';
import type { EventLogOptions, EventLogStore } from '../eventLog.js';
import type { Stores } from '../stores.js';
import { RedisCluster } from './redisCluster.js';
import { RedisEventLog } from './redisEventLog.js';
import { parseRedisUrl, RedisLink } from './redisLink.js';
import { RedisTaskStore } from './redisTaskStore.js';
import { RedisSessionStore } from './redisSessionStore.js';

export interface RedisStoreOptions {
  /** Key and channel prefix: services sharing one Redis use different ones. @defaultValue {@link DEFAULT_REDIS_PREFIX} */
  readonly prefix?: string;
  /** A node silent this long is presumed dead and its calls are ended (ms). @defaultValue {@link DEFAULT_NODE_TIMEOUT_MS} */
  readonly nodeTimeoutMs?: number;
  /** How long to wait for Redis when starting (ms). @defaultValue 10000 */
  readonly connectTimeoutMs?: number;
  /** Where operator messages go (a node reaped, this node presumed dead). @defaultValue stderr */
  readonly report?: (message: string) => void;
  /** Time for event ages and session activity; wall time, shared by every node. */
  readonly clock?: Clock;
}

export interface RedisStores extends Stores {
  readonly cluster: RedisCluster;
}

/** Connects to Redis at `url` (`redis://HOST:PORT[/DB]`) and joins the service's cluster. */
export async function redisStores(url: string, options: RedisStoreOptions = {}): Promise<RedisStores> {
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const nodeTimeoutMs = requireDuration('nodeTimeoutMs', options.nodeTimeoutMs ?? DEFAULT_NODE_TIMEOUT_MS, 100);
  const report = options.report ?? ((message: string) => process.stderr.write(`${message}\n`));
  const clock = options.clock ?? wallClock;
  const link = new RedisLink(parseRedisUrl(url));
  try {
    await link.connected(options.connectTimeoutMs ?? 10_000);
  } catch (error) {
    await link.close();
    throw error;
  }
  const onFenced = (scope: string, streamId: string) =>
    report(`sluice: stream ${streamId} of session ${scope} was taken over by another node (this node was presumed dead); its call stops`);
  const logOf = (scope: string, eventLog: Partial<EventLogOptions> = {}): RedisEventLog =>
    new RedisEventLog(link, scope, { ...eventLog, prefix, owner: () => cluster.nodeId, onFenced }, clock);
  const cluster: RedisCluster = new RedisCluster(link, { prefix, nodeTimeoutMs, logOf: (scope) => logOf(scope), report });
  await cluster.start();
  const eventLogs: EventLogStore = { open: (scope, eventLog) => logOf(scope, eventLog) };
  return {
    sessions: new RedisSessionStore(link, prefix),
    eventLogs,
    tasks: new RedisTaskStore(link, prefix),
    cluster,
    shared: true,
    health: () => ({ kind: 'redis', ready: link.ready, ...(link.lastError !== undefined && { error: link.lastError }) }),
    close: async () => {
      await cluster.close();
      await link.close();
    },
  };
}
