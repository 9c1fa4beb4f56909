// Chaos: a TCP proxy between client and server cuts resumable streams at
// random moments (hundreds of cuts in one run) while tools stream thousands
// of events. Every event arrives exactly once and in order and every call
// completes, with the sluice client and with the stock SDK v2 client, both
// resuming with Last-Event-ID from the session's event log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { connect } from '../../src/client/index.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { ChaosProxy } from '../helpers/chaosProxy.js';
import { waitFor } from '../helpers/processes.js';

const EVENTS = 3000;
const CALLS_PER_CLIENT = 4;
const SEED = Number(process.env.CHAOS_SEED ?? 20261121);
let server: RunningHttpServer;
let proxy: ChaosProxy;
let url: string;

const LOG_PARAMS = z.looseObject({ level: z.string(), data: z.unknown() });

before(async () => {
  const sluice = new SluiceServer({ name: 'chaos', version: '1', capabilities: { logging: {} } }).tool<{ tag: string; events: number }>({
    name: 'burst',
    description: 'sends numbered log events, then a result naming how many',
    inputSchema: { type: 'object', properties: { tag: { type: 'string' }, events: { type: 'integer' } }, required: ['tag', 'events'] },
    handler: async ({ tag, events }, ctx) => {
      for (let seq = 0; seq < events && !ctx.signal.aborted; seq++) {
        await ctx.mcp.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: { tag, seq } } });
        if (seq % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 5)); // a call lasts long enough to be cut often
      }
      return `sent ${events}`;
    },
  });
  // retry: 5 ms, so hundreds of resumptions fit in a few seconds.
  server = await serveHttp(sluice, { port: 0, retryMs: 5 });
  proxy = new ChaosProxy(server.port, { minLifeMs: 5, maxLifeMs: 60, seed: SEED });
  url = `http://127.0.0.1:${await proxy.listen()}/mcp`;
});
after(async () => {
  await proxy.close();
  await server.close();
});

/** Checks one call's events: 0 … EVENTS-1, each once, in order. */
function assertExactlyOnce(seqs: number[], tag: string): void {
  const expected = Array.from({ length: EVENTS }, (_, i) => i);
  if (seqs.length !== EVENTS || seqs.some((s, i) => s !== i)) {
    const duplicates = seqs.length - new Set(seqs).size;
    const missing = expected.filter((s) => !seqs.includes(s)).length;
    assert.fail(`${tag}: ${seqs.length} events, ${duplicates} duplicated, ${missing} missing, in order: ${seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)} (seed ${SEED})`);
  }
}

test(`chaos: the sluice client and the stock SDK v2 client get every event exactly once through hundreds of cuts`, { timeout: 120_000 }, async (t) => {
  const cutsBefore = proxy.cuts;
  const received = new Map<string, number[]>();
  const record = (params: z.infer<typeof LOG_PARAMS>) => {
    const { tag, seq } = params.data as { tag: string; seq: number };
    received.get(tag)?.push(seq);
  };

  const ours = await connect(url, { era: 'legacy' });
  ours.sdk.setNotificationHandler('notifications/message', { params: LOG_PARAMS }, record);
  const stock = new Client({ name: 'stock', version: '0' }, { versionNegotiation: { mode: 'legacy' } });
  stock.setNotificationHandler('notifications/message', { params: LOG_PARAMS }, record);
  await stock.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      // Generous: each cut costs one reconnection, and a run has hundreds.
      reconnectionOptions: { maxRetries: 50, initialReconnectionDelay: 5, maxReconnectionDelay: 200, reconnectionDelayGrowFactor: 1.5 },
    }),
  );
  try {
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < CALLS_PER_CLIENT; i++) {
      for (const [name, run] of [
        ['sluice', (tag: string) => ours.callTool('burst', { tag, events: EVENTS }, { timeoutMs: 60_000 })],
        ['stock', (tag: string) => stock.callTool({ name: 'burst', arguments: { tag, events: EVENTS } }, { timeout: 60_000 })],
      ] as const) {
        const tag = `${name}-${i}`;
        received.set(tag, []);
        calls.push(
          run(tag).then((result) => {
            const text = (result as { content: Array<{ type: string; text?: string }> }).content[0];
            assert.equal(text?.text, `sent ${EVENTS}`, `${tag}: the result arrived`);
          }),
        );
      }
    }
    await Promise.all(calls);
    for (const [tag, seqs] of received) assertExactlyOnce(seqs, tag);
    // No leaked streams: once every call is answered, each session holds at most its standalone GET stream.
    const openStreams = () =>
      [...server.handler.sessions.all()].map((session) => session.transport.connections);
    await waitFor(() => openStreams().every((n) => n <= 1), 3000, `replay streams closed (open per session: ${openStreams().join(', ')})`);
    const cuts = proxy.cuts - cutsBefore;
    t.diagnostic(`${cuts} cuts over ${proxy.connections} connections, seed ${SEED}`);
    assert.ok(cuts >= 100, `hundreds of cuts expected, got ${cuts} (seed ${SEED})`);
  } finally {
    proxy.calm();
    await ours.close().catch(() => {});
    await stock.close().catch(() => {});
  }
});
