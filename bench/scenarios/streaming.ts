/**
 * Streaming scenarios, each run against both servers with the same client:
 * a progress flood, a client that stops reading, and cancellation latency.
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { epochMs } from '../servers/echoTool.js';
import { type BenchServer, peakRssBytes, resetPeakRss } from '../lib/processes.js';
import { type Era, RawClient } from '../lib/rawClient.js';
import { percentile } from '../lib/stats.js';

export type Transport = 'http 2025-11-25' | 'http 2026-07-28' | 'stdio';

/** An SDK v2 client (the stock client, the same for both servers) over the given transport. */
export async function sdkClient(server: BenchServer, transport: Transport, serverFile: string): Promise<Client> {
  const client = new Client(
    { name: 'bench', version: '0' },
    { versionNegotiation: { mode: transport === 'http 2026-07-28' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(
    transport === 'stdio'
      ? new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', serverFile, '--stdio'], stderr: 'ignore' })
      : new StreamableHTTPClientTransport(new URL(server.url)),
  );
  return client;
}

export interface FloodResult {
  readonly delivered: number;
  readonly lastValue: number;
  readonly ms: number;
}

/** One call that reports `count` progress steps as fast as the server lets it. */
export async function progressFlood(client: Client, count: number): Promise<FloodResult> {
  let delivered = 0;
  let lastValue = 0;
  const started = performance.now();
  await client.callTool(
    { name: 'flood_progress', arguments: { count } },
    {
      timeout: 120_000,
      onprogress: (p) => {
        delivered++;
        lastValue = p.progress;
      },
    },
  );
  return { delivered, lastValue, ms: performance.now() - started };
}

/**
 * A client starts a call that streams 64 KiB chunks of output, then never
 * reads: how much does the server's resident memory grow?
 */
export async function slowConsumer(server: BenchServer, era: Era, chunks: number, holdMs: number): Promise<number> {
  const capabilities = { partialResults: {} };
  const client = await RawClient.connect(server.url, era, capabilities);
  globalThis.gc?.();
  const before = peakRssBaseline(server);
  const response = await client.startStalled('flood_output', { chunks }, { progressToken: 1, partialResultToken: 'p' }, capabilities);
  await new Promise((r) => setTimeout(r, holdMs));
  const peak = peakRssBytes(server.child.pid!);
  await response.body?.cancel();
  await client.close();
  return peak - before;
}

function peakRssBaseline(server: BenchServer): number {
  resetPeakRss(server.child.pid!);
  return peakRssBytes(server.child.pid!);
}

/**
 * Time from the client's abort to the server handler's signal, over `runs`
 * calls; `missed` counts cancellations that never reached the handler within 1 s.
 */
export async function cancelLatency(client: Client, runs: number): Promise<{ p50: number; p95: number; missed: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const controller = new AbortController();
    let abortedAt = 0;
    await client
      .callTool(
        { name: 'wait', arguments: {} },
        {
          signal: controller.signal,
          onprogress: () => {
            abortedAt = epochMs();
            controller.abort('bench');
          },
        },
      )
      .catch(() => {});
    // Ask when the handler saw it (it may still be on its way: poll briefly).
    for (let tries = 0; tries < 100; tries++) {
      const result = await client.callTool({ name: 'last_abort', arguments: {} });
      const at = Number((result.content as Array<{ text: string }>)[0]!.text);
      if (at >= abortedAt) {
        latencies.push(at - abortedAt);
        break;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), missed: runs - latencies.length };
}

/** The stalled client over stdio: the server runs as a child whose stdout nobody reads. */
export async function slowConsumerStdio(serverFile: string, chunks: number, holdMs: number): Promise<number> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', serverFile, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
  // Read only until the initialize answer, then stop reading.
  await new Promise<void>((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('"id":0')) {
        child.stdout.off('data', onData);
        child.stdout.pause();
        resolve();
      }
    };
    child.stdout.on('data', onData);
    send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { partialResults: {} }, clientInfo: { name: 'bench', version: '0' } } });
  });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const pid = child.pid!;
  await new Promise((r) => setTimeout(r, 300));
  resetPeakRss(pid);
  const before = peakRssBytes(pid);
  send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'flood_output', arguments: { chunks }, _meta: { progressToken: 1, partialResultToken: 'p' } } });
  await new Promise((r) => setTimeout(r, holdMs));
  const growth = peakRssBytes(pid) - before;
  child.kill('SIGKILL');
  return growth;
}
