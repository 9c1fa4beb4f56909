// Across nodes: a 2025 stream produced on A and dropped is resumed with
// Last-Event-ID on B (every partial once, in order, the live rest, then the
// result), and the producer on A is held back while nobody reads it, as on
// one node; a cancellation sent to B stops the call on A (its process group
// gone) within 100 ms p95, and a cancellation that arrives before its call
// keeps the call from starting.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { type Cluster, clusterTools, inSession, openSession, startCluster } from '../helpers/cluster.js';
import { assertExactlyOnce, PartialReader, settles, written } from '../helpers/partialReader.js';
import { isRunning, waitFor } from '../helpers/processes.js';

const LINES = 8192;
const LINE_BYTES = 6 * 1024; // 48 MiB in all
let cluster: Cluster;
let a: Cluster['nodes'][number];
let b: Cluster['nodes'][number];

before(async () => {
  cluster = await startCluster({ count: 2, config: clusterTools() });
  [a, b] = cluster.nodes as [typeof a, typeof b];
});
after(async () => {
  await cluster?.close();
});

async function partialSession(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { partialResults: {} }, clientInfo: { name: 'raw', version: '0' } } }),
  });
  await response.text();
  const session = response.headers.get('mcp-session-id')!;
  await (await inSession(url, session, { jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  return session;
}

test('a stream produced on A, dropped, resumes on B: held while away, then every partial once and the result', async () => {
  const session = await partialSession(a.url);
  const countFile = join(cluster.dir, 'count-resume');
  const call = await inSession(a.url, session, {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'numbered', arguments: { lines: LINES, size: LINE_BYTES, countFile }, _meta: { partialResultToken: 'p' } },
  });
  const reader = new PartialReader();
  const first = call.body!.getReader();
  while (reader.bytes < 1024 * 1024) reader.feed((await first.read()).value!);
  await first.cancel(); // the client is gone from A; its call goes on
  reader.reconnect();

  // Backpressure across the hop: the unread part of the Redis stream holds the producer on A.
  const held = await settles(() => written(countFile), 1000, 20_000);
  assert.ok(held < LINES / 4, `the script on A was held back while nobody read: ${held} of ${LINES} lines written`);

  const resumed = await inSession(b.url, session, undefined, { accept: 'text/event-stream', 'last-event-id': reader.lastEventId! }, 'GET');
  assert.equal(resumed.status, 200);
  for await (const chunk of resumed.body!) reader.feed(chunk);
  assertExactlyOnce(reader, LINES);
  assert.ok(reader.result, 'the result came last, on the stream resumed on B');
  assert.ok(written(countFile) === LINES, 'the script on A ran to its end as B read');
});

/** Starts `sleepy` on `node` as request `id`; resolves with its pids once it runs (the response stays open). */
async function startSleepy(node: typeof a, session: string, id: number): Promise<{ response: Response; pids: number[] }> {
  const pidFile = join(cluster.dir, `sleepy-${id}.json`);
  const response = await inSession(node.url, session, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'sleepy', arguments: { pidFile } } });
  assert.equal(response.status, 200);
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, 10_000, `sleepy ${id} to start`);
  const { child, grandchild } = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
  return { response, pids: [child, grandchild] };
}

test('notifications/cancelled sent to B stops the call running on A within 100 ms p95', async (t) => {
  const session = await openSession(a.url);
  const took: number[] = [];
  for (let id = 100; id < 120; id++) {
    const { response, pids } = await startSleepy(a, session, id);
    const started = performance.now();
    const cancel = await inSession(b.url, session, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'test' } });
    assert.equal(cancel.status, 202);
    while (pids.some(isRunning)) await new Promise((resolve) => setImmediate(resolve));
    took.push(performance.now() - started);
    await response.body?.cancel().catch(() => {});
  }
  took.sort((x, y) => x - y);
  const p95 = took[Math.ceil(took.length * 0.95) - 1]!;
  t.diagnostic(`cancel on B to process group gone on A: p50 ${took[took.length >> 1]!.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  assert.ok(p95 < 100, `p95 ${p95.toFixed(1)} ms from the cancellation on B to the process group gone on A (all: ${took.map((t) => t.toFixed(0)).join(', ')})`);
});

test('a cancellation that reaches B before its call reaches A is not lost: the call never starts', async () => {
  const session = await openSession(a.url);
  const pidFile = join(cluster.dir, 'sleepy-early.json');
  const cancel = await inSession(b.url, session, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'early', reason: 'changed my mind' } });
  assert.equal(cancel.status, 202);
  const call = await inSession(a.url, session, { jsonrpc: '2.0', id: 'early', method: 'tools/call', params: { name: 'sleepy', arguments: { pidFile } } });
  assert.equal(call.status, 200);
  const text = await call.text(); // the stream ends: a cancelled request is never answered
  assert.doesNotMatch(text, /"result"/);
  assert.equal(existsSync(pidFile), false, 'the script never started');
  // The id is free again for a new call.
  const again = await inSession(b.url, session, { jsonrpc: '2.0', id: 'early', method: 'tools/call', params: { name: 'ticker', arguments: { count: 1, delay: 1 } } });
  assert.match(await again.text(), /line 1/);
});

test('a request id in flight on A is refused on B (409), and A’s call goes on', async () => {
  const session = await openSession(a.url);
  const { response, pids } = await startSleepy(a, session, 300);
  const reused = await inSession(b.url, session, { jsonrpc: '2.0', id: 300, method: 'tools/call', params: { name: 'ticker', arguments: { count: 1, delay: 1 } } });
  assert.equal(reused.status, 409);
  assert.match(((await reused.json()) as { error: { message: string } }).error.message, /already in flight in this session on another node/);
  assert.ok(pids.every(isRunning), 'the first call is unharmed');
  await inSession(b.url, session, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 300 } });
  await waitFor(() => !pids.some(isRunning), 5000, 'the call to stop');
  await response.body?.cancel().catch(() => {});
});

test('a cancellation whose message is lost while A’s subscription is down still stops the call (A re-checks after reconnecting)', async () => {
  const session = await openSession(a.url);
  const { response, pids } = await startSleepy(a, session, 400);
  // B holds the session already, so its cancellation goes out at once, well inside A's 100 ms without a subscription.
  assert.equal((await inSession(b.url, session, { jsonrpc: '2.0', id: 401, method: 'tools/list' })).status, 200);
  const admin = new Redis(cluster.redis.port, '127.0.0.1');
  try {
    // A's subscriber connection drops; ioredis reconnects it 100 ms later, so the message published meanwhile is lost.
    const clients = String(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
    const id = new RegExp(`id=(\\d+) [^\\n]*name=sluice-sub-${a.process.pid}\\b`).exec(clients)?.[1];
    assert.ok(id, `A's subscriber connection in CLIENT LIST: ${clients}`);
    await admin.call('CLIENT', 'KILL', 'ID', id);
    const cancel = await inSession(b.url, session, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 400, reason: 'test' } });
    assert.equal(cancel.status, 202);
    await waitFor(() => !pids.some(isRunning), 5000, 'the call to stop through its durable marker');
  } finally {
    admin.disconnect();
    await response.body?.cancel().catch(() => {});
  }
});
