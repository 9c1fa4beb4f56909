// Session TTL and the session cap hold for the cluster, not per node: a
// session kept busy through B does not expire on A, an idle one expires
// everywhere; a full cluster evicts its longest-idle session wherever it was
// opened, and refuses (503, Retry-After) when every session is busy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { type Cluster, clusterTools, inSession, openSession, startCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/processes.js';
import { INITIALIZE, post } from '../helpers/servers.js';

const TTL_MS = 2000;
let cluster: Cluster;
let redis: Redis;
let a: Cluster['nodes'][number];
let b: Cluster['nodes'][number];

before(async () => {
  cluster = await startCluster({ count: 2, config: `${clusterTools()}\nsessions: { ttl: ${TTL_MS}ms, max: 2 }` });
  [a, b] = cluster.nodes as [typeof a, typeof b];
  redis = new Redis(cluster.redis.port, '127.0.0.1');
});
after(async () => {
  redis?.disconnect();
  await cluster?.close();
});

const exists = async (session: string) => (await redis.exists(`sl:s:{${session}}`)) === 1;
const list = (node: typeof a, session: string) => inSession(node.url, session, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the TTL is the cluster’s: activity on B keeps a session alive on A; idle, it expires on every node', async () => {
  const session = await openSession(a.url);
  for (let i = 0; i < 8; i++) {
    await pause(TTL_MS / 5);
    assert.equal((await list(b, session)).status, 200);
  }
  // A has not seen the session for longer than the TTL, yet it lives: the cluster saw it.
  assert.equal((await list(a, session)).status, 200);
  await waitFor(async () => !(await exists(session)), TTL_MS * 3, 'the idle session to expire');
  for (const node of [a, b]) assert.equal((await list(node, session)).status, 404);
});

test('the cap is the cluster’s: a full cluster evicts its longest-idle session, opened on another node; with every session busy it refuses', async () => {
  await redis.del('sl:sessions'); // sessions of the test before are expired by now or going
  const first = await openSession(a.url);
  const second = await openSession(b.url);
  await pause(TTL_MS / 2 + 100); // idle longer than the grace a busy session on another node gets (two sweeps)
  const third = await openSession(a.url);
  assert.equal(await exists(first), false, 'the longest-idle session went to make room');
  assert.equal((await list(b, first)).status, 404);
  // Both sessions busy, each on its own node: nothing may be evicted.
  const streams = [await inSession(b.url, second, undefined, { accept: 'text/event-stream' }, 'GET'), await inSession(a.url, third, undefined, { accept: 'text/event-stream' }, 'GET')];
  assert.deepEqual(streams.map((s) => s.status), [200, 200]);
  await pause(TTL_MS / 2 + 100);
  const refused = await post(b.url, INITIALIZE);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '5');
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /Too many sessions/);
  for (const stream of streams) await stream.body?.cancel();
});
