// The Redis stores pass the same store contracts as memory, against a real
// redis-server: each case gets a prefix of its own on one server.
import { after, before } from 'node:test';
import { RedisEventLog } from '../../../src/stores/redis/redisEventLog.js';
import { parseRedisUrl, RedisLink } from '../../../src/stores/redis/redisLink.js';
import { RedisSessionStore } from '../../../src/stores/redis/redisSessionStore.js';
import { RedisTaskStore } from '../../../src/stores/redis/redisTaskStore.js';
import { eventLogContract } from '../contract/eventLog.contract.js';
import { sessionStoreContract } from '../contract/sessionStore.contract.js';
import { taskStoreContract } from '../contract/taskStore.contract.js';
import { type RunningRedis, startRedis } from '../../helpers/redisServer.js';

let redis: RunningRedis;
let link: RedisLink;
let cases = 0;

before(async () => {
  redis = await startRedis();
  link = new RedisLink(parseRedisUrl(redis.url));
  await link.connected(5000);
});
after(async () => {
  await link.close();
  await redis.stop();
});

eventLogContract('redis', (options, clock) => new RedisEventLog(link, 'scope', { ...options, prefix: `t${++cases}:`, owner: () => 'node-a' }, clock));
sessionStoreContract('redis', () => new RedisSessionStore(link, `t${++cases}:`));
taskStoreContract('redis', (limits, clock) => new RedisTaskStore(link, `t${++cases}:`, limits, clock));
