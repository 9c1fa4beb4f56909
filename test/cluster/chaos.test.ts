// The chaos test across three nodes: the proxy round-robins every request of
// a session with no affinity and cuts resumable streams at random moments,
// and every resumption lands on a node other than the one that last served
// the stream. Every event arrives exactly once, in order, with the sluice
// client and the stock SDK v2 client.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { CHAOS_SEED, runChaos } from '../helpers/chaosRun.js';
import { ROOT } from '../helpers/servers.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({
    count: 3,
    script: join(ROOT, 'test/fixtures/servers/burst.ts'),
    proxy: { chaos: { minLifeMs: 5, maxLifeMs: 60, seed: CHAOS_SEED } },
  });
});
after(async () => {
  await cluster?.close();
});

test('chaos across three nodes: every reconnect lands on another node, every event arrives exactly once', { timeout: 150_000 }, async (t) => {
  await runChaos(cluster.url);
  const { cuts, resumes, resumesElsewhere } = cluster.proxy;
  t.diagnostic(`${cuts} cuts, ${resumes} resumptions, ${resumesElsewhere} on another node, seed ${CHAOS_SEED}`);
  assert.ok(cuts >= 100, `hundreds of cuts expected, got ${cuts}`);
  assert.ok(resumes >= 100, `hundreds of resumptions expected, got ${resumes}`);
  assert.equal(resumesElsewhere, resumes, 'every resumption was served by a node other than the stream’s last one');
  assert.ok([...cluster.proxy.served.values()].every((n) => n > 50), `every node served requests: ${[...cluster.proxy.served.values()].join(', ')}`);
});
