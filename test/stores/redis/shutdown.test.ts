// A node on Redis stops promptly even when Redis is gone: closing its stores does not wait for
// a Redis that cannot answer (before, `stores.close()` waited in the offline queue forever).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceServer } from '../../../src/server/sluiceServer.js';
import { redisStores } from '../../../src/stores/redis/redisStores.js';
import { serveHttp } from '../../../src/transports/http/nodeServer.js';
import { waitFor } from '../../helpers/processes.js';
import { startRedis } from '../../helpers/redisServer.js';

test('server and stores close within a few seconds after Redis went away', { timeout: 20_000 }, async () => {
  const redis = await startRedis();
  const stores = await redisStores(redis.url, { report: () => {} });
  const server = await serveHttp(new SluiceServer({ name: 's', version: '0' }), { port: 0, stores });
  await redis.stop();
  await waitFor(() => !stores.health().ready, 5000, 'the node to see Redis gone');
  const started = Date.now();
  await server.close();
  await stores.close();
  assert.ok(Date.now() - started < 4000, `closed in ${Date.now() - started} ms`);
});
