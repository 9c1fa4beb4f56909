/**
 * The chaos run: the sluice client and the stock SDK v2 client each call
 * `burst` (see `test/fixtures/servers/burst.ts`) several times at once
 * through a proxy that cuts their streams; every call completes and every
 * event arrives exactly once, in order.
 */
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { connect } from '../../src/client/index.js';

export const EVENTS = 3000;
const CALLS_PER_CLIENT = 4;
export const CHAOS_SEED = Number(process.env.CHAOS_SEED ?? 20261121);
const LOG_PARAMS = z.looseObject({ level: z.string(), data: z.unknown() });

/** Checks one call's events: 0 … EVENTS-1, each once, in order. */
function assertExactlyOnce(seqs: number[], tag: string): void {
  const expected = Array.from({ length: EVENTS }, (_, i) => i);
  if (seqs.length !== EVENTS || seqs.some((s, i) => s !== i)) {
    const duplicates = seqs.length - new Set(seqs).size;
    const missing = expected.filter((s) => !seqs.includes(s)).length;
    assert.fail(`${tag}: ${seqs.length} events, ${duplicates} duplicated, ${missing} missing, in order: ${seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)} (seed ${CHAOS_SEED})`);
  }
}

/** Runs `callsPerClient` calls of each client at once through `url` (a cutting proxy) and checks every event. */
export async function runChaos(url: string, callsPerClient = CALLS_PER_CLIENT): Promise<void> {
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
    for (let i = 0; i < callsPerClient; i++) {
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
  } finally {
    await ours.close().catch(() => {});
    await stock.close().catch(() => {});
  }
}
