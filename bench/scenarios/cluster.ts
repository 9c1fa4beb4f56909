/**
 * Several nodes on Redis against one node in memory, on this one machine:
 * small tool calls through a round-robin proxy with no affinity for 1 to 4
 * nodes (throughput, p99, and how much CPU Redis took), events per second
 * through a Redis stream log, the stall a client sees when its resume lands
 * on another node, and the memory an idle session costs a node and Redis.
 *
 * Redis is Debian's `redis-server` on a free loopback port, no persistence,
 * unpinned; the nodes run on the server core like every bench server; the
 * proxy runs in this process, beside the load generator, on core 0.
 */
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ClusterProxy } from '../../test/helpers/clusterProxy.js';
import { type RunningRedis, startRedis } from '../../test/helpers/redisServer.js';
import { type BenchServer, cpuSeconds, startServer, stopServer } from '../lib/processes.js';
import { type AbandonedResult, abandonedSessions, reconnectStall, type ReplayResult, replayThroughput, type StallResult } from './sessions.js';
import { type SmallCallsResult, smallCalls } from './smallCalls.js';

const SLUICE = join(import.meta.dirname, '../servers/sluice.ts');
const SESSIONS = join(import.meta.dirname, '../servers/sessions.ts');
const CUT_EVERY_MS = 250;

export interface ClusterCallsRow {
  readonly nodes: number;
  readonly store: 'memory' | 'redis';
  readonly result: SmallCallsResult;
  /** CPU used per second of the measurement (1 = one core): Redis, all nodes together, this process (load generator and proxy). */
  readonly redisCpu: number;
  readonly nodesCpu: number;
  readonly benchCpu: number;
}

export interface ClusterResults {
  readonly calls: ClusterCallsRow[];
  readonly replay: { readonly memory: ReplayResult; readonly redis: ReplayResult };
  readonly stall: { readonly memory: StallResult; readonly redis: StallResult };
  readonly idle: { readonly node: AbandonedResult; readonly redisBytesPerSession: number };
}

/** `count` nodes of `file` on Redis behind a round-robin proxy, as one bench server. */
async function cluster(file: string, count: number, redis: RunningRedis, extra: string[] = [], proxyOptions: ConstructorParameters<typeof ClusterProxy>[1] = {}) {
  const nodes: BenchServer[] = [];
  for (let i = 0; i < count; i++) nodes.push(await startServer(`node ${i}`, file, ['--store', redis.url, ...extra]));
  const proxy = new ClusterProxy(
    nodes.map((node) => Number(new URL(node.url).port)),
    proxyOptions,
  );
  const port = await proxy.listen();
  const server: BenchServer = { name: `${count} node${count > 1 ? 's' : ''} on Redis`, url: `http://127.0.0.1:${port}/mcp`, child: nodes[0]!.child };
  return {
    server,
    pids: nodes.map((node) => node.child.pid!),
    close: async () => {
      await proxy.close();
      await Promise.all(nodes.map(stopServer));
    },
  };
}

/** One node in memory behind the same proxy (so the proxy's cost is in both). */
async function single(file: string, extra: string[] = [], proxyOptions: ConstructorParameters<typeof ClusterProxy>[1] = {}) {
  const node = await startServer('1 node, memory', file, extra);
  const proxy = new ClusterProxy([Number(new URL(node.url).port)], proxyOptions);
  const port = await proxy.listen();
  return {
    server: { name: '1 node, memory', url: `http://127.0.0.1:${port}/mcp`, child: node.child } satisfies BenchServer,
    pids: [node.child.pid!],
    close: async () => {
      await proxy.close();
      await stopServer(node);
    },
  };
}

export async function clusterBench(options: {
  warmupMs: number;
  durationMs: number;
  replayEvents: number;
  stallMs: number;
  idleSessions: number;
  ttlMs: number;
  /** Node counts on Redis compared with the one node in memory. @defaultValue [1, 2, 3, 4] */
  nodeCounts?: readonly number[];
  log: (line: string) => void;
}): Promise<ClusterResults> {
  const redis = await startRedis();
  const flush = async () => {
    const client = new Redis(redis.port, '127.0.0.1');
    await client.flushall();
    client.disconnect();
  };
  try {
    const calls: ClusterCallsRow[] = [];
    for (const count of [0, ...(options.nodeCounts ?? [1, 2, 3, 4])]) {
      // 0: the one node in memory.
      const nodes = count === 0 ? await single(SLUICE) : await cluster(SLUICE, count, redis);
      try {
        const cpu = () => ({ redis: cpuSeconds(redis.pid), nodes: nodes.pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0), bench: process.cpuUsage() });
        const before = cpu();
        const started = performance.now();
        const result = await smallCalls(nodes.server, '2025-11-25', 32, options.warmupMs, options.durationMs);
        const seconds = (performance.now() - started) / 1000;
        const after = cpu();
        const benchMicros = after.bench.user + after.bench.system - before.bench.user - before.bench.system;
        const row = {
          nodes: Math.max(count, 1),
          store: count === 0 ? ('memory' as const) : ('redis' as const),
          result,
          redisCpu: count === 0 ? 0 : (after.redis - before.redis) / seconds,
          nodesCpu: (after.nodes - before.nodes) / seconds,
          benchCpu: benchMicros / 1e6 / seconds,
        };
        calls.push(row);
        options.log(`  cluster: ${row.nodes} node(s), ${row.store}: ${result.perSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(1)} ms, CPU nodes ${(row.nodesCpu * 100).toFixed(0)} %, Redis ${(row.redisCpu * 100).toFixed(0)} %, load generator + proxy ${(row.benchCpu * 100).toFixed(0)} %`);
      } finally {
        await nodes.close();
        await flush();
      }
    }

    const replayMemory = await single(SESSIONS);
    const replayMem = await replayThroughput(replayMemory.server, options.replayEvents).finally(() => replayMemory.close());
    const replayNodes = await cluster(SESSIONS, 1, redis);
    const replayRedis = await replayThroughput(replayNodes.server, options.replayEvents).finally(() => replayNodes.close());
    await flush();

    // The proxy cuts each stream after 250 ms; a resumption goes to another node (with one node, to the same).
    const cut = { chaos: { minLifeMs: CUT_EVERY_MS, maxLifeMs: CUT_EVERY_MS, seed: 1 } };
    const stallMemory = await single(SESSIONS, [], cut);
    const stallMem = await reconnectStall(stallMemory.server, options.stallMs, 10, 'tock').finally(() => stallMemory.close());
    const stallNodes = await cluster(SESSIONS, 2, redis, [], cut);
    const stallRedis = await reconnectStall(stallNodes.server, options.stallMs, 10, 'tock').finally(() => stallNodes.close());
    await flush();

    const idleNodes = await cluster(SESSIONS, 1, redis, ['--ttl-ms', String(options.ttlMs)]);
    const info = new Redis(redis.port, '127.0.0.1');
    let idle: ClusterResults['idle'];
    try {
      const usedBefore = Number(/used_memory:(\d+)/.exec(await info.info('memory'))![1]);
      // Open through the node itself: the proxy keeps nothing per session, and this reads the node's RSS.
      const node = { ...idleNodes.server, url: idleNodes.server.url };
      let usedAfterOpen = 0;
      const watcher = setInterval(async () => {
        const used = Number(/used_memory:(\d+)/.exec(await info.info('memory'))![1]);
        usedAfterOpen = Math.max(usedAfterOpen, used);
      }, 200);
      const result = await abandonedSessions(node, options.idleSessions, options.ttlMs, 0, { perSession: Number.POSITIVE_INFINITY, reclaimed: Number.POSITIVE_INFINITY, watchMs: 0 });
      clearInterval(watcher);
      idle = { node: result, redisBytesPerSession: (usedAfterOpen - usedBefore) / options.idleSessions };
    } finally {
      info.disconnect();
      await idleNodes.close();
    }
    return { calls, replay: { memory: replayMem, redis: replayRedis }, stall: { memory: stallMem, redis: stallRedis }, idle };
  } finally {
    await redis.stop();
  }
}
