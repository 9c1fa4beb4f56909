// A node dies: killed with SIGKILL in the middle of calls, every stream it
// owned ends with a JSON-RPC error saying so within 15 s (the default node
// timeout), its sessions keep working on the other nodes, and its claims are
// cleared. A node stopped (SIGSTOP) past the timeout and continued cannot
// append to the stream another node ended for it, and finds out it lost it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Redis } from 'ioredis';
import { connect, RemoteError } from '../../src/client/index.js';
import { ErrorCode } from '../../src/protocol/wire.js';
import { type Cluster, clusterTools, inSession, openSession, startCluster } from '../helpers/cluster.js';
import { isRunning, waitFor } from '../helpers/processes.js';
import { v2Client } from '../helpers/servers.js';

const clusters: Cluster[] = [];
after(async () => {
  await Promise.allSettled(clusters.map((cluster) => cluster.close()));
});

/** The pid of the process that started `pid` (from /proc). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

async function pidsOf(file: string): Promise<{ child: number; grandchild: number }> {
  await waitFor(() => existsSync(file) && readFileSync(file, 'utf8').length > 0, 10_000, `pid file ${file}`);
  return JSON.parse(readFileSync(file, 'utf8')) as { child: number; grandchild: number };
}

/** Reads SSE messages until the stream ends; each with the time it arrived. */
async function readAll(response: Response): Promise<Array<{ id?: string; message?: Record<string, unknown>; at: number }>> {
  const events: Array<{ id?: string; message?: Record<string, unknown>; at: number }> = [];
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (.*)$/m.exec(event)?.[1];
      const data = /^data: (.*)$/m.exec(event)?.[1];
      events.push({ ...(id !== undefined && { id }), ...(data !== undefined && data.trim() !== '' && { message: JSON.parse(data) }), at: Date.now() });
    }
  }
  return events;
}

test('SIGKILL mid-call: the stock client and ours fail fast with CallLost, the session goes on, the claims are cleared, no process is left', { timeout: 60_000 }, async (t) => {
  const cluster = await startCluster({ count: 3, config: clusterTools() });
  clusters.push(cluster);
  const stock = await v2Client(cluster.url, 'legacy');
  const ours = await connect(cluster.url, { era: 'legacy' });
  try {
    // Ours first, on a node that the stock client's call will share or not: every node that runs one of them dies.
    const oursFile = join(cluster.dir, 'ours.json');
    const oursCall = ours.callTool('sleepy', { pidFile: oursFile }, { timeoutMs: 120_000 }).then(
      () => undefined,
      (error: Error) => error,
    );
    const oursPids = await pidsOf(oursFile);
    const pidFile = join(cluster.dir, 'killed.json');
    const call = stock.callTool({ name: 'sleepy', arguments: { pidFile } }, { timeout: 120_000 }).then(
      () => undefined,
      (error: Error & { code?: number }) => error,
    );
    const { child, grandchild } = await pidsOf(pidFile);
    const victims = new Set(cluster.nodes.filter((node) => [parentOf(child), parentOf(oursPids.child)].includes(node.process.pid!)));
    assert.ok(victims.size > 0 && victims.size < 3, 'the nodes that run the calls');
    for (const victim of victims) cluster.proxy.remove(victim.port);
    const killedAt = Date.now();
    for (const victim of victims) victim.process.kill('SIGKILL');
    const error = await call;
    const oursError = await oursCall;
    assert.ok(oursError instanceof RemoteError, `our client's call failed: ${oursError}`);
    assert.equal(oursError.remoteCode, ErrorCode.CallLost, oursError.message);
    assert.ok(Date.now() - killedAt < 15_000, 'ours within 15 s too');
    const took = Date.now() - killedAt;
    t.diagnostic(`the client had its error ${took} ms after the kill`);
    assert.ok(error instanceof Error, 'the call failed');
    assert.equal(error.code, ErrorCode.CallLost, `a CallLost error: ${error.message}`);
    assert.match(error.message, /node .* stopped/);
    assert.ok(took < 15_000, `within 15 s (${took} ms)`);

    // The session lives on the other nodes.
    assert.ok((await stock.listTools()).tools.length > 0);
    const again = await stock.callTool({ name: 'ticker', arguments: { count: 1, delay: 1 } });
    assert.match(JSON.stringify(again.content), /line 1/);
    // The dead node's claims are gone, and so are its script's processes (the orphan watchdog).
    const redis = new Redis(cluster.redis.port, '127.0.0.1');
    try {
      const session = stock.transport!.sessionId!;
      await waitFor(async () => (await redis.hlen(`sl:s:{${session}}:calls`)) === 0, 5000, 'the claims to clear');
      assert.equal(await redis.exists(`sl:n:${/\(node ([^,]+),/.exec(error.message)![1]}:owned`), 0, "the dead node's list of calls is gone");
    } finally {
      redis.disconnect();
    }
    await waitFor(() => !isRunning(child) && !isRunning(grandchild), 10_000, "the killed node's script processes to be gone");
    await waitFor(() => !isRunning(oursPids.child) && !isRunning(oursPids.grandchild), 10_000, 'the other script to be gone too');
  } finally {
    await stock.close().catch(() => {});
    await ours.close().catch(() => {});
  }
});

test('SIGSTOP past the timeout, then SIGCONT: the stream another node ended takes nothing more, and the node knows it lost it', { timeout: 60_000 }, async () => {
  const cluster = await startCluster({ count: 2, config: clusterTools(), storeExtra: 'nodeTimeout: 1s' });
  clusters.push(cluster);
  const [a, b] = cluster.nodes as [Cluster['nodes'][number], Cluster['nodes'][number]];
  const session = await openSession(a.url);
  const pidFile = join(cluster.dir, 'beating.pid');
  const call = await inSession(a.url, session, { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'beating', arguments: { count: 100_000, delay: 20, pidFile }, _meta: { progressToken: 't' } } });
  await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').length > 0, 10_000, 'the script to start');
  const script = Number(readFileSync(pidFile, 'utf8'));
  // Read a few events, keep the priming id, and leave.
  const reader = call.body!.getReader();
  let text = '';
  while ((text.match(/notifications\/progress/g) ?? []).length < 3) text += new TextDecoder().decode((await reader.read()).value);
  await reader.cancel();
  const primingId = /id: (\S+)\nretry/.exec(text)![1]!;

  a.process.kill('SIGSTOP');
  try {
    // B presumes A dead and ends its stream: a resume on B gets the events, then the error, then the end.
    const resumed = await inSession(b.url, session, undefined, { accept: 'text/event-stream', 'last-event-id': primingId }, 'GET');
    assert.equal(resumed.status, 200);
    const events = await readAll(resumed);
    const last = events.at(-1)!.message as { id: number; error: { code: number; data: { reason: string } } };
    assert.equal(last.id, 7);
    assert.equal(last.error.code, ErrorCode.CallLost);
    assert.equal(last.error.data.reason, 'owner_lost');
  } finally {
    a.process.kill('SIGCONT');
  }
  // A finds out: it stops the call (its script is gone) and says so.
  await waitFor(() => /presumed dead/.test(a.stderr()), 10_000, 'the node to find out it was presumed dead');
  await waitFor(() => !isRunning(script), 10_000, "the continued node to stop its call's script");
  // Fencing: nothing A produced after the take-over reached the stream; the error is still its last event.
  const whole = await readAll(await inSession(b.url, session, undefined, { accept: 'text/event-stream', 'last-event-id': primingId }, 'GET'));
  const final = whole.at(-1)!.message as { error?: { code: number } };
  assert.equal(final.error?.code, ErrorCode.CallLost);
  assert.equal(whole.filter((event) => (event.message as { error?: unknown } | undefined)?.error !== undefined).length, 1);
  // And A serves again, under a new id.
  const health = (await (await fetch(a.url.replace('/mcp', '/healthz'))).json()) as { node: string; nodes: string[] };
  assert.ok(health.nodes.includes(health.node));
});
