// Three sluice processes on one Redis behind a round-robin proxy with no
// affinity: a 2025 session opened on one node is served by every node (list
// and call on another, the standalone GET on a third), with the stock SDK v2
// client and with ours; DELETE on any node ends it everywhere and stops its
// running call on the node that runs it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { type Cluster, clusterTools, inSession, openSession, startCluster } from '../helpers/cluster.js';
import { isAlive, waitFor } from '../helpers/processes.js';
import { messagesOf, v2Client } from '../helpers/servers.js';

let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ count: 3, config: clusterTools() });
});
after(async () => {
  await cluster?.close();
});

test('the stock SDK v2 client and ours work through three nodes, each session served by all of them', async () => {
  const stock = await v2Client(cluster.url, 'legacy');
  const ours = await connect(cluster.url, { era: 'legacy' });
  try {
    for (let round = 0; round < 2; round++) {
      assert.ok((await stock.listTools()).tools.some((tool) => tool.name === 'ticker'));
      const progress: number[] = [];
      const result = await stock.callTool({ name: 'ticker', arguments: { count: 3, delay: 5 } }, { onprogress: (p) => progress.push(p.progress) });
      assert.match(JSON.stringify(result.content), /line 3/);
      // Progress is a latest value: an update may be coalesced into the next while one is being stored, never reordered.
      assert.equal(progress.at(-1), 3);
      assert.ok(progress.every((p, i) => i === 0 || p > progress[i - 1]!), `increasing: ${progress.join(', ')}`);
      const mine = await ours.callTool('ticker', { count: 2, delay: 5 });
      assert.match(JSON.stringify(mine.content), /line 2/);
    }
    for (const session of [stock.transport?.sessionId, ours.sdk.transport?.sessionId]) {
      const served = new Set(cluster.proxy.bySession.get(session!));
      assert.equal(served.size, 3, `session ${session} was served by every node (${[...served].join(', ')})`);
    }
  } finally {
    await stock.close();
    await ours.close();
  }
});

test('initialize on A, list and call on B, the standalone GET on C; DELETE on C ends the session everywhere and stops its call on A', async () => {
  const [a, b, c] = cluster.nodes as [Cluster['nodes'][0], Cluster['nodes'][0], Cluster['nodes'][0]];
  const session = await openSession(a.url);
  assert.equal((await inSession(b.url, session, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
  const listed = await messagesOf(await inSession(b.url, session, { jsonrpc: '2.0', id: 1, method: 'tools/list' }));
  assert.ok((listed[0]!.result as { tools: unknown[] }).tools.length >= 3);
  const called = await messagesOf(await inSession(b.url, session, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'ticker', arguments: { count: 2, delay: 1 } } }));
  assert.match(JSON.stringify(called.at(-1)), /line 2/);
  const standalone = await inSession(c.url, session, undefined, {}, 'GET');
  assert.equal(standalone.status, 200);
  assert.match(standalone.headers.get('content-type') ?? '', /text\/event-stream/);

  // A long call on A, then DELETE on C.
  const pidFile = join(cluster.dir, 'sleepy.json');
  const running = await inSession(a.url, session, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'sleepy', arguments: { pidFile } } });
  assert.equal(running.status, 200);
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, 10_000, 'the script to start on A');
  const { child, grandchild } = JSON.parse(readFileSync(pidFile, 'utf8')) as { child: number; grandchild: number };
  assert.equal((await inSession(c.url, session, undefined, {}, 'DELETE')).status, 200);
  await waitFor(() => !isAlive(child) && !isAlive(grandchild), 10_000, "the call's process group to be gone after DELETE on another node");
  await running.body?.cancel().catch(() => {});
  await standalone.body?.cancel().catch(() => {});
  for (const node of [a, b, c]) {
    const gone = await inSession(node.url, session, { jsonrpc: '2.0', id: 9, method: 'tools/list' });
    assert.equal(gone.status, 404, `node ${node.port} no longer knows the session`);
    assert.equal(((await gone.json()) as { error: { code: number } }).error.code, -32001);
  }
});

test('a node that stops (SIGTERM) leaves its sessions to the others', async () => {
  const [a, b, c] = cluster.nodes as [Cluster['nodes'][0], Cluster['nodes'][0], Cluster['nodes'][0]];
  const session = await openSession(c.url);
  assert.equal((await inSession(a.url, session, { jsonrpc: '2.0', id: 1, method: 'tools/list' })).status, 200);
  cluster.proxy.remove(c.port);
  await c.stop();
  for (const node of [a, b]) {
    const listed = await messagesOf(await inSession(node.url, session, { jsonrpc: '2.0', id: 2, method: 'tools/list' }));
    assert.ok((listed[0]!.result as { tools: unknown[] }).tools.length > 0, `node ${node.port} still serves the session opened on the node that stopped`);
  }
});

test('the dashboard of any node has one row per node, each with the summary it published with its heartbeat', async () => {
  const client = await connect(cluster.url, { era: 'modern' });
  const pidFile = join(cluster.dir, 'dashboard-sleepy.pids');
  const controller = new AbortController();
  const call = client.callTool('sleepy', { pidFile }, { signal: controller.signal }).catch(() => undefined);
  try {
    type State = { nodes: Array<{ node: string; summary: Record<string, number> }>; server: { node: string } };
    const stateOf = async (url: string) => (await (await fetch(url.replace(/\/mcp$/, '/dashboard/state'))).json()) as State;
    let state: State | undefined;
    // An earlier test may have stopped a node: every node still running has its row.
    const running = cluster.nodes.filter((node) => node.process.exitCode === null && node.process.signalCode === null);
    assert.ok(running.length >= 2);
    await waitFor(
      async () => {
        state = await stateOf(running[0]!.url);
        return state.nodes.length === running.length && state.nodes.some((n) => n.summary.calls === 1 && n.summary.scripts === 1);
      },
      15_000,
      'a row per running node, one of them running the call',
    ).catch((error: Error) => assert.fail(`${error.message}: ${JSON.stringify(state)} ${String(call)}`));
    assert.ok(state!.nodes.some((n) => n.node === state!.server.node), 'this node among them');
    for (const row of state!.nodes) assert.deepEqual(Object.keys(row.summary).sort(), ['calls', 'fullStreams', 'hibernating', 'scripts', 'sessions', 'streams', 'tasksRunning', 'unreadBytes']);
  } finally {
    controller.abort();
    await call;
    await client.close();
  }
});
