// Guards the one reach past the SDK's public API (src/transports/http/sdkReach.ts): the
// 2026-07-28 per-request transport is tapped, so what a call streams goes through sluice's
// stream log. If the SDK stops connecting the factory's server to the request's transport, or
// stops answering with SSE on the first streamed message, the producer is no longer held at
// the high-water mark (or the answer never comes) and this fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceServer } from '../../../src/server/sluiceServer.js';
import { createHttpHandler } from '../../../src/transports/http/handler.js';
import { messagesOf } from '../../helpers/servers.js';

const CHUNKS = 200;

test('a 2026-07-28 call streams through the exchange log: held while unread, then every partial and the result', async () => {
  let emitted = 0;
  const sluice = new SluiceServer({ name: 'reach', version: '0' }).tool({
    name: 'chunks',
    description: 'emits 200 partials of 1 KiB',
    handler: async (_args, ctx) => {
      for (let i = 0; i < CHUNKS; i++) {
        await ctx.partial(`${i} ${'x'.repeat(1024)}`);
        emitted++;
      }
      return 'done';
    },
  });
  const handler = createHttpHandler(sluice, { streamHighWaterBytes: 8 * 1024 });
  const meta = {
    partialResultToken: 'p',
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
    'io.modelcontextprotocol/clientCapabilities': { partialResults: {} },
  };
  const response = await handler.fetch(
    new Request('http://127.0.0.1:3001/mcp', {
      method: 'POST',
      headers: { host: '127.0.0.1:3001', accept: 'application/json, text/event-stream', 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'chunks' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'chunks', arguments: {}, _meta: meta } }),
    }),
  );
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/event-stream/);
  // Nobody reads: the producer stops at the high-water mark (8 KiB: a handful of 1 KiB chunks).
  let before = -1;
  while (before !== emitted) {
    before = emitted;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(emitted < 20, `held at the high-water mark: ${emitted} of ${CHUNKS} emitted`);
  const messages = await messagesOf(response);
  const seqs = messages.filter((m) => m.method === 'notifications/tools/partial_result').map((m) => (m.params as { seq: number }).seq);
  assert.deepEqual(seqs, [...Array(CHUNKS).keys()], 'every partial once, in order');
  assert.deepEqual((messages.at(-1)!.result as { content: unknown }).content, [{ type: 'text', text: 'done' }]);
  await handler.close();
});
