// `sessions: { ttl, max }` from the config reaches the HTTP transport: an idle
// session is ended after its TTL (404 afterwards, and /metrics says so), and
// the max evicts the longest-idle session. Real time, generous bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../helpers/processes.js';
import { INITIALIZE, post, startConfig, tempDir } from '../helpers/servers.js';

async function open(url: string): Promise<string> {
  const r = await post(url, INITIALIZE);
  await r.body?.cancel();
  return r.headers.get('mcp-session-id')!;
}

const ping = (url: string, id: string) => post(url, { jsonrpc: '2.0', id: 2, method: 'ping' }, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });

test('idle sessions end after the configured TTL', async () => {
  const tmp = tempDir();
  const server = await startConfig('sessions: { ttl: 400ms, max: 100 }\n', tmp.dir);
  const id = await open(server.url);
  assert.equal((await ping(server.url, id)).status, 200);
  // Watch from the side: any request on the session would keep it alive.
  await waitFor(() => server.handler.sessions.size === 0, 10_000, 'the session to expire');
  assert.equal((await ping(server.url, id)).status, 404);
  const metrics = await (await fetch(server.url.replace(/\/mcp$/, '/metrics'))).text();
  assert.match(metrics, /^sluice_sessions_active 0$/m);
  await server.close();
  tmp.remove();
});

test('the configured max evicts the longest-idle session', async () => {
  const tmp = tempDir();
  const server = await startConfig('sessions: { ttl: 10m, max: 2 }\n', tmp.dir);
  const first = await open(server.url);
  const second = await open(server.url);
  await ping(server.url, first); // second is now the longest idle
  const third = await open(server.url);
  assert.equal((await ping(server.url, second)).status, 404);
  assert.equal((await ping(server.url, first)).status, 200);
  assert.equal((await ping(server.url, third)).status, 200);
  assert.equal(server.handler.sessions.size, 2);
  await server.close();
  tmp.remove();
});
