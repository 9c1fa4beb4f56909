/**
 * Small tool calls: N concurrent clients call `echo` in a loop against one
 * server for a fixed time. Reports requests per second, p50/p99 latency and
 * the server's peak RSS during the measured window.
 */
import type { BenchServer } from '../lib/processes.js';
import { peakRssBytes, resetPeakRss } from '../lib/processes.js';
import { type Era, RawClient } from '../lib/rawClient.js';
import { percentile } from '../lib/stats.js';

export interface SmallCallsResult {
  readonly server: string;
  readonly era: Era;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly peakRssBytes: number;
}

/** Bounds of every load loop: it stops at whichever comes first. */
const MAX_REQUESTS_PER_CLIENT = 200_000;

/** A load client: one connection calling tools. */
export interface CallingClient {
  callTool(name: string, args: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export async function smallCalls(server: BenchServer, era: Era, concurrency: number, warmupMs: number, durationMs: number): Promise<SmallCallsResult> {
  return { ...(await smallCallsOver(server, () => RawClient.connect(server.url, era), concurrency, warmupMs, durationMs)), era };
}

/** The same load over any client (the WebSocket rows pass their own). */
export async function smallCallsOver(
  server: BenchServer,
  connectClient: () => Promise<CallingClient>,
  concurrency: number,
  warmupMs: number,
  durationMs: number,
): Promise<Omit<SmallCallsResult, 'era'>> {
  const clients = await Promise.all(Array.from({ length: concurrency }, connectClient));
  const args = { text: 'hello' };
  const loop = async (client: CallingClient, until: number, latencies: number[] | undefined) => {
    let errors = 0;
    for (let i = 0; i < MAX_REQUESTS_PER_CLIENT && performance.now() < until; i++) {
      const start = performance.now();
      try {
        await client.callTool('echo', args);
        latencies?.push(performance.now() - start);
      } catch {
        errors++;
      }
    }
    return errors;
  };
  await Promise.all(clients.map((c) => loop(c, performance.now() + warmupMs, undefined)));
  resetPeakRss(server.child.pid!);
  const latencies: number[] = [];
  const start = performance.now();
  const errors = (await Promise.all(clients.map((c) => loop(c, start + durationMs, latencies)))).reduce((a, b) => a + b, 0);
  const elapsed = performance.now() - start;
  const peak = peakRssBytes(server.child.pid!);
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return {
    server: server.name,
    concurrency,
    requests: latencies.length,
    errors,
    perSecond: (latencies.length / elapsed) * 1000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    peakRssBytes: peak,
  };
}
