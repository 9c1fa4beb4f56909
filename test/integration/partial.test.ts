// Partial results (SEP-2998) end to end: emitted only to calls that carry a
// partialResultToken AND whose client declared `partialResults` (never to a
// token alone); ordered by seq from 0, all before the result; the result stays
// complete. Clients that did not opt in see the latest line in progress
// messages instead.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { messagesOf, modernToolCall, v2Client } from '../helpers/servers.js';

let server: RunningHttpServer;
before(async () => {
  const sluice = new SluiceServer({ name: 'partials', version: '0', progressPerSecond: 0 })
    .tool({
      name: 'lines',
      description: 'streams three lines, reports no progress of its own',
      handler: async (_args, ctx) => {
        for (const line of ['one', 'two', 'three']) await ctx.partial(`${line}\n`);
        return 'one\ntwo\nthree\n';
      },
    })
    .tool({
      name: 'mixed',
      description: 'progress and lines',
      handler: async (_args, ctx) => {
        ctx.progress(1, 2);
        await ctx.partial('halfway there');
        ctx.progress(2, 2);
        return 'done';
      },
    });
  server = await serveHttp(sluice, { port: 0 });
});
after(() => server.close());

function modernCall(tool: string, meta: Record<string, unknown>, capabilities: Record<string, unknown>) {
  return modernToolCall(server.url, tool, { meta, capabilities });
}

test('opted-in calls get ordered partial results before the complete result', async () => {
  const messages = await messagesOf(await modernCall('lines', { partialResultToken: 'prt-1' }, { partialResults: {} }));
  const partials = messages.filter((m) => m.method === 'notifications/tools/partial_result').map((m) => m.params as Record<string, unknown>);
  assert.deepEqual(
    partials.map((p) => [p.partialResultToken, p.seq, p.content]),
    [
      ['prt-1', 0, [{ type: 'text', text: 'one\n' }]],
      ['prt-1', 1, [{ type: 'text', text: 'two\n' }]],
      ['prt-1', 2, [{ type: 'text', text: 'three\n' }]],
    ],
  );
  const last = messages.at(-1) as { result: { content: unknown } };
  assert.deepEqual(last.result.content, [{ type: 'text', text: 'one\ntwo\nthree\n' }], 'the result is complete on its own');
});

test('a token without the capability gets no partial results', async () => {
  const messages = await messagesOf(await modernCall('lines', { partialResultToken: 'prt-2', progressToken: 5 }, {}));
  assert.equal(messages.filter((m) => m.method === 'notifications/tools/partial_result').length, 0);
});

test('without partial results, the latest line rides on progress', async () => {
  const client = await v2Client(server.url, 'legacy');
  const seen: Array<{ progress: number; message?: string }> = [];
  await client.callTool({ name: 'lines', arguments: {} }, { onprogress: (p) => seen.push({ progress: p.progress, message: p.message }) });
  // Chunks count as progress, each with its line; updates may coalesce, the last always arrives.
  assert.deepEqual(seen.at(-1), { progress: 3, message: 'three' });
  const lines = ['one', 'two', 'three'];
  for (const p of seen) assert.equal(p.message, lines[p.progress - 1]);
  const mixed: Array<{ progress: number; message?: string }> = [];
  await client.callTool({ name: 'mixed', arguments: {} }, { onprogress: (p) => mixed.push({ progress: p.progress, message: p.message }) });
  assert.deepEqual(mixed.at(-1), { progress: 2, message: 'halfway there' }, "the tool's own progress carries the latest line");
  await client.close();
});
