// A 2025 client dropping its POST stream does not cancel the call by default
// (the spec: a disconnect SHOULD NOT be read as cancellation; the client may
// resume). With `cancelOnDisconnect` it does. A 2026 client closing its
// stream always cancels (tested in scriptTools.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { INITIALIZE, post, untilCancelledTool } from '../helpers/servers.js';

async function run(cancelOnDisconnect: boolean): Promise<{ aborted: () => boolean; stop: () => Promise<void> }> {
  let aborted = false;
  const sluice = new SluiceServer({ name: 'd', version: '0' }).tool(untilCancelledTool('wait', () => (aborted = true)));
  const server = await serveHttp(sluice, { port: 0, cancelOnDisconnect });
  const init = await post(server.url, INITIALIZE);
  const session = init.headers.get('mcp-session-id')!;
  await init.body?.cancel();
  const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
  await (await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
  const call = await post(server.url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'wait', arguments: {}, _meta: { progressToken: 5 } } }, headers);
  const reader = call.body!.getReader();
  const decoder = new TextDecoder();
  let seen = '';
  while (!seen.includes('notifications/progress')) seen += decoder.decode((await reader.read()).value);
  await reader.cancel(); // the client goes away mid-call
  return {
    aborted: () => aborted,
    stop: async () => {
      await post(server.url, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 5 } }, headers).then((r) => r.text());
      await server.close();
    },
  };
}

test('by default a dropped 2025 POST stream does not cancel the call', async () => {
  const r = await run(false);
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(r.aborted(), false);
  await r.stop();
});

test('with cancelOnDisconnect it does', async () => {
  const r = await run(true);
  await waitFor(r.aborted, 5000, 'the call to be cancelled');
  await r.stop();
});
