// A quiet 2025 session hibernates: after `hibernateMs` with nothing in flight its transport and
// SDK server are released (sessions.ts), its record and stream log stay, and its next request
// builds it again. Nothing is lost: an answer that waited in the log for a client that was away
// is replayed after the session woke, and the session serves on with the same id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceServer } from '../../../src/server/sluiceServer.js';
import type { EventLogStore } from '../../../src/stores/eventLog.js';
import { memoryEventLogs } from '../../../src/stores/memory/memoryEventLog.js';
import { memoryStores } from '../../../src/stores/stores.js';
import { createHttpHandler } from '../../../src/transports/http/handler.js';
import { INITIALIZE, messagesOf } from '../../helpers/servers.js';

const URL = 'http://127.0.0.1:3001/mcp';

function request(init: { method?: string; body?: unknown; headers?: Record<string, string> }): Request {
  const method = init.method ?? 'POST';
  const headers = { host: '127.0.0.1:3001', accept: 'application/json, text/event-stream', ...(method === 'POST' && { 'content-type': 'application/json' }), ...init.headers };
  return new Request(URL, { method, headers, ...(init.body !== undefined && { body: JSON.stringify(init.body) }) });
}

/** Waits for a condition the registry's sweep makes true (it runs every 10 ms here). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('a quiet session hibernates; a resumption and its next request find it whole', async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const sluice = new SluiceServer({ name: 's', version: '0' }).tool({
    name: 'away',
    description: 'ends its stream, then answers while nobody reads',
    handler: async (_args, ctx) => {
      ctx.mcp.http?.closeSSE?.();
      await released;
      return 'kept while the session slept';
    },
  });
  const h = createHttpHandler(sluice, { sessions: { hibernateMs: 1 } });
  const opened = await h.fetch(request({ body: INITIALIZE }));
  await opened.text();
  const headers = { 'mcp-session-id': opened.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  assert.equal((await h.fetch(request({ body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers }))).status, 202);

  const call = await h.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'away', arguments: {} } }, headers }));
  const lastEventId = [...(await call.text()).matchAll(/^id: (\S+)/gm)].at(-1)![1]!;
  assert.equal(h.sessions.hibernating, 0, 'a call in flight keeps the session awake');
  release(); // answered with nobody reading: the answer waits in the log
  await until(() => h.sessions.hibernating === 1, 'the session hibernates');
  assert.equal(h.sessions.size, 1, 'a hibernating session is still open');
  assert.equal(h.sessions.get(headers['mcp-session-id']), undefined, 'its live objects are released');

  const resumed = await h.fetch(request({ method: 'GET', headers: { ...headers, accept: 'text/event-stream', 'last-event-id': lastEventId } }));
  assert.equal(resumed.status, 200);
  const [result] = await messagesOf(resumed);
  assert.deepEqual((result!.result as { content: unknown }).content, [{ type: 'text', text: 'kept while the session slept' }]);
  assert.equal(h.sessions.hibernating, 0, 'woken by its request');

  const list = await h.fetch(request({ body: { jsonrpc: '2.0', id: 2, method: 'tools/list' }, headers }));
  const [tools] = await messagesOf(list);
  assert.deepEqual((tools!.result as { tools: Array<{ name: string }> }).tools.map((t) => t.name), ['away']);
  await h.close();
  assert.equal(h.sessions.size, 0);
});

test('a hibernating session ended by DELETE has its stream log cleared, not kept for a wake-up that never comes', async () => {
  const cleared: string[] = [];
  const logs = memoryEventLogs();
  const watched = new Set<unknown>();
  const eventLogs: EventLogStore = {
    open: (scope, options) => {
      const log = logs.open(scope, options);
      if (watched.has(log)) return log; // the same log again: the session woke
      watched.add(log);
      const clear = log.clear.bind(log);
      log.clear = async () => {
        cleared.push(scope);
        await clear();
      };
      return log;
    },
  };
  const h = createHttpHandler(new SluiceServer({ name: 's', version: '0' }), { sessions: { hibernateMs: 1 }, stores: { ...memoryStores(), eventLogs } });
  const opened = await h.fetch(request({ body: INITIALIZE }));
  await opened.text();
  const id = opened.headers.get('mcp-session-id')!;
  await until(() => h.sessions.hibernating === 1, 'the session hibernates');
  assert.deepEqual(cleared, [], 'hibernating keeps the log');
  const ended = await h.fetch(request({ method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' } }));
  assert.equal(ended.status, 200);
  assert.deepEqual(cleared, [id]);
  assert.equal(h.sessions.size, 0);
  await h.close();
});
