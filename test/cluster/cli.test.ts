// `sluice serve --store`: a Redis URL puts the node on Redis (its /healthz says so), `memory`
// keeps it alone, a URL that is not one is a usage error (exit 2), and a Redis that does not
// answer keeps the node from starting (exit 1), each with a line that says why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clusterTools, startNode } from '../helpers/cluster.js';
import { type RunningRedis, startRedis } from '../helpers/redisServer.js';
import { CLI, tempDir } from '../helpers/servers.js';

let redis: RunningRedis;
const tmp = tempDir();
const config = join(tmp.dir, 'sluice.yaml');
before(async () => {
  redis = await startRedis();
  writeFileSync(config, clusterTools());
});
after(async () => {
  await redis?.stop();
  tmp.remove();
});

const health = async (url: string) => (await (await fetch(url.replace('/mcp', '/healthz'))).json()) as { store: { kind: string; ready: boolean }; node: string; nodes?: string[] };

test('--store redis://… joins the cluster; --store memory stays alone', async () => {
  const node = await startNode({ config, args: ['--store', `${redis.url}/0`] });
  try {
    assert.match(node.stderr(), /store redis:\/\/127\.0\.0\.1:\d+\/0, node \S+/);
    assert.match(node.stderr(), /SLUICE_STATE_KEY is not set/, 'warned about the request-state key');
    const state = await health(node.url);
    assert.deepEqual([state.store.kind, state.store.ready], ['redis', true]);
    assert.ok(state.nodes?.includes(state.node));
  } finally {
    await node.stop();
  }
  const alone = await startNode({ config, args: ['--store', 'memory'] });
  try {
    assert.equal((await health(alone.url)).store.kind, 'memory');
  } finally {
    await alone.stop();
  }
});

test('a --store that is not a Redis URL is a usage error; an unreachable Redis stops the start', () => {
  const bad = spawnSync(process.execPath, [CLI, 'serve', config, '--port', '0', '--store', 'postgres://x'], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--store must be memory or redis:\/\/HOST:PORT\[\/DB\]/);
  // A port nothing listens on (the test's Redis, stopped for a moment, would do too): refused at once, retried, then given up after 10 s.
  const down = spawnSync(process.execPath, [CLI, 'serve', config, '--port', '0', '--store', 'redis://user:secret@127.0.0.1:1'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(down.status, 1);
  assert.match(down.stderr, /--store redis:\/\/user:\*\*\*@127\.0\.0\.1:1: Redis is not reachable/);
  assert.doesNotMatch(down.stderr, /secret/, 'the password is never printed');
});
