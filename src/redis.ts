/**
 * `mcp-sluice/redis`: every store on one Redis, for several sluice processes
 * serving one service (any node serves any request). Loaded only by those
 * who ask for it, so a single-process server never loads a Redis client.
 *
 * ```ts
 * import { serveHttp } from 'mcp-sluice';
 * import { redisStores } from 'mcp-sluice/redis';
 * const stores = await redisStores('redis://127.0.0.1:6379');
 * const server = await serveHttp(sluice, { port: 3001, stores });
 * // on shutdown: await server.close(); await stores.close();
 * ```
 *
 * @module
 */
export { redisStores, type RedisStoreOptions, type RedisStores } from './stores/redis/redisStores.js';
export { RedisEventLog, type RedisEventLogOptions } from './stores/redis/redisEventLog.js';
export { RedisSessionStore } from './stores/redis/redisSessionStore.js';
export { RedisTaskStore } from './stores/redis/redisTaskStore.js';
export type { RedisCluster } from './stores/redis/redisCluster.js';
