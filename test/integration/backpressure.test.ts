// A client that opted into partial results and then stops reading must not
// grow server memory: partial results wait for room on the response stream,
// a script's stdout is paused, the script blocks on its pipe. Without the
// meter the SDK queues every SSE frame in memory (measured +94 MB for one
// stalled client) and the script runs to its end.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { scriptTool } from '../../src/runner/scriptTool.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { modernToolCall, ROOT } from '../helpers/servers.js';

const CHUNK = 'y'.repeat(64 * 1024);
const CHUNKS = 2000; // 128 MiB if nothing held the tool back
let emitted = 0;
let sluice: SluiceServer;
let server: RunningHttpServer;

before(async () => {
  sluice = new SluiceServer({ name: 'bp', version: '0' })
    .tool({
      name: 'flood',
      description: 'emits 64 KiB partial results as fast as it may',
      handler: async (_args, ctx) => {
        for (let i = 0; i < CHUNKS && !ctx.signal.aborted; i++) {
          await ctx.partial(CHUNK);
          emitted++;
        }
        return 'done';
      },
    })
    .tool(
      scriptTool({
        name: 'script_flood',
        description: 'a script printing 500 MiB',
        command: process.execPath,
        args: [join(ROOT, 'test/fixtures/scripts/flood.mjs'), '8000'],
        parameters: {},
        required: [],
        timeoutMs: undefined,
        progressPerSecond: undefined,
        backpressure: undefined,
      closeStreamAfterMs: undefined,
        cwd: ROOT,
        env: {},
      }),
    );
  server = await serveHttp(sluice, { port: 0 });
});
after(() => server.close());

function stalledCall(tool: string): Promise<Response> {
  return modernToolCall(server.url, tool, { meta: { partialResultToken: 'p' }, capabilities: { partialResults: {} } });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a stalled client holds back partial results; memory stays bounded', async () => {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const response = await stalledCall('flood'); // headers arrive; the body is never read
  await settle(2000);
  const held = emitted;
  assert.ok(held < CHUNKS / 4, `the tool ran on: ${held} of ${CHUNKS} chunks written`);
  await settle(500);
  assert.ok(emitted - held < 5, 'and it stays held back');
  const growth = process.memoryUsage().rss - rssBefore;
  assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(0)} MiB`);
  await response.body!.cancel(); // the client leaves: the call is cancelled
  await waitFor(() => sluice.inflight === 0, 5000, 'the call to end');
});

test('a script printing 500 MiB to a stalled client is held back, not run to its end', async () => {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const response = await stalledCall('script_flood');
  await settle(3000);
  assert.equal(sluice.inflight, 1, 'the script is still blocked on its pipe');
  const growth = process.memoryUsage().rss - rssBefore;
  assert.ok(growth < 64 * 1024 * 1024, `RSS grew by ${(growth / 1048576).toFixed(0)} MiB`);
  await response.body!.cancel();
  await waitFor(() => sluice.inflight === 0, 10_000, 'the script to be stopped');
});

test('a client stalled past the stall timeout is disconnected and its call cancelled', async () => {
  let cancelledWith = '';
  const stalling = new SluiceServer({ name: 'stall', version: '0', slowConsumer: { stallTimeoutMs: 500 } }).tool({
    name: 'flood',
    description: 'floods',
    handler: async (_args, ctx) => {
      ctx.signal.addEventListener('abort', () => (cancelledWith = String((ctx.signal.reason as Error).message)));
      for (let i = 0; i < CHUNKS && !ctx.signal.aborted; i++) await ctx.partial(CHUNK);
      return 'done';
    },
  });
  const running = await serveHttp(stalling, { port: 0 });
  const response = await modernToolCall(running.url, 'flood', { meta: { partialResultToken: 'p' }, capabilities: { partialResults: {} } });
  await waitFor(() => stalling.inflight === 0, 10_000, 'the stalled call to be cancelled');
  assert.match(cancelledWith, /took nothing for 500ms: disconnected/);
  // The connection was dropped: reading the rest fails instead of hanging.
  await assert.rejects(response.text());
  await running.close();
});
