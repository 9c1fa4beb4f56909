// 1,000 cancelled calls leave nothing behind: no tool call running, no
// response held open on the server, no socket or handle piling up in the
// client. Before the fix a 2025 POST stream stayed open forever after
// `notifications/cancelled` (the server sends nothing more for a cancelled
// request), one per cancelled call: exactly the SDK v1 socket leak.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { CancelledError } from '../../src/errors.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { v2Client } from '../helpers/servers.js';

const CALLS = 1000;
let sluice: SluiceServer;
let server: RunningHttpServer;

before(async () => {
  sluice = new SluiceServer({ name: 'cancel', version: '0' }).tool({
    name: 'wait',
    description: 'runs until cancelled',
    handler: (_args, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.progress(1);
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      }),
  });
  server = await serveHttp(sluice, { port: 0 });
});
after(() => server.close());

/** Responses the server is still answering or streaming. */
async function openResponses(): Promise<number> {
  const text = await (await fetch(server.url.replace(/\/mcp$/, '/metrics'))).text();
  return Number(/^sluice_requests_inflight (\d+)$/m.exec(text)![1]);
}

/** Waits until `value()` is at most `limit`; fails with the last value seen. */
async function settlesTo(value: () => Promise<number>, limit: number, what: string): Promise<void> {
  let last = Number.NaN;
  try {
    await waitFor(async () => (last = await value()) <= limit, 15_000, what);
  } catch {
    assert.fail(`${what}: ${last} (at most ${limit} expected)`);
  }
}

for (const era of ['legacy', 'modern'] as const) {
  test(`${CALLS} cancelled calls leave nothing open (${era}, sluice client)`, async () => {
    const client = await connect(server.url, { era });
    const handlesBefore = process.getActiveResourcesInfo().length;
    for (let i = 0; i < CALLS; i++) {
      const controller = new AbortController();
      const call = client.callTool('wait', {}, { signal: controller.signal, onProgress: () => controller.abort('stop') });
      await assert.rejects(call, CancelledError);
    }
    await waitFor(() => sluice.inflight === 0, 10_000, 'no tool call running');
    // A 2025 session keeps its standalone GET stream open; nothing else may stay open.
    await settlesTo(openResponses, era === 'legacy' ? 1 : 0, 'responses open on the server');
    // The SDK client schedules one resume per closed stream (its retry timer); they must all settle.
    await settlesTo(async () => process.getActiveResourcesInfo().length - handlesBefore, 20, 'extra handles in the client');
    await client.close();
  });
}

test(`${CALLS / 4} cancelled calls from the stock SDK v2 client (2025) leave no response open`, async () => {
  const client = await v2Client(server.url, 'legacy');
  for (let i = 0; i < CALLS / 4; i++) {
    const controller = new AbortController();
    await client
      .callTool({ name: 'wait', arguments: {} }, { signal: controller.signal, onprogress: () => controller.abort('stop') })
      .then(() => assert.fail('the call must not succeed'), () => {});
  }
  await waitFor(() => sluice.inflight === 0, 10_000, 'no tool call running');
  await settlesTo(openResponses, 1, 'responses open on the server');
  await client.close();
});
