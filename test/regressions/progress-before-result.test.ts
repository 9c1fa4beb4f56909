// Regression: the last progress value was lost when it arrived in the same
// read as the result (seen over stdio under load: `sluice call` showed 1/3 but
// never 3/3). The SDK client dispatches notifications on a microtask but
// settles responses at once. A transport that delivers both in one tick
// reproduces it deterministically.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { deliverNotificationsBeforeResponses } from '../../src/client/ordering.js';

/** A server stand-in: answers initialize, and answers tools/call with progress + result in one synchronous burst. */
class BurstTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  async start(): Promise<void> {}
  async close(): Promise<void> {
    this.onclose?.();
  }
  async send(message: JSONRPCMessage): Promise<void> {
    if (!('method' in message) || !('id' in message)) return;
    const id = message.id;
    if (message.method === 'initialize') {
      queueMicrotask(() =>
        this.onmessage?.({
          jsonrpc: '2.0',
          id,
          result: { protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'burst', version: '0' } },
        }),
      );
    } else if (message.method === 'tools/call') {
      const token = (message.params as { _meta?: { progressToken?: number } })._meta?.progressToken;
      queueMicrotask(() => {
        for (const progress of [1, 2, 3]) {
          this.onmessage?.({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: token!, progress, total: 3 } });
        }
        this.onmessage?.({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: 'done' }] } });
      });
    }
  }
}

async function progressSeen(ordered: boolean): Promise<number[]> {
  const client = new Client({ name: 't', version: '0' });
  const transport = new BurstTransport();
  await client.connect(transport);
  if (ordered) deliverNotificationsBeforeResponses(transport);
  const seen: number[] = [];
  await client.callTool({ name: 'x', arguments: {} }, { onprogress: (p) => seen.push(p.progress) });
  await client.close();
  return seen;
}

test('every progress notification that preceded the result is delivered', async () => {
  assert.deepEqual(await progressSeen(true), [1, 2, 3]);
});

test('the stock SDK client loses them (why the wrapper exists)', async () => {
  assert.notDeepEqual(await progressSeen(false), [1, 2, 3]);
});
