/**
 * Many streams at once: `calls` concurrent calls of `stream_for` (a progress
 * notification and a partial result every `everyMs` for `seconds`, each
 * stamped with the epoch ms it was produced at), each from its own client
 * (over 2025-11-25 each its own session). Every call must complete with every
 * partial result in `seq` order; progress may coalesce under pressure (that
 * is its policy) but its last value must arrive. Latency is received minus
 * produced, on one machine's clock.
 */
import { SseParser } from '../../src/flow/sseParser.js';
import { Method } from '../../src/protocol/wire.js';
import { epochMs } from '../servers/echoTool.js';
import { type BenchServer, rssBytes } from '../lib/processes.js';
import { type Era, RawClient } from '../lib/rawClient.js';
import { percentile } from '../lib/stats.js';

const CAPABILITIES = { partialResults: {} };

export interface ManyStreamsResult {
  readonly era: Era;
  readonly calls: number;
  readonly completed: number;
  /** Partial results expected (calls × ticks), received, and missing or out of order. */
  readonly partialsExpected: number;
  readonly partialsReceived: number;
  readonly partialsLost: number;
  /** Progress notifications received, and calls whose last progress value did not arrive. */
  readonly progressReceived: number;
  readonly lastProgressMissed: number;
  readonly progressP50Ms: number;
  readonly progressP99Ms: number;
  readonly partialP99Ms: number;
  /** Server RSS growth with every stream open, divided by the streams. */
  readonly bytesPerStream: number;
  readonly ms: number;
}

interface StreamTally {
  completed: boolean;
  partials: number;
  outOfOrder: number;
  progress: number;
  lastProgress: number;
}

async function oneStream(url: string, era: Era, seconds: number, everyMs: number, progressLatency: number[], partialLatency: number[]): Promise<StreamTally> {
  const client = await RawClient.connect(url, era, CAPABILITIES);
  const tally: StreamTally = { completed: false, partials: 0, outOfOrder: 0, progress: 0, lastProgress: 0 };
  try {
    const response = await client.startStalled('stream_for', { seconds, everyMs }, { progressToken: 1, partialResultToken: 'p' }, CAPABILITIES);
    const parser = new SseParser({
      onEvent: ({ data }) => {
        if (data === '') return; // a priming event
        const message = JSON.parse(data) as { method?: string; params?: Record<string, unknown>; result?: unknown };
        if (message.method === Method.ProgressNotification) {
          tally.progress++;
          tally.lastProgress = Number(message.params!.progress);
          progressLatency.push(epochMs() - Number(message.params!.message));
        } else if (message.method === Method.PartialResultNotification) {
          if (message.params!.seq !== tally.partials) tally.outOfOrder++;
          tally.partials++;
          partialLatency.push(epochMs() - Number((message.params!.content as Array<{ text: string }>)[0]!.text));
        } else if (message.result !== undefined) tally.completed = true;
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of response.body! as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(chunk, { stream: true }));
  } finally {
    await client.close();
  }
  return tally;
}

/** Starts `calls` streams (connecting 32 at a time), samples the server's RSS halfway, waits for all. */
export async function manyStreams(server: BenchServer, era: Era, calls: number, seconds: number, everyMs: number): Promise<ManyStreamsResult> {
  const pid = server.child.pid!;
  const rssBefore = rssBytes(pid);
  const progressLatency: number[] = [];
  const partialLatency: number[] = [];
  const started = performance.now();
  const streams: Array<Promise<StreamTally>> = [];
  for (let i = 0; i < calls; i++) {
    streams.push(oneStream(server.url, era, seconds, everyMs, progressLatency, partialLatency));
    if (i % 32 === 31) await new Promise((resolve) => setTimeout(resolve, 20)); // paced, so connections are not refused in a burst
  }
  await new Promise((resolve) => setTimeout(resolve, (seconds * 1000) / 2));
  const rssDuring = rssBytes(pid);
  const tallies = await Promise.all(streams);
  const ticks = Math.round((seconds * 1000) / everyMs);
  progressLatency.sort((a, b) => a - b);
  partialLatency.sort((a, b) => a - b);
  const received = tallies.reduce((sum, t) => sum + t.partials, 0);
  return {
    era,
    calls,
    completed: tallies.filter((t) => t.completed).length,
    partialsExpected: calls * ticks,
    partialsReceived: received,
    partialsLost: calls * ticks - received + tallies.reduce((sum, t) => sum + t.outOfOrder, 0),
    progressReceived: tallies.reduce((sum, t) => sum + t.progress, 0),
    lastProgressMissed: tallies.filter((t) => t.lastProgress !== ticks).length,
    progressP50Ms: percentile(progressLatency, 50),
    progressP99Ms: percentile(progressLatency, 99),
    partialP99Ms: percentile(partialLatency, 99),
    bytesPerStream: (rssDuring - rssBefore) / calls,
    ms: performance.now() - started,
  };
}
