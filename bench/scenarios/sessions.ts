/**
 * Sessions and resumption (2025 era), measured against one sluice server
 * process: memory per idle session and the reclaiming of 10,000 abandoned
 * sessions after their TTL; replay throughput from the event log; the stall
 * a stock SDK client sees each time its stream is closed and resumed.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { type BenchServer, rssBytes } from '../lib/processes.js';
import { percentile } from '../lib/stats.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
};

async function gauge(server: BenchServer, name: 'sluice_sessions_active' | 'sluice_sessions_hibernating'): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/mcp$/, '/metrics'))).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}
const sessionsActive = (server: BenchServer) => gauge(server, 'sluice_sessions_active');

/** Polls a gauge until `done` (bounded by `ms`); its last value. */
async function waitFor(server: BenchServer, name: Parameters<typeof gauge>[1], done: (value: number) => boolean, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let value = await gauge(server, name);
  while (!done(value) && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await gauge(server, name);
  }
  return value;
}

/** Opens a session and walks away from it (no DELETE, no stream). */
async function openAndAbandon(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(INITIALIZE),
  });
  await response.text();
  return response.headers.get('mcp-session-id') ?? '';
}

/**
 * How long after the last session left the RSS is watched (read every 500 ms)
 * for its return within the target: the sweep that releases nothing more
 * collects (`GcPacer.settle`), and the one 5 s later collects again, which is
 * when V8 shrinks its young generation (measured: from 32 MB to 1 MB); V8's
 * own memory reducer may do it sooner or much later.
 */
export const SETTLE_AFTER_RECLAIM_MS = 20_000;

/** The RSS of `pid` once it is at most `limit`, read every 500 ms for up to `watchMs`; the last reading otherwise. */
async function settledRss(pid: number, limit: number, watchMs: number): Promise<number> {
  const started = performance.now();
  let rss = rssBytes(pid);
  while (rss > limit && performance.now() - started < watchMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    rss = rssBytes(pid);
  }
  return rss;
}

export interface AbandonedResult {
  readonly sessions: number;
  readonly openMs: number;
  readonly activeAfterOpen: number;
  /** RSS growth per session right after opening (every session awake). */
  readonly bytesPerSession: number;
  /** RSS growth per session once they all hibernated (idle for the hibernation time). */
  readonly bytesPerHibernatingSession: number;
  readonly hibernating: number;
  /** How long after all hibernated the hibernating RSS was read (see {@link settledRss}). */
  readonly hibernatingSettledMs: number;
  /** Sessions still active at that reading (all of them, unless the TTL came first). */
  readonly activeWhenHibernating: number;
  readonly reclaimedMs: number;
  readonly rssBefore: number;
  readonly activeAfterTtl: number;
  readonly rssAfterOpen: number;
  readonly rssAfterReclaim: number;
  /** RSS once it came back within the target, or at the end of {@link SETTLE_AFTER_RECLAIM_MS} (what the target is judged on). */
  readonly rssSettled: number;
  /** How long after the last session was reclaimed {@link rssSettled} was read. */
  readonly settledMs: number;
}


/**
 * Opens `count` sessions (32 at a time), waits (bounded) until they all
 * hibernated (and `settleMs` more), then until the TTL has reclaimed them
 * all; the server's RSS at each step.
 */
export async function abandonedSessions(
  server: BenchServer,
  count: number,
  ttlMs: number,
  settleMs: number,
  /** The RSS targets, and how long the RSS is watched for them ({@link SETTLE_AFTER_RECLAIM_MS}; 0: read once). */
  targets: { readonly perSession: number; readonly reclaimed: number; readonly watchMs: number },
): Promise<AbandonedResult> {
  const pid = server.child.pid!;
  const rssBefore = rssBytes(pid);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) {
        next++;
        await openAndAbandon(server.url);
      }
    }),
  );
  const openMs = performance.now() - started;
  const activeAfterOpen = await sessionsActive(server);
  const rssAfterOpen = rssBytes(pid);
  const opened = performance.now();
  const hibernating = await waitFor(server, 'sluice_sessions_hibernating', (n) => n >= count, ttlMs);
  // The server's sweep collects once the releases stop: give it `settleMs` for that.
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const asleep = performance.now();
  const rssHibernating = await settledRss(pid, rssBefore + targets.perSession * count, targets.watchMs);
  const hibernatingSettledMs = performance.now() - asleep;
  const activeWhenHibernating = await sessionsActive(server);
  const active = await waitFor(server, 'sluice_sessions_active', (n) => n === 0, ttlMs + 30_000);
  const reclaimedMs = performance.now() - opened;
  const rssAfterReclaim = rssBytes(pid);
  const reclaimed = performance.now();
  const rssSettled = await settledRss(pid, rssBefore + targets.reclaimed, targets.watchMs);
  return {
    sessions: count,
    openMs,
    activeAfterOpen,
    bytesPerSession: (rssAfterOpen - rssBefore) / count,
    bytesPerHibernatingSession: (rssHibernating - rssBefore) / count,
    hibernating,
    hibernatingSettledMs,
    activeWhenHibernating,
    reclaimedMs,
    activeAfterTtl: active,
    rssBefore,
    rssAfterOpen,
    rssAfterReclaim,
    rssSettled,
    settledMs: performance.now() - reclaimed,
  };
}

export interface ReplayResult {
  readonly events: number;
  readonly ms: number;
  readonly perSecond: number;
}

/**
 * A call streams `count` events to its client, which reads them all; the
 * client then resumes from the first event id (a reconnect that lost
 * everything after the priming event) and reads the whole replay from the
 * session's log. (A client that is away no longer lets the call run ahead:
 * the producer waits at the high-water mark, so the events are delivered
 * first and replayed after.)
 */
export async function replayThroughput(server: BenchServer, count: number): Promise<ReplayResult> {
  const init = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify(INITIALIZE),
  });
  await init.text();
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  const call = await fetch(server.url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'burst', arguments: { count } } }),
  });
  const live = await call.text(); // every event, then the result
  const firstId = /^id: (\S+)/m.exec(live)![1]!;
  const started = performance.now();
  const replay = await fetch(server.url, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': firstId } });
  const text = await replay.text(); // the replay ends with the call's result, then the stream closes
  const ms = performance.now() - started;
  const events = (text.match(/^event: message$/gm) ?? []).length;
  await fetch(server.url, { method: 'DELETE', headers });
  return { events, ms, perSecond: events / (ms / 1000) };
}

export interface StallResult {
  readonly resumptions: number;
  readonly p50Ms: number;
  readonly maxMs: number;
  readonly events: number;
  readonly duplicates: number;
  readonly missing: number;
}

const LOG = z.looseObject({ level: z.string(), data: z.unknown() });

/**
 * The stock SDK v2 client calls `tick` (an event every `everyMs`), whose
 * stream the server closes every 250 ms: each gap between two events longer
 * than 3 × `everyMs` is a stall the client saw while it resumed.
 */
export async function reconnectStall(server: BenchServer, durationMs: number, everyMs: number, tool = 'tick'): Promise<StallResult> {
  const client = new Client({ name: 'bench', version: '0' }, { versionNegotiation: { mode: 'legacy' } });
  const arrivals: Array<{ seq: number; at: number }> = [];
  client.setNotificationHandler('notifications/message', { params: LOG }, (params) => {
    arrivals.push({ seq: (params.data as { seq: number }).seq, at: performance.now() });
  });
  await client.connect(new StreamableHTTPClientTransport(new URL(server.url), { reconnectionOptions: { maxRetries: 50, initialReconnectionDelay: 10, maxReconnectionDelay: 1000, reconnectionDelayGrowFactor: 1.5 } }));
  try {
    await client.callTool({ name: tool, arguments: { ms: durationMs, every: everyMs } }, { timeout: durationMs + 60_000 });
  } finally {
    await client.close();
  }
  const gaps: number[] = [];
  for (let i = 1; i < arrivals.length; i++) {
    const gap = arrivals[i]!.at - arrivals[i - 1]!.at;
    if (gap > everyMs * 3) gaps.push(gap);
  }
  gaps.sort((a, b) => a - b);
  const seqs = arrivals.map((a) => a.seq);
  const maxSeq = Math.max(...seqs);
  return {
    resumptions: gaps.length,
    p50Ms: percentile(gaps, 50),
    maxMs: gaps.at(-1) ?? 0,
    events: arrivals.length,
    duplicates: seqs.length - new Set(seqs).size,
    missing: maxSeq + 1 - new Set(seqs).size,
  };
}
