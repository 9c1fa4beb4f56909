/**
 * `npm run bench`: sluice beside a plain SDK v2 server and beside the machine
 * itself (a plain `node:http` file server, `cat`, a plain pipe, `node -e 0`),
 * in one run on this machine, each in its own process. Prints markdown tables
 * and writes them, with the date and the machine, to docs/benchmarks.md.
 *
 * Honesty rules (docs/benchmarks.md repeats them): every measurement is taken
 * after a warm-up, repeated in ROUNDS rounds with the order of the servers
 * alternating, and the best round of each kept, so a burst of noise on a
 * shared 2-core machine does not decide a row; servers run on one core and
 * the load generator on the other; the machine's ceilings are measured in the
 * same run as the rows compared with them; what runs with `gc` exposed says so.
 *
 * `npm run bench -- --quick`: one short round at smaller sizes (no 1 GiB
 * file, 1,000 sessions, 200 streams) and without the stdio streaming rows,
 * the SDK's 100 MiB reads and anything on Redis (the cluster part, the tasks
 * on Redis), for development, in under two minutes; it writes no docs.
 * Environment: BENCH_SECONDS (measured seconds per round, default 4),
 * BENCH_ROUNDS (default 3), BENCH_ONLY (comma-separated subset of
 * `calls,streaming,streams,resources,scripts,sessions,cluster,tasks,cli`; docs/benchmarks.md is written only by a full run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { peakRssBytes, pinLoadGenerator, resetPeakRss, rssBytes, startServer, stopServer, type BenchServer } from './lib/processes.js';
import type { Era } from './lib/rawClient.js';
import { decimalMb, mb, ms, num } from './lib/stats.js';
import { smallCalls, smallCallsOver, type SmallCallsResult } from './scenarios/smallCalls.js';
import { WsRawClient } from './lib/wsClient.js';
import { benchFiles, MiB, readOnce, type ReadReport, stdioTarget } from './scenarios/resources.js';
import { type AbandonedResult, abandonedSessions, SETTLE_AFTER_RECLAIM_MS, reconnectStall, type ReplayResult, replayThroughput, type StallResult } from './scenarios/sessions.js';
import { clusterBench, type ClusterResults } from './scenarios/cluster.js';
import { tasksBench, type TasksRow } from './scenarios/tasks.js';
import { type Ceiling, diskRead, diskWrite, fastest, mibPerSecond, plainRead } from './scenarios/machine.js';
import { type CommandTiming, measureOnce, sluiceArgs, timeCommand } from './scenarios/cli.js';
import { manyStreams, type ManyStreamsResult } from './scenarios/manyStreams.js';
import { absorb, absorbedMibPerSecond, type AbsorbResult, cpuMsPerMib, type StalledResult, stalledScripts } from './scenarios/scripts.js';
import { cancelLatency, progressFlood, sdkClient, slowConsumer, slowConsumerStdio, type Transport } from './scenarios/streaming.js';

const ROOT = join(import.meta.dirname, '..');
const QUICK = process.argv.includes('--quick');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 1 : 4));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 3));
const WARMUP_MS = QUICK ? 500 : 2000;
const pinning = pinLoadGenerator();
const ERAS: Era[] = ['2025-11-25', '2026-07-28'];
const CONCURRENCY = [1, 32];
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
type Part = 'calls' | 'streaming' | 'streams' | 'resources' | 'scripts' | 'sessions' | 'cluster' | 'tasks' | 'cli';
let partStarted = performance.now();
/** Whether a part runs; each says on stderr when it starts and how long the one before took. */
const runs = (part: Part) => {
  const selected = ONLY === undefined || ONLY.includes(part);
  if (selected && !announced.has(part)) {
    announced.add(part);
    process.stderr.write(`${part} (${((performance.now() - partStarted) / 1000).toFixed(1)} s since the last part started)\n`);
    partStarted = performance.now();
  }
  return selected;
};
const announced = new Set<Part>();
const ABANDONED_SESSIONS = QUICK ? 1_000 : 10_000;
/** Long enough that every session is still there (hibernating) while the heap settles, {@link SETTLE_AFTER_RECLAIM_MS} at most. */
const SESSION_TTL_MS = QUICK ? 3_000 : 40_000;
/** The TTL of the cluster part's idle sessions (read at once there). */
const CLUSTER_SESSION_TTL_MS = QUICK ? 3_000 : 20_000;
/** The bench server's hibernation time (the default is 30 s; shorter here so the run waits less). */
const SESSION_HIBERNATE_MS = QUICK ? 500 : 3_000;
/** Idle-session targets from the issue: per hibernating session, and RSS after the TTL against RSS before. */
const IDLE_SESSION_MAX_BYTES = 8 * 1024;
const RECLAIMED_WITHIN_BYTES = 20 * 1000 * 1000;
const REPLAY_EVENTS = 4_000; // the event log keeps 5,000 per stream
const STALL_RUN_MS = QUICK ? 1_500 : 4_000;
/** The largest file read: 1 GiB, or the 100 MiB one in a quick run. */
const BIG = QUICK ? { name: 'log-100m.txt', what: '100 MiB UTF-8 log', bytes: 100 * MiB } : { name: 'log-1g.txt', what: '1 GiB UTF-8 log', bytes: 1024 * MiB };
/** Many streams at once: concurrent calls per era, how long each streams, and how often it sends. */
const MANY_STREAMS = QUICK ? 200 : 1_000;
const MANY_STREAMS_SECONDS = QUICK ? 2 : 10;
const MANY_STREAMS_EVERY_MS = 250;
/** Script output: MiB a script prints per call, the inline limits compared, and the stalled-clients targets. */
const SCRIPT_MIB = QUICK ? 20 : 100;
const INLINE_LIMITS = [16 * 1024, 512 * 1024, 8 * MiB];
const STALLED_SCRIPTS = 10;
const STALLED_CPU_MAX = 0.05;
const STALLED_GROWTH_MAX_BYTES = 64 * 1000 * 1000;
/** CLI targets from the issue: wall time and peak RSS. */
const HELP_MAX = { ms: 120, rssBytes: 60 * 1000 * 1000 };
const CALL_MAX_MS = 300;
const READ_100K_MAX_RSS_BYTES = 80 * 1000 * 1000;
const CLI_RUNS = QUICK ? 2 : 9;
/** Large-resource targets from the issue: peak RSS growth per process, and stdio time for 100 MiB. */
const MAX_GROWTH_BYTES = 32 * 1000 * 1000;
const STDIO_100M_MAX_MS = 1500;
/** Raw reads over HTTP must reach this share of the plain `http.get` ceiling; `sluice read -o` the next. */
const RAW_READ_TARGET = 0.5;
const CLI_READ_TARGET = 0.4;
/** sluice may be at most this much slower than the SDK on any row. */
const TOLERANCE = 0.1;

const SERVER_FILES: Record<string, string> = {
  'plain SDK v2': join(import.meta.dirname, 'servers/plainSdk.ts'),
  sluice: join(import.meta.dirname, 'servers/sluice.ts'),
};
const RESOURCE_SERVER_FILES: Record<string, string> = {
  'plain SDK v2': join(import.meta.dirname, 'servers/resourceSdk.ts'),
  sluice: join(import.meta.dirname, 'servers/resourceSluice.ts'),
};
const servers: BenchServer[] = [];
if (ONLY === undefined || ONLY.includes('calls') || ONLY.includes('streaming')) for (const [name, file] of Object.entries(SERVER_FILES)) servers.push(await startServer(name, file));
const FLOOD_STEPS = QUICK ? 2_000 : 10_000;
const CANCEL_RUNS = QUICK ? 10 : 30;
const STALL_CHUNKS = 1500; // 1500 x 64 KiB = 94 MiB if nothing held the server back
const STALL_HOLD_MS = QUICK ? 1000 : 3000;
interface StreamingRow {
  readonly transport: Transport;
  readonly server: string;
  readonly delivered: number;
  readonly lastValue: number;
  readonly floodMs: number;
  readonly cancelP50: number;
  readonly cancelP95: number;
  readonly cancelMissed: number;
}
const streamingRows: StreamingRow[] = [];
const stallRows: Array<{ era: Era | 'stdio'; server: string; growth: number }> = [];

interface Row {
  readonly title: string;
  readonly sdk: SmallCallsResult;
  readonly sluice: SmallCallsResult;
}
const rows: Row[] = [];
const webSocketRows: Array<Omit<SmallCallsResult, 'era'>> = [];
interface ResourceRow {
  readonly what: string;
  readonly transport: string;
  readonly stack: string;
  readonly report: ReadReport;
  readonly sdkMs?: number;
  readonly checkTime?: 'vs-sdk' | 'stdio-100m';
  /** The client column is the whole command's peak RSS, not a read's growth (no growth target). */
  readonly clientIsPeak?: true;
  /** The machine's ceiling for this row, measured in this run, and the share of it the row must reach. */
  readonly limit?: { readonly name: string; readonly ceiling: Ceiling; readonly target: number };
  /** A second ceiling the row is shown against (no target). */
  readonly alsoFrom?: { readonly name: string; readonly ceiling: Ceiling };
}
/** The machine's own rows of the large-resources table (measured in the same run). */
const ceilingRows: Array<{ readonly what: string; readonly how: string; readonly ceiling: Ceiling }> = [];
const resourceRows: ResourceRow[] = [];
let sessionResults: { abandoned: AbandonedResult; replay: ReplayResult; stall: StallResult } | undefined;
let clusterResults: ClusterResults | undefined;
let taskRows: TasksRow[] = [];
const TASK_POLLERS = QUICK ? 50 : 200;
const TASKS_KEPT = QUICK ? 1_000 : 5_000;
/** Idle sessions opened for the memory-in-Redis row, and their TTL there. */
const CLUSTER_IDLE_SESSIONS = QUICK ? 500 : 5_000;
let cliRows: CommandRow[] = [];
const manyStreamRows: ManyStreamsResult[] = [];
let scriptResults: { ceiling: Ceiling; absorbed: Array<{ inline: number; result: AbsorbResult }>; stalled: StalledResult } | undefined;
try {
  for (const era of runs('calls') ? ERAS : []) {
    for (const concurrency of CONCURRENCY) {
      const best = new Map<string, SmallCallsResult>();
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? servers : [...servers].reverse();
        for (const server of order) {
          const result = await smallCalls(server, era, concurrency, WARMUP_MS, SECONDS * 1000);
          const previous = best.get(server.name);
          if (previous === undefined || result.perSecond > previous.perSecond) {
            best.set(server.name, { ...result, peakRssBytes: Math.max(result.peakRssBytes, previous?.peakRssBytes ?? 0) });
          } else {
            best.set(server.name, { ...previous, peakRssBytes: Math.max(result.peakRssBytes, previous.peakRssBytes) });
          }
          process.stderr.write(`  ${era} x${concurrency} ${server.name}: ${num(result.perSecond)} req/s (round ${round + 1})\n`);
        }
      }
      rows.push({ title: `small tool calls, ${era}, ${concurrency} client${concurrency > 1 ? 's' : ''}`, sdk: best.get('plain SDK v2')!, sluice: best.get('sluice')! });
    }
  }
  // The same load over WebSocket (sluice only: the SDK has no WebSocket server), beside sluice's HTTP rows.
  const sluiceServer = servers.find((server) => server.name === 'sluice');
  for (const concurrency of runs('calls') && sluiceServer !== undefined ? CONCURRENCY : []) {
    let best: Omit<SmallCallsResult, 'era'> | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      const result = await smallCallsOver(sluiceServer!, () => WsRawClient.connect(sluiceServer!.url.replace(/^http:/, 'ws:')), concurrency, WARMUP_MS, SECONDS * 1000);
      if (best === undefined || result.perSecond > best.perSecond) best = { ...result, peakRssBytes: Math.max(result.peakRssBytes, best?.peakRssBytes ?? 0) };
      process.stderr.write(`  websocket x${concurrency} sluice: ${num(result.perSecond)} req/s (round ${round + 1})\n`);
    }
    webSocketRows.push(best!);
  }
  // A quick run leaves out the stdio rows (each starts server processes of its own).
  for (const transport of runs('streaming') ? (['http 2025-11-25', 'http 2026-07-28', ...(QUICK ? [] : ['stdio' as const])] as const) : []) {
    for (const server of servers) {
      const client = await sdkClient(server, transport, SERVER_FILES[server.name]!);
      const flood = await progressFlood(client, FLOOD_STEPS);
      const cancel = await cancelLatency(client, CANCEL_RUNS);
      await client.close();
      streamingRows.push({ transport, server: server.name, delivered: flood.delivered, lastValue: flood.lastValue, floodMs: flood.ms, cancelP50: cancel.p50, cancelP95: cancel.p95, cancelMissed: cancel.missed });
      process.stderr.write(`  ${transport} ${server.name}: flood ${flood.delivered} delivered, cancel p50 ${cancel.p50.toFixed(1)} ms\n`);
    }
  }
  for (const era of runs('streaming') ? ERAS : []) {
    for (const server of servers) {
      const growth = await slowConsumer(server, era, STALL_CHUNKS, STALL_HOLD_MS);
      stallRows.push({ era, server: server.name, growth });
      process.stderr.write(`  stalled client ${era} ${server.name}: +${mb(growth)}\n`);
    }
  }
  for (const server of runs('streaming') && !QUICK ? servers : []) {
    const growth = await slowConsumerStdio(SERVER_FILES[server.name]!, STALL_CHUNKS, STALL_HOLD_MS);
    stallRows.push({ era: 'stdio', server: server.name, growth });
    process.stderr.write(`  stalled client stdio ${server.name}: +${mb(growth)}\n`);
  }
  for (const era of runs('streams') ? ERAS : []) {
    // A fresh server per era: its RSS growth is the streams' alone (with the heap V8 grew for them).
    const server = await startServer(`sluice (${era} streams)`, SERVER_FILES.sluice!);
    try {
      const result = await manyStreams(server, era, MANY_STREAMS, MANY_STREAMS_SECONDS, MANY_STREAMS_EVERY_MS);
      manyStreamRows.push(result);
      process.stderr.write(`  ${num(result.calls)} streams ${era}: ${result.completed} completed, ${result.partialsLost} partials lost, progress p99 ${ms(result.progressP99Ms)}\n`);
    } finally {
      await stopServer(server);
    }
  }
  if (runs('resources')) await largeResources();
  if (runs('scripts')) scriptResults = await scriptOutput();
  if (runs('sessions')) await sessionsAndResumption();
  // --quick leaves Redis out (the cluster part, the tasks on Redis): a development loop, not a report.
  if (!QUICK && runs('cluster')) {
    clusterResults = await clusterBench({
      warmupMs: WARMUP_MS,
      durationMs: SECONDS * 1000,
      replayEvents: REPLAY_EVENTS,
      stallMs: STALL_RUN_MS,
      idleSessions: CLUSTER_IDLE_SESSIONS,
      ttlMs: CLUSTER_SESSION_TTL_MS,
      log: (line) => process.stderr.write(`${line}\n`),
    });
  }
  if (runs('tasks')) {
    taskRows = await tasksBench({
      warmupMs: WARMUP_MS,
      durationMs: SECONDS * 1000,
      pollers: TASK_POLLERS,
      kept: TASKS_KEPT,
      ...(QUICK && { stores: ['memory'] }),
      log: (line) => process.stderr.write(`${line}\n`),
    });
  }
  if (runs('cli')) cliRows = await cliStart();
} finally {
  await Promise.all(servers.map(stopServer));
}

async function sessionsAndResumption(): Promise<void> {
  const server = await startServer('sluice (sessions)', join(import.meta.dirname, 'servers/sessions.ts'), ['--ttl-ms', String(SESSION_TTL_MS), '--hibernate-ms', String(SESSION_HIBERNATE_MS)]);
  try {
    // Half the hibernation time more once all hibernated: two of the server's sweeps, the second of which collects.
    const abandoned = await abandonedSessions(server, ABANDONED_SESSIONS, SESSION_TTL_MS, SESSION_HIBERNATE_MS / 2, {
      perSession: IDLE_SESSION_MAX_BYTES,
      reclaimed: RECLAIMED_WITHIN_BYTES,
      // --quick's TTL is shorter than the watch: its readings are taken at once.
      watchMs: QUICK ? 0 : SETTLE_AFTER_RECLAIM_MS,
    });
    process.stderr.write(
      `  ${num(abandoned.sessions)} sessions opened in ${ms(abandoned.openMs)}: ${(abandoned.bytesPerSession / 1024).toFixed(1)} KiB each awake, ` +
        `${(abandoned.bytesPerHibernatingSession / 1024).toFixed(1)} KiB hibernating; ${abandoned.activeAfterTtl} left after ${ms(abandoned.reclaimedMs)}; ` +
        `RSS ${mb(abandoned.rssBefore)} before, ${mb(abandoned.rssAfterReclaim)} when the last left, ${mb(abandoned.rssSettled)} ${ms(abandoned.settledMs)} later\n`,
    );
    const replay = await replayThroughput(server, REPLAY_EVENTS);
    process.stderr.write(`  replay: ${num(replay.events)} events in ${ms(replay.ms)}\n`);
    const stall = await reconnectStall(server, STALL_RUN_MS, 10);
    process.stderr.write(`  stall: ${stall.resumptions} resumptions, p50 ${ms(stall.p50Ms)}\n`);
    sessionResults = { abandoned, replay, stall };
  } finally {
    await stopServer(server);
  }
}

async function largeResources(): Promise<void> {
  process.stderr.write(`  preparing files (100 MiB log, 50 MiB random${QUICK ? '' : ', 1 GiB log'}; kept in the temp folder for the next run)\n`);
  const files = await benchFiles({ gib: !QUICK });
  const http: Record<string, BenchServer> = {};
  for (const [name, file] of Object.entries(RESOURCE_SERVER_FILES)) http[name] = await startServer(`${name} (files)`, file, [files.dir]);
  http['plain node:http'] = await startServer('plain node:http (files)', join(import.meta.dirname, 'machine/fileServer.mjs'), [files.dir]);
  try {
    const { httpGet, pipe, write } = await machineCeilings(`${http['plain node:http']!.url}${BIG.name}`, files.dir);
    // The rows compared with the machine come right after it, before the SDK's large reads load the machine.
    const httpLimit = { name: 'the `http.get` ceiling', ceiling: httpGet };
    noteResource({ what: BIG.what, transport: 'HTTP', stack: 'sluice', report: await bestRead(() => readOnce('sluice', http.sluice!.url, `file:///${BIG.name}`, http.sluice)), limit: { ...httpLimit, target: RAW_READ_TARGET } });
    noteResource({
      what: BIG.what,
      transport: 'HTTP',
      stack: 'sluice read -o FILE (the CLI, start to exit)',
      report: await bestRead(() => cliReadToFile(http.sluice!, files.dir)),
      clientIsPeak: true,
      limit: { ...httpLimit, target: CLI_READ_TARGET },
      alsoFrom: { name: 'the disk write', ceiling: write },
    });
    const compared = [...(QUICK ? [] : [['100 MiB UTF-8 log', 'log-100m.txt'] as const]), ['50 MiB binary', 'random-50m.bin'] as const];
    for (const [what, name] of compared) {
      const sdk = await bestRead(() => readOnce('sdk', http['plain SDK v2']!.url, `file:///${name}`, http['plain SDK v2']));
      noteResource({ what, transport: 'HTTP', stack: 'plain SDK v2', report: sdk });
      const sluice = await bestRead(() => readOnce('sluice', http.sluice!.url, `file:///${name}`, http.sluice));
      noteResource({ what, transport: 'HTTP', stack: 'sluice', report: sluice, sdkMs: sdk.ms, checkTime: 'vs-sdk' });
    }
    const sluiceStdio = stdioTarget(RESOURCE_SERVER_FILES.sluice!, files.dir);
    const sluiceStdioRead = await bestRead(() => readOnce('sluice', sluiceStdio, 'file:///log-100m.txt'));
    const sdkStdio = stdioTarget(RESOURCE_SERVER_FILES['plain SDK v2']!, files.dir);
    // Not in a quick run: the first fails after seconds, the second takes the better part of two minutes.
    if (!QUICK) noteResource({ what: '100 MiB UTF-8 log', transport: 'stdio', stack: 'plain SDK v2 (default 10 MiB line limit)', report: await readOnce('sdk', sdkStdio, 'file:///log-100m.txt') });
    const raised = QUICK ? undefined : await readOnce('sdk', sdkStdio, 'file:///log-100m.txt', undefined, ['--max-buffer', String(1024 * MiB)]);
    if (raised !== undefined) noteResource({ what: '100 MiB UTF-8 log', transport: 'stdio', stack: 'plain SDK v2 (limit raised to 1 GiB)', report: raised });
    const pipeLimit = { name: 'the plain pipe', ceiling: pipe, target: 0 };
    noteResource({ what: '100 MiB UTF-8 log', transport: 'stdio', stack: 'sluice', report: sluiceStdioRead, ...(raised !== undefined && { sdkMs: raised.ms }), checkTime: 'stdio-100m', limit: pipeLimit });
    if (!QUICK) noteResource({ what: BIG.what, transport: 'stdio', stack: 'sluice', report: await readOnce('sluice', sluiceStdio, `file:///${BIG.name}`) });
  } finally {
    await Promise.all(Object.values(http).map(stopServer));
  }
}

/** The machine's ceilings, measured first, the same way every round: what the sluice rows are measured against. */
async function machineCeilings(plainUrl: string, dir: string): Promise<{ httpGet: Ceiling; pipe: Ceiling; write: Ceiling }> {
  const httpGet = await fastest(ROUNDS, () => plainRead('http-get', plainUrl));
  ceilingRows.push({ what: BIG.what, how: 'machine: plain `node:http` file server, read with `http.get`', ceiling: httpGet });
  ceilingRows.push({ what: BIG.what, how: 'machine: the same server, read with `fetch`', ceiling: await fastest(ROUNDS, () => plainRead('fetch', plainUrl)) });
  const source = join(dir, BIG.name);
  ceilingRows.push({ what: BIG.what, how: 'machine: `cat FILE > /dev/null` (disk or page cache)', ceiling: await fastest(ROUNDS, () => diskRead(source, BIG.bytes)) });
  const write = await fastest(ROUNDS, () => diskWrite(source, join(dir, 'write.out'), BIG.bytes));
  ceilingRows.push({ what: BIG.what, how: 'machine: `cat FILE > OUT` (writing it to the disk)', ceiling: write });
  const pipe = await fastest(ROUNDS, () => plainRead('pipe', join(dir, 'log-100m.txt')));
  ceilingRows.push({ what: '100 MiB UTF-8 log', how: "machine: a child's `cat FILE` read through a plain pipe", ceiling: pipe });
  return { httpGet, pipe, write };
}

function noteResource(row: ResourceRow): void {
  resourceRows.push(row);
  const r = row.report;
  process.stderr.write(`  ${row.what} ${row.transport} ${row.stack}: ${r.error ?? `${ms(r.ms)}, server +${mb(r.serverGrowth)}, client +${mb(r.clientGrowth)}`}\n`);
}

/** Rows with a target run ROUNDS times: the fastest time is kept, with the largest RSS growth seen. */
async function bestRead(read: () => Promise<ReadReport>): Promise<ReadReport> {
  let kept: ReadReport | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const report = await read();
    const fastest = kept === undefined || report.error !== undefined || !(report.ms >= kept.ms) ? report : kept;
    kept = { ...fastest, serverGrowth: Math.max(report.serverGrowth, kept?.serverGrowth ?? -Infinity), clientGrowth: Math.max(report.clientGrowth, kept?.clientGrowth ?? -Infinity) };
    if (report.error !== undefined) break;
  }
  return kept!;
}

/**
 * `sluice read URL file:///BIG -o FILE` as a user runs it, timed from the
 * command's start to its exit, its output compared byte for byte with the
 * file (`cmp`). The client column is the command's peak RSS (modules and
 * all; the 32 MB growth target is for the library's reads), the server's is
 * its growth as for every row.
 */
async function cliReadToFile(server: BenchServer, dir: string): Promise<ReadReport> {
  const out = join(dir, 'read-o.out');
  const source = join(dir, BIG.name);
  const pid = server.child.pid!;
  try {
    resetPeakRss(pid);
    const serverBase = rssBytes(pid);
    const read = await measureOnce(sluiceArgs('read', server.url, `file:///${BIG.name}`, '-o', out));
    const serverGrowth = peakRssBytes(pid) - serverBase;
    const same = spawnSync('cmp', ['-s', source, out]).status === 0;
    return {
      ms: read.ms,
      bytes: statSync(out).size,
      ...(!same && { error: 'the file written differs from the source' }),
      clientGrowth: read.peakRssBytes,
      serverGrowth,
    };
  } finally {
    rmSync(out, { force: true });
  }
}

/**
 * A script printing 1 KiB lines as fast as it can, at each inline limit: with
 * a client that reads every partial result and one that takes the final
 * result only (best of ROUNDS each); then ten clients that stop reading. The
 * machine's limit: the same script read through a plain pipe.
 */
async function scriptOutput(): Promise<NonNullable<typeof scriptResults>> {
  const printLines = join(import.meta.dirname, 'fixtures/printLines.mjs');
  const ceiling = await fastest(ROUNDS, () => plainRead('script', printLines, String(SCRIPT_MIB)));
  process.stderr.write(`  the script through a plain pipe: ${num(ceiling.mibPerSecond)} MiB/s\n`);
  const absorbed: Array<{ inline: number; result: AbsorbResult }> = [];
  let stalled: StalledResult | undefined;
  for (const inline of INLINE_LIMITS) {
    const server = await startServer(`sluice (scripts, inline ${inline})`, join(import.meta.dirname, 'servers/scripts.ts'), ['--inline', String(inline)]);
    try {
      for (const reading of [true, false]) {
        let best: AbsorbResult | undefined;
        for (let round = 0; round < ROUNDS; round++) {
          const result = await absorb(server, SCRIPT_MIB, reading);
          if (best === undefined || result.ms < best.ms) best = { ...result, serverGrowth: Math.max(result.serverGrowth, best?.serverGrowth ?? 0) };
        }
        absorbed.push({ inline, result: best! });
        process.stderr.write(`  inline ${inline}, ${reading ? 'reading' : 'result only'}: ${num(absorbedMibPerSecond(best!))} MiB/s, ${cpuMsPerMib(best!).toFixed(1)} ms CPU per MiB\n`);
      }
      if (inline === 512 * 1024) {
        stalled = await stalledScripts(server, STALLED_SCRIPTS, QUICK ? 1000 : 2000, QUICK ? 2000 : 5000);
        process.stderr.write(`  ${STALLED_SCRIPTS} clients stopped reading: ${(stalled.serverCpuShare * 100).toFixed(1)} % CPU, +${mb(stalled.serverGrowth)}\n`);
      }
    } finally {
      await stopServer(server);
    }
  }
  return { ceiling, absorbed, stalled: stalled! };
}

interface CommandRow {
  readonly timing: CommandTiming;
  readonly maxMs?: number;
  readonly maxRssBytes?: number;
}

/**
 * Whole `sluice` commands as a user runs them, beside `node -e 0`: `--help`,
 * a `call` of the echo tool on a local server, a `read` of a 100 KB file.
 */
async function cliStart(): Promise<CommandRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-cli-'));
  writeFileSync(join(dir, 'small-100k.txt'), Buffer.alloc(100_000, '2026-11-21T10:00:00.000Z INFO a line of a small log\n'));
  const calls = await startServer('sluice (cli)', SERVER_FILES.sluice!);
  const files = await startServer('sluice (cli files)', RESOURCE_SERVER_FILES.sluice!, [dir]);
  try {
    const rows: CommandRow[] = [{ timing: await timeCommand('`node -e 0` (the floor: any Node program)', ['-e', '0'], CLI_RUNS) }];
    if (process.env.NODE_EXTRA_CA_CERTS !== undefined) {
      rows.push({ timing: await timeCommand('`node -e 0` with this machine\'s `NODE_EXTRA_CA_CERTS` (not used below)', ['-e', '0'], CLI_RUNS, process.env) });
    }
    rows.push({ timing: await timeCommand('`sluice --help`', sluiceArgs('--help'), CLI_RUNS), maxMs: HELP_MAX.ms, maxRssBytes: HELP_MAX.rssBytes });
    rows.push({ timing: await timeCommand('`sluice call URL echo text=hi` (local server, 2026-07-28)', sluiceArgs('call', calls.url, 'echo', 'text=hi'), CLI_RUNS), maxMs: CALL_MAX_MS });
    rows.push({ timing: await timeCommand('`sluice read URL file:///small-100k.txt` (100 KB to stdout)', sluiceArgs('read', files.url, 'file:///small-100k.txt'), CLI_RUNS), maxRssBytes: READ_100K_MAX_RSS_BYTES });
    for (const row of rows) process.stderr.write(`  ${row.timing.command}: ${ms(row.timing.medianMs)} median, ${mb(row.timing.peakRssBytes)} peak RSS\n`);
    return rows;
  } finally {
    await Promise.all([stopServer(calls), stopServer(files)]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function commandMisses(row: CommandRow): string[] {
  const misses: string[] = [];
  if (row.maxMs !== undefined && !(row.timing.medianMs <= row.maxMs)) misses.push(`over ${row.maxMs} ms`);
  if (row.maxRssBytes !== undefined && !(row.timing.peakRssBytes <= row.maxRssBytes)) misses.push(`over ${decimalMb(row.maxRssBytes)} peak RSS`);
  return misses;
}

/** Whether a sluice row misses a target of the large-resources work (the table says which). */
function resourceMisses(row: ResourceRow): string[] {
  if (!row.stack.startsWith('sluice')) return [];
  const r = row.report;
  const misses: string[] = [];
  if (r.error !== undefined) misses.push('failed');
  if (!(r.serverGrowth < MAX_GROWTH_BYTES)) misses.push(`server RSS growth ≥ ${decimalMb(MAX_GROWTH_BYTES)}`);
  if (row.clientIsPeak !== true && !(r.clientGrowth < MAX_GROWTH_BYTES)) misses.push(`client RSS growth ≥ ${decimalMb(MAX_GROWTH_BYTES)}`);
  if (row.checkTime === 'vs-sdk' && row.sdkMs !== undefined && Number.isFinite(row.sdkMs) && r.ms > row.sdkMs) misses.push('slower than the SDK');
  if (row.checkTime === 'stdio-100m' && !(r.ms <= STDIO_100M_MAX_MS)) misses.push(`stdio 100 MiB not within ${STDIO_100M_MAX_MS / 1000} s`);
  if (row.limit !== undefined && !(mibPerSecond(r.bytes, r.ms) >= row.limit.target * row.limit.ceiling.mibPerSecond)) {
    misses.push(`under ${row.limit.target * 100} % of ${row.limit.name}`);
  }
  return misses;
}

const header = '| scenario | server | req/s | p50 | p99 | errors | peak server RSS | sluice vs SDK |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |';
const lines = rows.flatMap(({ title, sdk, sluice }) => {
  const ratio = sluice.perSecond / sdk.perSecond;
  const verdict = `${(ratio * 100).toFixed(0)} % of SDK throughput${ratio < 1 - TOLERANCE ? ' (**slower than allowed**)' : ''}`;
  return [
    `| ${title} | plain SDK v2 | ${num(sdk.perSecond)} | ${ms(sdk.p50Ms)} | ${ms(sdk.p99Ms)} | ${sdk.errors} | ${mb(sdk.peakRssBytes)} | |`,
    `| | sluice | ${num(sluice.perSecond)} | ${ms(sluice.p50Ms)} | ${ms(sluice.p99Ms)} | ${sluice.errors} | ${mb(sluice.peakRssBytes)} | ${verdict} |`,
  ];
});
const webSocketLines = webSocketRows.map((row) => {
  const http = rows.find((r) => r.title === `small tool calls, 2026-07-28, ${row.concurrency} client${row.concurrency > 1 ? 's' : ''}`)?.sluice;
  const versus = http === undefined ? '' : `${((row.perSecond / http.perSecond) * 100).toFixed(0)} % of sluice over HTTP (${num(http.perSecond)} req/s)`;
  return `| small tool calls, WebSocket (2026-07-28 envelope), ${row.concurrency} client${row.concurrency > 1 ? 's' : ''} | sluice | ${num(row.perSecond)} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${row.errors} | ${mb(row.peakRssBytes)} | ${versus} |`;
});
const table = [header, ...lines, ...webSocketLines].join('\n');
const cpu = cpus();
const machine = `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`;
const date = new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

const streamingTable = [
  `| transport | server | progress notifications delivered (of ${num(FLOOD_STEPS)}) | last value seen | flood time | cancel latency p50 | p95 |`,
  '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ...streamingRows.map(
    (r) =>
      `| ${r.transport} | ${r.server} | ${num(r.delivered)} | ${num(r.lastValue)} | ${ms(r.floodMs)} | ${
        r.cancelMissed === CANCEL_RUNS
          ? 'never: the cancellation did not reach the handler'
          : `${ms(r.cancelP50)}${r.cancelMissed > 0 ? ` (${r.cancelMissed} of ${CANCEL_RUNS} never arrived)` : ''}`
      } | ${r.cancelMissed === CANCEL_RUNS ? '' : ms(r.cancelP95)} |`,
  ),
].join('\n');
const stallTable = [
  `| transport | server | server RSS growth, client stalled ${STALL_HOLD_MS / 1000} s into ${STALL_CHUNKS} x 64 KiB of output |`,
  '| --- | --- | ---: |',
  ...stallRows.map((r) => `| ${r.era} | ${r.server} | ${mb(r.growth)} |`),
].join('\n');

const resourceTable = [
  '| resource | transport | server and client | time | MiB/s | distance from the limit (measured in this run) | vs plain SDK | server RSS growth | client RSS growth | result |',
  '| --- | --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |',
  ...ceilingRows.map((row) => `| ${row.what} | — | ${row.how} | ${ms(row.ceiling.ms)} | ${num(row.ceiling.mibPerSecond)} | the limit itself | | | | |`),
  ...resourceRows.map((row) => {
    const r = row.report;
    const versus = row.sdkMs !== undefined && Number.isFinite(row.sdkMs) && Number.isFinite(r.ms) ? `${(row.sdkMs / r.ms).toFixed(1)}× faster` : '';
    const misses = resourceMisses(row);
    const result = r.error !== undefined ? `failed: ${r.error}` : misses.length > 0 ? `**${misses.join('; ')}**` : row.stack.startsWith('sluice') ? 'within targets' : `${num(r.bytes)} bytes`;
    const rate = Number.isFinite(r.ms) && r.bytes > 0 ? mibPerSecond(r.bytes, r.ms) : Number.NaN;
    const distance =
      row.limit === undefined || !Number.isFinite(rate)
        ? ''
        : `${((rate / row.limit.ceiling.mibPerSecond) * 100).toFixed(0)} % of ${row.limit.name}${row.limit.target > 0 ? ` (target ≥ ${row.limit.target * 100} %)` : ''}${
            row.alsoFrom === undefined ? '' : `; ${((rate / row.alsoFrom.ceiling.mibPerSecond) * 100).toFixed(0)} % of ${row.alsoFrom.name}`
          }`;
    return `| ${row.what} | ${row.transport} | ${row.stack} | ${Number.isFinite(r.ms) ? ms(r.ms) : '—'} | ${Number.isFinite(rate) ? num(rate) : '—'} | ${distance} | ${versus} | ${mb(r.serverGrowth)} | ${row.clientIsPeak === true ? `peak ${mb(r.clientGrowth)} (the command)` : mb(r.clientGrowth)} | ${result} |`;
  }),
].join('\n');

const manyStreamsTable =
  manyStreamRows.length === 0
    ? '(not run)'
    : [
        '| era | calls at once | completed | partial results received (expected) | lost or out of order | progress received; last value missed | progress latency p50 / p99 | partial latency p99 | server RSS growth per open stream | result |',
        '| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | --- |',
        ...manyStreamRows.map((r) => {
          const ok = r.completed === r.calls && r.partialsLost === 0 && r.lastProgressMissed === 0;
          return `| ${r.era} | ${num(r.calls)} | ${num(r.completed)} | ${num(r.partialsReceived)} (${num(r.partialsExpected)}) | ${num(r.partialsLost)} | ${num(r.progressReceived)}; ${r.lastProgressMissed} | ${ms(r.progressP50Ms)} / ${ms(r.progressP99Ms)} | ${ms(r.partialP99Ms)} | ${(r.bytesPerStream / 1024).toFixed(0)} KiB | ${ok ? 'every call completed, nothing lost' : '**calls failed or events were lost**'} |`;
        }),
      ].join('\n');

const kib = (bytes: number) => (bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`);
const scriptTable =
  scriptResults === undefined
    ? '(not run)'
    : (() => {
        const { ceiling, absorbed, stalled } = scriptResults;
        const stalledMisses = [
          !(stalled.serverCpuShare < STALLED_CPU_MAX) && `CPU ≥ ${STALLED_CPU_MAX * 100} %`,
          !(stalled.serverGrowth < STALLED_GROWTH_MAX_BYTES) && `growth ≥ ${decimalMb(STALLED_GROWTH_MAX_BYTES)}`,
        ].filter(Boolean);
        return [
          '| inline limit | client | script output absorbed | server CPU per MiB of output | distance from the limit | server RSS growth |',
          '| --- | --- | ---: | ---: | --- | ---: |',
          `| — | machine: the script read through a plain pipe | ${num(ceiling.mibPerSecond)} MiB/s | | the limit itself | |`,
          ...absorbed.map(
            ({ inline, result: r }) =>
              `| ${kib(inline)}${inline === 512 * 1024 ? ' (default)' : ''} | ${r.reading ? 'reads every partial result' : 'final result only'} | ${num(absorbedMibPerSecond(r))} MiB/s | ${cpuMsPerMib(r).toFixed(1)} ms | ${((absorbedMibPerSecond(r) / ceiling.mibPerSecond) * 100).toFixed(0)} % of the plain pipe | ${mb(r.serverGrowth)} |`,
          ),
          '',
          '| measurement | server CPU (share of one core) | server RSS growth | target | result |',
          '| --- | ---: | ---: | --- | --- |',
          `| ${STALLED_SCRIPTS} clients whose scripts print as fast as they can, none reading (${stalled.windowMs / 1000} s measured) | ${(stalled.serverCpuShare * 100).toFixed(1)} % | ${mb(stalled.serverGrowth)} | < ${STALLED_CPU_MAX * 100} % CPU, < ${decimalMb(STALLED_GROWTH_MAX_BYTES)} | ${stalledMisses.length > 0 ? `**${stalledMisses.join('; ')}**` : 'within targets'} |`,
        ].join('\n');
      })();

const floorMs = cliRows[0]?.timing.medianMs ?? Number.NaN;
const cliTable =
  cliRows.length === 0
    ? '(not run)'
    : [
        `| command | median wall time (${CLI_RUNS} runs) | slowest | peak RSS | distance from the limit | target | result |`,
        '| --- | ---: | ---: | ---: | --- | --- | --- |',
        ...cliRows.map((row, i) => {
          const t = row.timing;
          const target = [row.maxMs !== undefined && `≤ ${row.maxMs} ms`, row.maxRssBytes !== undefined && `≤ ${decimalMb(row.maxRssBytes)}`].filter(Boolean).join(', ');
          const misses = commandMisses(row);
          const result = target === '' ? '' : misses.length > 0 ? `**${misses.join('; ')}**` : 'within targets';
          return `| ${t.command} | ${ms(t.medianMs)} | ${ms(t.maxMs)} | ${mb(t.peakRssBytes)} | ${i === 0 ? 'the limit itself' : `+${ms(t.medianMs - floorMs)} over \`node -e 0\``} | ${target} | ${result} |`;
        }),
      ].join('\n');

const sessionsTable =
  sessionResults === undefined
    ? ''
    : (() => {
        const { abandoned: a, replay: r, stall: s } = sessionResults;
        return [
          '| measurement | result |',
          '| --- | --- |',
          `| memory per idle session, awake | ${(a.bytesPerSession / 1024).toFixed(1)} KiB (server RSS growth over ${num(a.sessions)} sessions just opened, divided by ${num(a.sessions)}) |`,
          `| memory per idle session, hibernating (target ≤ ${IDLE_SESSION_MAX_BYTES / 1024} KiB) | ${(a.bytesPerHibernatingSession / 1024).toFixed(1)} KiB once ${num(a.hibernating)} of them hibernated (${SESSION_HIBERNATE_MS / 1000} s quiet), read ${ms(a.hibernatingSettledMs)} after (${num(a.activeWhenHibernating)} still active)${a.bytesPerHibernatingSession <= IDLE_SESSION_MAX_BYTES ? '' : ' **over the target**'} |`,
          `| ${num(a.sessions)} sessions opened and abandoned (TTL ${SESSION_TTL_MS / 1000} s; target: RSS back within ${decimalMb(RECLAIMED_WITHIN_BYTES)}) | opened in ${ms(a.openMs)}; ${num(a.activeAfterOpen)} active, then ${num(a.activeAfterTtl)} active ${ms(a.reclaimedMs)} later; server RSS ${mb(a.rssBefore)} before, ${mb(a.rssAfterOpen)} with them, ${mb(a.rssAfterReclaim)} when the last was reclaimed, ${mb(a.rssSettled)} ${ms(a.settledMs)} later${a.rssSettled - a.rssBefore <= RECLAIMED_WITHIN_BYTES ? '' : ' **not back within the target**'} |`,
          `| replay throughput | ${num(r.events)} events replayed from the event log in ${ms(r.ms)}: ${num(r.perSecond)} events/s |`,
          `| reconnect stall (stream closed every 250 ms, \`retry\` 1 s) | ${s.resumptions} resumptions; stall p50 ${ms(s.p50Ms)}, max ${ms(s.maxMs)}; ${num(s.events)} events, ${s.duplicates} duplicated, ${s.missing} missing |`,
        ].join('\n');
      })();

const clusterTable =
  clusterResults === undefined
    ? ''
    : (() => {
        const c = clusterResults;
        const base = c.calls.find((row) => row.store === 'memory')!.result;
        const callRows = c.calls.map(
          (row) =>
            `| ${row.nodes} node${row.nodes > 1 ? 's' : ''}, ${row.store} | ${num(row.result.perSecond)} | ${ms(row.result.p50Ms)} | ${ms(row.result.p99Ms)} | ${row.result.errors} | ${(
              (row.result.perSecond / base.perSecond) *
              100
            ).toFixed(0)} % | ${(row.nodesCpu * 100).toFixed(0)} % | ${row.store === 'redis' ? `${(row.redisCpu * 100).toFixed(0)} %` : '—'} | ${(row.benchCpu * 100).toFixed(0)} % |`,
        );
        const { replay, stall, idle } = c;
        return [
          '| small tool calls, 2025-11-25, 32 clients, through the proxy | req/s | p50 | p99 | errors | vs 1 node in memory | CPU: nodes | Redis | load generator + proxy |',
          '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
          ...callRows,
          '',
          '| measurement | 1 node, memory | on Redis |',
          '| --- | --- | --- |',
          `| events per second through a stream log (replay of ${num(replay.memory.events)} events after the client was away) | ${num(replay.memory.perSecond)} | ${num(replay.redis.perSecond)} |`,
          `| stall a client sees when its stream is cut every 250 ms and it resumes (on Redis: always on the other of 2 nodes) | p50 ${ms(stall.memory.p50Ms)}, max ${ms(stall.memory.maxMs)}; ${stall.memory.resumptions} resumptions, ${stall.memory.duplicates} duplicated, ${stall.memory.missing} missing | p50 ${ms(stall.redis.p50Ms)}, max ${ms(stall.redis.maxMs)}; ${stall.redis.resumptions} resumptions, ${stall.redis.duplicates} duplicated, ${stall.redis.missing} missing |`,
          `| memory per idle 2025 session (${num(idle.node.sessions)} opened and abandoned) | see "Sessions and resumption" | node ${(idle.node.bytesPerSession / 1024).toFixed(1)} KiB, Redis ${(idle.redisBytesPerSession / 1024).toFixed(1)} KiB |`,
        ].join('\n');
      })();

const tasksTable =
  taskRows.length === 0
    ? '(not run)'
    : [
        `| store | tasks created per second (32 clients) | create p50 / p99 | \`tasks/get\` per second (${TASK_POLLERS} pollers) | get p50 / p99 | memory per finished task kept (${num(TASKS_KEPT)} kept) |`,
        '| --- | ---: | ---: | ---: | ---: | ---: |',
        ...taskRows.map(
          (r) =>
            `| ${r.store === 'memory' ? 'memory' : 'Redis'} | ${num(r.createdPerSecond)} | ${ms(r.createP50Ms)} / ${ms(r.createP99Ms)} | ${num(r.getsPerSecond)} | ${ms(r.getP50Ms)} / ${ms(r.getP99Ms)} | node ${(r.nodeBytesPerTask / 1024).toFixed(1)} KiB${r.redisBytesPerTask === undefined ? '' : `, Redis ${(r.redisBytesPerTask / 1024).toFixed(1)} KiB`} |`,
        ),
      ].join('\n');

process.stdout.write(`\n${table}\n\n${streamingTable}\n\n${stallTable}\n\n${manyStreamsTable}\n\n${resourceTable}\n\n${scriptTable}\n\n${sessionsTable}\n\n${clusterTable}\n\n${tasksTable}\n\n${cliTable}\n\n${machine}; ${date}\n`);
if (ONLY !== undefined || QUICK) {
  process.stderr.write(`${QUICK ? '--quick' : 'BENCH_ONLY'} is set: docs/benchmarks.md is left as it is (a full run writes it).\n`);
  const missed = resourceRows.filter((row) => resourceMisses(row).length > 0);
  if (missed.length > 0) process.exitCode = 1;
  process.exit();
}

writeFileSync(
  join(ROOT, 'docs/benchmarks.md'),
  `# Benchmarks

Latest output of \`npm run bench\`. Every number below was measured in that one run; nothing
here is copied from elsewhere. Re-run it on your machine to compare (\`npm run bench -- --quick\`
is a short version for development that writes nothing here).

**Honesty rules.** Every measurement follows a warm-up and is repeated in rounds with the order
of the servers alternating; the best round of each server is kept (a burst of noise on a shared
2-core machine should not decide a row), and where a row keeps its best time it keeps the largest
memory growth seen with it. Servers run pinned to one core, load generators and clients to the
other. Every process that the bench starts, ours or the SDK's, runs under the same
\`node --import tsx\` (and \`--expose-gc\` where the section says so). Rows that compare with the
machine measure the machine in the same run. A row that misses its target says so in bold; the
run exits non-zero when a large-resource row misses or sluice is slower than the SDK.

- **Date:** ${date}
- **Machine:** ${machine}
- **Settings:** ${SECONDS} s measured per round after ${WARMUP_MS / 1000} s of warm-up, ${ROUNDS} rounds with the server order alternating, best round kept per server; ${pinning}; peak RSS is the server process's VmHWM over the measured windows (both servers run under \`node --import tsx\`, which counts in their RSS alike).

## Small tool calls

Each client calls an \`echo\` tool in a loop (a fresh request each time, the answer read in full).
The **plain SDK v2** server is what a user writes today from the SDK docs: \`McpServer\` +
\`createMcpHandler\` (2026-07-28, with its default stateless 2025 fallback) + \`toNodeHandler\`,
behind the SDK's localhost Host/Origin checks. **sluice** serves the same tool from one endpoint
for both eras, with real 2025 sessions (\`Mcp-Session-Id\`, a bounded event log per session,
priming events). The load generator is one process speaking raw HTTP (bench/lib/rawClient.ts),
the same for both servers. sluice must stay within ${TOLERANCE * 100} % of the SDK's throughput on every row.
The **WebSocket** rows run the same load against the same sluice server over \`ws://…/mcp\` (one
connection per client, the 2026-07-28 envelope on each request, bench/lib/wsClient.ts); the SDK
has no WebSocket server to compare with, so they are set beside sluice's own HTTP rows.

${table}

## Streaming: progress flood, cancellation, a client that stops reading

The same stock SDK v2 client drives both servers (pinned to 2026-07-28 for the 2026 rows; over
stdio each server runs as a child process). **Progress flood:** one call reports
${num(FLOOD_STEPS)} steps as fast as the server lets it; the plain SDK awaits every \`notify()\`,
sluice's tool calls \`ctx.progress()\` unthrottled (rate 0), which keeps one notification in flight
and coalesces to the newest value while the transport holds it back: fewer notifications, the
last value always delivered. **Cancel latency:** time from the client's abort to the handler's
signal (clocks compared in one machine), over ${CANCEL_RUNS} calls. A 2025 client of the plain SDK
server talks to its stateless fallback, where \`notifications/cancelled\` arrives at a fresh
server instance and never reaches the running handler.

${streamingTable}

**Client stalled:** a client starts a call that streams ${STALL_CHUNKS} chunks of 64 KiB (sluice:
partial results, which the client opted into; plain SDK: progress messages, the only streaming it
has) and then stops reading. The column is the server's peak RSS over the next
${STALL_HOLD_MS / 1000} s minus its RSS before the call (HTTP 2025 and 2026; stdio, where each server
runs as a child whose stdout the client stops reading).

${stallTable}

## Many streams at once

For each era, a fresh sluice server (bench/servers/sluice.ts) and ${num(MANY_STREAMS)} clients, each its own
(over 2025-11-25 its own session), connected 32 at a time and all calling \`stream_for\` at once: a
progress notification and a partial result every ${MANY_STREAMS_EVERY_MS} ms for ${MANY_STREAMS_SECONDS} s, each stamped with the epoch
ms it was produced at; latency is received minus produced, on one machine's clock, over every event
of every call. Partial results must all arrive in \`seq\` order; progress is unthrottled (\`progressPerSecond: 0\`),
which coalesces to the newest value only while a stream is held back, so the count may be lower but the last value must arrive.
The server's RSS is read halfway through, with every stream open; its growth over the fresh server,
divided by the streams, includes the heap V8 grew for them.

${manyStreamsTable}

## Large resources

One read per client process, each on a file in a temporary folder: 100 MiB of UTF-8 log text
(with some non-ASCII names), 50 MiB of random bytes, 1 GiB of log. **Plain SDK v2**: the SDK's
\`McpServer\` with a resource template whose read callback returns the whole file, read with the
stock client's \`readResource\` (bench/servers/resourceSdk.ts). **sluice**: a \`directory:\`
resource, read with \`readResourceStream\` at its default sizes: over HTTP that is
a raw \`resources/stream\` (SEP-2532) in chunks of at most 64 KiB, over stdio windows of \`resources/read\` of 94 KiB, 4 in flight.
Time runs from the request to the last byte; the rows compared against a target or the SDK
are run ${ROUNDS} times and keep the fastest time with the largest RSS growth seen (the SDK's stdio
rows run once: the raised-limit read alone takes well over a minute). Each client first reads an 8 MiB file the same way
(warm-up), then RSS growth is each process's peak RSS during the measured read minus its RSS just
before it. Every process, SDK or sluice, runs under \`node --expose-gc --import tsx\`: sluice's
streams collect where \`gc\` is exposed (a minor collection every 8 MiB streamed on both sides, every
2 MiB on a client reading windows, and a server a full one every 64 MiB of windows it answered; the \`sluice\` CLI exposes it itself;
docs/design.md), the SDK does not use it.
**The machine** is measured first in the same run, its best of ${ROUNDS}, each in a fresh process pinned
like every client: a plain \`node:http\` server (bench/machine/fileServer.mjs, \`createReadStream\`
piped into the response) read with \`http.get\` and with \`fetch\`, \`cat FILE > /dev/null\`,
\`cat FILE > OUT\` (the disk taking what \`sluice read -o\` writes), and a child's \`cat\` read through a plain
pipe. The rows measured against the machine run right after it, before the SDK's large reads. **\`sluice read -o FILE\`** is the CLI as a user runs it,
timed from process start to exit, its file compared with the source by \`cmp\`; its client column is
the command's whole peak RSS (the growth target is for the library's reads).
sluice's targets: growth under ${decimalMb(MAX_GROWTH_BYTES)} per process at every size, HTTP no slower than the SDK,
stdio 100 MiB within ${STDIO_100M_MAX_MS / 1000} s, the largest raw read at ≥ ${RAW_READ_TARGET * 100} % of the \`http.get\` ceiling and
\`sluice read -o\` at ≥ ${CLI_READ_TARGET * 100} %.

${resourceTable}

## Script output at full speed

A script tool (bench/servers/scripts.ts, a config like any user's) runs bench/fixtures/printLines.mjs,
which prints ${SCRIPT_MIB} MiB of 1 KiB lines as fast as its pipe takes them, in 64 KiB writes. Over
2026-07-28, a client either asks for partial results and reads every one, or asks for the final
result only (the output then goes to the head/tail excerpt and the spool); the time runs from the
request to the end of the answer, best of ${ROUNDS}, and the server's CPU (user + system, from /proc)
over the call is divided by the MiB the script printed. Each inline limit runs in a fresh server
process. **The machine:** the same script's stdout read by a plain Node process through a pipe.
**Stalled:** ${STALLED_SCRIPTS} clients each start a call (partial results asked for) of a script that would print
1 GiB, and never read; after the scripts filled their pipes and the streams their high-water
marks, the server's CPU is measured over a window, and its peak RSS growth over the whole time.

${scriptTable}

## Sessions and resumption (2025 era)

One sluice server process (bench/servers/sessions.ts, idle TTL ${SESSION_TTL_MS / 1000} s). **Idle sessions:**
${num(ABANDONED_SESSIONS)} clients each send \`initialize\` (32 at a time) and walk away, no DELETE; the
server's RSS growth over them, just opened, gives the memory per idle session awake; again once
\`sluice_sessions_hibernating\` counts them all (quiet for ${SESSION_HIBERNATE_MS / 1000} s, the bench server's setting; the
default is 30 s) and half that again (two of the server's sweeps: the second collects what the first released), the memory per hibernating session, read again every 500 ms for up to ${SETTLE_AFTER_RECLAIM_MS / 1000} s until it is within the target (V8 shrinks its young generation only in a collection made once the heap went quiet; the TTL is ${SESSION_TTL_MS / 1000} s so that every session is still there, and the table says how many were); then \`sluice_sessions_active\` is polled until
the TTL has reclaimed them; the RSS then is compared with the RSS before them, and read again every 500 ms for up to ${SETTLE_AFTER_RECLAIM_MS / 1000} s until it is back within the target (the sweep that finds nothing more to release collects, and the server collects once more 5 s later, when V8 shrinks its young generation); the target is judged on that last reading, and the table says how long after the last session it came. **Replay:** a call streams ${num(REPLAY_EVENTS)} log notifications while
its client is away; the client then resumes from the first event id and reads the whole replay
(it ends with the result). **Stall:** the stock SDK v2 client calls a tool that sends an event every
10 ms for ${STALL_RUN_MS / 1000} s while the server closes its stream every 250 ms (SSE polling); every gap
between two events over 30 ms is a resumption the client waited through. With the default
\`retry\` of 1 s the stall is that wait, plus the reconnection.

${sessionsTable}

## Several nodes on Redis

Debian's \`redis-server\` on a free loopback port (no persistence, not pinned); sluice nodes
(bench/servers/sluice.ts and sessions.ts with \`--store redis://…\`) on the server core like every
bench server; the round-robin proxy (test/helpers/clusterProxy.ts: no affinity, every request of
a session to the next node, a resumption always to another node) runs in the bench process
beside the load generator on core 0. The one-node row in memory goes through the same proxy, so
the proxy's cost is in every row. **Small calls:** 32 clients, each its own 2025 session, for
${SECONDS} s after ${WARMUP_MS / 1000} s of warm-up, one round. **Events per second:** the replay of the
sessions section, with the stream log in Redis. **Stall:** the stock SDK v2 client calls a tool
that sends an event every 10 ms for ${STALL_RUN_MS / 1000} s; the proxy cuts the stream every 250 ms
and the client resumes with \`Last-Event-ID\` (\`retry\` 1 s), on Redis always on the other node.
**Idle sessions:** ${num(CLUSTER_IDLE_SESSIONS)} sessions opened on one node and abandoned; the node's RSS
growth and Redis's \`used_memory\` growth, each divided by their number.

${clusterTable}

## Tasks

One sluice node (bench/servers/tasks.ts) with its tasks in memory, then one on Redis, each fresh,
spoken to over 2026-07-28 with the Tasks extension declared (SEP-2663). **Created per second:**
32 clients call a tool that answers at once; each answer is a \`CreateTaskResult\`, sent only once
the task is in the store, so this is task creation end to end (the leg runs and finishes right
after). **\`tasks/get\`:** ${TASK_POLLERS} tasks that run until cancelled, each polled by its own client
as fast as it answers, for ${SECONDS} s after ${WARMUP_MS / 1000} s of warm-up. **Memory per finished task:**
${num(TASKS_KEPT)} finished tasks (about 1 KiB of result each) created on the fresh node before the rest;
the node's heap growth after a full collection (and Redis's \`used_memory\` growth) over them, divided by their number.

${tasksTable}

## Starting the CLI

Whole commands as a user types them, each run ${CLI_RUNS} times after one untimed run (the median and the
slowest kept) and once more under a preload that prints the process's peak RSS (\`maxRSS\`) at exit;
\`node -e 0\` is the floor every Node program pays on this machine. The commands run from \`dist/\`
(what \`npm start\` and the installed \`sluice\` run), without \`NODE_EXTRA_CA_CERTS\`, which this
machine's environment sets and which makes every Node process parse a certificate bundle at start
(the second row, where set, shows its cost). \`call\` speaks to bench/servers/sluice.ts, \`read\` to
a \`directory:\` resource; both servers run on the server core.

${cliTable}
`,
);
const resourceMissed = resourceRows.filter((row) => resourceMisses(row).length > 0);
if (resourceMissed.length > 0) {
  process.stderr.write(`large resources missed a target: ${resourceMissed.map((r) => `${r.what} ${r.transport}`).join('; ')}\n`);
  process.exitCode = 1;
}
const slower = rows.filter((r) => r.sluice.perSecond < r.sdk.perSecond * (1 - TOLERANCE));
if (slower.length > 0) {
  process.stderr.write(`sluice is more than ${TOLERANCE * 100} % slower than the SDK on: ${slower.map((r) => r.title).join('; ')}\n`);
  process.exitCode = 1;
}
