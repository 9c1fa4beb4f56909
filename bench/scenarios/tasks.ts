/**
 * Tasks (SEP-2663, 2026-07-28), in memory and on Redis, one sluice node
 * (bench/servers/tasks.ts) each: how many tasks 32 clients create per second
 * (`tools/call` answered with `CreateTaskResult` after the store write),
 * `tasks/get` latency with 200 pollers each polling its own running task as
 * fast as it can, and the memory a finished task costs while it is kept
 * (about 1 KiB of result each): the node's RSS growth, and on Redis also
 * Redis's `used_memory` growth, over that many tasks.
 */
import { Redis } from 'ioredis';
import { type RunningRedis, startRedis } from '../../test/helpers/redisServer.js';
import { type BenchServer, startServer, stopServer } from '../lib/processes.js';
import { RawClient } from '../lib/rawClient.js';
import { percentile } from '../lib/stats.js';

const SERVER = new URL('../servers/tasks.ts', import.meta.url).pathname;
const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const CREATORS = 32;
/** Bound of every load loop besides its time. */
const MAX_PER_CLIENT = 100_000;

export interface TasksRow {
  readonly store: 'memory' | 'redis';
  readonly createdPerSecond: number;
  readonly createP50Ms: number;
  readonly createP99Ms: number;
  readonly pollers: number;
  readonly getsPerSecond: number;
  readonly getP50Ms: number;
  readonly getP99Ms: number;
  readonly kept: number;
  readonly nodeBytesPerTask: number;
  readonly redisBytesPerTask?: number;
}

export async function tasksBench(options: {
  warmupMs: number;
  durationMs: number;
  pollers: number;
  kept: number;
  /** The stores measured. @defaultValue both */
  stores?: ReadonlyArray<'memory' | 'redis'>;
  log: (line: string) => void;
}): Promise<TasksRow[]> {
  const rows: TasksRow[] = [];
  const redis = await startRedis();
  try {
    for (const store of options.stores ?? (['memory', 'redis'] as const)) {
      const server = await startServer(`tasks, ${store}`, SERVER, store === 'redis' ? ['--store', redis.url] : []);
      try {
        rows.push(await measure(server, store, store === 'redis' ? redis : undefined, options));
        const row = rows.at(-1)!;
        options.log(`  tasks ${store}: ${row.createdPerSecond.toFixed(0)} created/s, tasks/get p99 ${row.getP99Ms.toFixed(2)} ms, ${(row.nodeBytesPerTask / 1024).toFixed(1)} KiB per kept task`);
      } finally {
        await stopServer(server);
      }
    }
  } finally {
    await redis.stop();
  }
  return rows;
}

async function measure(server: BenchServer, store: 'memory' | 'redis', redis: RunningRedis | undefined, options: { warmupMs: number; durationMs: number; pollers: number; kept: number }): Promise<TasksRow> {
  const client = await RawClient.connect(server.url, '2026-07-28');
  const create = (tool: string) => client.rpc('tools/call', { name: tool, arguments: {} }, TASKS, tool);
  // Memory per kept task first, on a fresh node: `kept` finished tasks, created 32 at a time.
  const info = redis === undefined ? undefined : new Redis(redis.port, '127.0.0.1');
  const usedMemory = async () => (info === undefined ? 0 : Number(/used_memory:(\d+)/.exec(await info.info('memory'))![1]));
  await Promise.all(Array.from({ length: 200 }, () => create('quick'))); // warm the code paths
  const heap = async () => {
    const result = await client.rpc('tools/call', { name: 'heap', arguments: {} }, {}, 'heap');
    return Number((result.content as Array<{ text: string }>)[0]!.text);
  };
  const heapBefore = await heap();
  const redisBefore = await usedMemory();
  for (let i = 0; i < options.kept; i += CREATORS) await Promise.all(Array.from({ length: Math.min(CREATORS, options.kept - i) }, () => create('quick')));
  const nodeBytesPerTask = ((await heap()) - heapBefore) / options.kept;
  const redisBytesPerTask = info === undefined ? undefined : ((await usedMemory()) - redisBefore) / options.kept;
  info?.disconnect();

  const created = await timed(CREATORS, options.warmupMs, options.durationMs, () => create('quick'));
  const held = await Promise.all(Array.from({ length: options.pollers }, () => create('hold')));
  const polled = await timed(options.pollers, options.warmupMs, options.durationMs, (i) => client.rpc('tasks/get', { taskId: held[i]!.taskId }, TASKS, String(held[i]!.taskId)));
  await Promise.all(held.map((task) => client.rpc('tasks/cancel', { taskId: task.taskId }, TASKS, String(task.taskId))));
  return {
    store,
    createdPerSecond: created.perSecond,
    createP50Ms: created.p50,
    createP99Ms: created.p99,
    pollers: options.pollers,
    getsPerSecond: polled.perSecond,
    getP50Ms: polled.p50,
    getP99Ms: polled.p99,
    kept: options.kept,
    nodeBytesPerTask,
    ...(redisBytesPerTask !== undefined && { redisBytesPerTask }),
  };
}

/** `workers` loops of `step` for the warm-up, then measured for `durationMs`: rate and latency percentiles. */
async function timed(workers: number, warmupMs: number, durationMs: number, step: (worker: number) => Promise<unknown>) {
  const run = async (worker: number, until: number, latencies: number[] | undefined) => {
    for (let i = 0; i < MAX_PER_CLIENT && performance.now() < until; i++) {
      const start = performance.now();
      await step(worker);
      latencies?.push(performance.now() - start);
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => run(w, performance.now() + warmupMs, undefined)));
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(Array.from({ length: workers }, (_, w) => run(w, start + durationMs, latencies)));
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  return { perSecond: (latencies.length / elapsed) * 1000, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}
