// Redis trouble: paused mid-call, the stream loses nothing (appends wait and
// go on); stopped, every request that needs it gets 503 with Retry-After and
// a JSON-RPC error at once, /healthz says so, 2026-07-28 requests (which keep
// nothing in Redis) are still served, nothing crashes; started again, service
// returns by itself.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ErrorCode } from '../../src/protocol/wire.js';
import { type Cluster, clusterTools, inSession, openSession, startCluster } from '../helpers/cluster.js';
import { assertExactlyOnce, PartialReader } from '../helpers/partialReader.js';
import { waitFor } from '../helpers/processes.js';
import { messagesOf, modernToolCall, INITIALIZE, post } from '../helpers/servers.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ count: 2, config: clusterTools() });
});
after(async () => {
  await cluster?.close();
});

const health = async (url: string) => {
  // /healthz never waits on the store: a hang fails here, clearly.
  const response = await fetch(url.replace('/mcp', '/healthz'), { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: (await response.json()) as { status: string; store: { kind: string; ready: boolean }; nodes?: string[] } };
};

test('Redis paused mid-call: the stream waits and then delivers every partial once', async () => {
  const [a] = cluster.nodes;
  const init = await post(a!.url, { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { partialResults: {} } } });
  await init.text();
  const session = init.headers.get('mcp-session-id')!;
  const lines = 3000;
  const call = await inSession(a!.url, session, {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'numbered', arguments: { lines, size: 1024, countFile: join(cluster.dir, 'count-pause') }, _meta: { partialResultToken: 'p' } },
  });
  const reader = new PartialReader();
  const body = call.body!.getReader();
  while (reader.bytes < 256 * 1024) reader.feed((await body.read()).value!);
  process.kill(cluster.redis.pid, 'SIGSTOP');
  // A stalled Redis still looks connected: /healthz answers anyway, without the list of nodes it cannot get.
  const stalled = await health(a!.url);
  assert.equal(stalled.body.nodes, undefined);
  const resume = setTimeout(() => process.kill(cluster.redis.pid, 'SIGCONT'), 1000);
  try {
    for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) reader.feed(chunk.value);
  } finally {
    clearTimeout(resume);
    process.kill(cluster.redis.pid, 'SIGCONT');
  }
  assertExactlyOnce(reader, lines);
  assert.ok(reader.result, 'and the result');
});

test('Redis stopped: 503 with Retry-After and a JSON-RPC error, /healthz says so, 2026 requests still served; back by itself when Redis is', { timeout: 60_000 }, async () => {
  const [a, b] = cluster.nodes as [Cluster['nodes'][number], Cluster['nodes'][number]];
  const old = await openSession(a.url);
  await cluster.redis.stop();
  for (const node of [a, b]) await waitFor(async () => (await health(node.url)).status === 503, 5000, 'the node to notice');
  const down = await health(b.url);
  assert.equal(down.body.status, 'store unavailable');
  assert.deepEqual([down.body.store.kind, down.body.store.ready], ['redis', false]);

  for (const response of [await post(a.url, INITIALIZE), await inSession(b.url, old, { jsonrpc: '2.0', id: 2, method: 'tools/list' })]) {
    assert.equal(response.status, 503);
    assert.equal(response.headers.get('retry-after'), '1');
    const body = (await response.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, ErrorCode.Unavailable);
    assert.match(body.error.message, /session store is unreachable/);
  }
  const modern = await messagesOf(await modernToolCall(b.url, 'ticker', { args: { count: 1, delay: 1 } }));
  assert.match(JSON.stringify(modern.at(-1)), /line 1/, 'a 2026-07-28 call needs no store');
  for (const node of [a, b]) assert.equal(node.process.exitCode, null, 'nothing crashed');

  await cluster.redis.start();
  for (const node of [a, b]) await waitFor(async () => (await health(node.url)).status === 200, 10_000, 'service to return');
  // Redis came back empty (no persistence): the old session is gone and says so; a new one works on every node.
  assert.equal((await inSession(a.url, old, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).status, 404);
  const fresh = await openSession(b.url);
  const listed = await messagesOf(await inSession(a.url, fresh, { jsonrpc: '2.0', id: 4, method: 'tools/list' }));
  assert.ok((listed[0]!.result as { tools: unknown[] }).tools.length > 0);
});
