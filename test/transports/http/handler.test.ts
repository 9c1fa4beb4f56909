// The HTTP handler in process (`handler.fetch(new Request(...))`, no socket): every status code
// and JSON-RPC error of the README's error table that the handler answers. The three the Node
// adapter answers before the handler sees a request (408 body timeout, 503 body budget, and
// 413 from Content-Length) are tested over real sockets in test/integration/httpHardening.test.ts;
// the handler's own 413 (a body read past the limit) is here.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildServer } from '../../../src/runner/buildServer.js';
import { parseConfig } from '../../../src/runner/config.js';
import { SluiceServer } from '../../../src/server/sluiceServer.js';
import { memoryEventLogs } from '../../../src/stores/memory/memoryEventLog.js';
import { MemorySessionStore } from '../../../src/stores/memory/memorySessionStore.js';
import { memoryStores, type Stores } from '../../../src/stores/stores.js';
import { createHttpHandler, type HttpHandler } from '../../../src/transports/http/handler.js';
import { INITIALIZE, messagesOf, tempDir } from '../../helpers/servers.js';

const URL = 'http://127.0.0.1:3001/mcp';
const HOST = '127.0.0.1:3001';
const V = '2025-11-25';
const tmp = tempDir();
let handler: HttpHandler;

function request(init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Request {
  const method = init.method ?? 'POST';
  const headers: Record<string, string> = { host: HOST, accept: 'application/json, text/event-stream', ...(method === 'POST' && { 'content-type': 'application/json' }), ...init.headers };
  const body = init.raw ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
  return new Request(URL, { method, headers, ...(body !== undefined && { body }) });
}

async function error(response: Response): Promise<{ code: number; message: string; id: unknown; data?: unknown }> {
  const body = (await response.json()) as { error: { code: number; message: string; data?: unknown }; id: unknown };
  return { ...body.error, id: body.id };
}

async function openSession(h: HttpHandler = handler): Promise<Record<string, string>> {
  const response = await h.fetch(request({ body: INITIALIZE }));
  assert.equal(response.status, 200);
  await response.text();
  const headers = { 'mcp-session-id': response.headers.get('mcp-session-id')!, 'mcp-protocol-version': V };
  assert.equal((await h.fetch(request({ body: { jsonrpc: '2.0', method: 'notifications/initialized' }, headers }))).status, 202);
  return headers;
}

before(() => {
  mkdirSync(join(tmp.dir, 'share'));
  writeFileSync(join(tmp.dir, 'share', 'data.bin'), 'x'.repeat(4096));
  const config = parseConfig(
    `tools:\n  - { name: wait, description: waits, command: sleep, args: ["5"] }\nresources:\n  - { name: share, uri: "files://{path}", directory: ./share }\n`,
    join(tmp.dir, 'sluice.yaml'),
  );
  handler = createHttpHandler(buildServer(config), { maxRequestBodyBytes: 64 * 1024 });
});
after(async () => {
  await handler.close();
  tmp.remove();
});

describe('400', () => {
  test('-32700: the body is not JSON', async () => {
    const response = await handler.fetch(request({ raw: '{"jsonrpc":' }));
    assert.equal(response.status, 400);
    assert.equal((await error(response)).code, -32700);
  });
  test('-32600: not a JSON-RPC message, and batches where batching is gone', async () => {
    const headers = await openSession();
    const invalid = await handler.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 42 }, headers }));
    assert.equal(invalid.status, 400);
    assert.equal((await error(invalid)).code, -32600);
    const batch = await handler.fetch(request({ body: [{ jsonrpc: '2.0', id: 2, method: 'ping' }], headers }));
    assert.equal(batch.status, 400);
    assert.match((await error(batch)).message, /batches are not supported in protocol revision 2025-11-25/);
    const sessionless = await handler.fetch(request({ body: [INITIALIZE] }));
    assert.equal(sessionless.status, 400);
    assert.equal((await error(sessionless)).code, -32600);
  });
  test('-32000: no session header, a malformed Host, an unsupported protocol version, a malformed Last-Event-ID', async () => {
    const missing = await handler.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } }));
    assert.equal(missing.status, 400);
    assert.match((await error(missing)).message, /Mcp-Session-Id header is required/);
    const badHost = await handler.fetch(request({ body: INITIALIZE, headers: { host: 'a b' } }));
    assert.equal(badHost.status, 400);
    assert.equal((await error(badHost)).code, -32000);
    const headers = await openSession();
    const version = await handler.fetch(request({ body: { jsonrpc: '2.0', id: 3, method: 'ping' }, headers: { ...headers, 'mcp-protocol-version': '1999-01-01' } }));
    assert.equal(version.status, 400);
    assert.match((await error(version)).message, /Unsupported protocol version: 1999-01-01/);
    const resume = await handler.fetch(request({ method: 'GET', headers: { ...headers, accept: 'text/event-stream', 'last-event-id': 'nonsense' } }));
    assert.equal(resume.status, 400);
  });
});

test('403: a foreign Host or Origin', async () => {
  const host = await handler.fetch(request({ body: INITIALIZE, headers: { host: 'evil.example:3001' } }));
  assert.equal(host.status, 403);
  assert.equal((await error(host)).code, -32000);
  const origin = await handler.fetch(request({ body: INITIALIZE, headers: { origin: 'http://evil.example' } }));
  assert.equal(origin.status, 403);
});

test('404 / -32001: a session that does not exist, on POST, GET and DELETE', async () => {
  for (const method of ['POST', 'GET', 'DELETE']) {
    const response = await handler.fetch(
      request({ method, headers: { 'mcp-session-id': 'nope', accept: 'application/json, text/event-stream' }, ...(method === 'POST' && { body: { jsonrpc: '2.0', id: 9, method: 'ping' } }) }),
    );
    assert.equal(response.status, 404, method);
    assert.equal((await error(response)).code, -32001);
  }
});

test('405 with Allow, 406 without the right Accept', async () => {
  const headers = await openSession();
  const put = await handler.fetch(request({ method: 'PUT', headers, raw: '{}' }));
  assert.equal(put.status, 405);
  assert.equal(put.headers.get('allow'), 'GET, POST, DELETE');
  const post = await handler.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 'ping' }, headers: { ...headers, accept: 'application/json' } }));
  assert.equal(post.status, 406);
  const get = await handler.fetch(request({ method: 'GET', headers: { ...headers, accept: 'application/json' } }));
  assert.equal(get.status, 406);
});

test('409: a request id reused while in flight (id null, data.requestId); a second standalone GET stream', async () => {
  const headers = await openSession();
  const call = { jsonrpc: '2.0', id: 'same', method: 'tools/call', params: { name: 'wait', arguments: {} } };
  const first = await handler.fetch(request({ body: call, headers }));
  assert.equal(first.status, 200);
  const again = await handler.fetch(request({ body: call, headers }));
  assert.equal(again.status, 409);
  const refused = await error(again);
  assert.deepEqual([refused.code, refused.id, refused.data], [-32600, null, { requestId: 'same' }]);
  const cancel = await handler.fetch(request({ body: { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'same' } }, headers }));
  assert.equal(cancel.status, 202);
  await first.text(); // the cancelled request's stream ends
  const get = { method: 'GET', headers: { ...headers, accept: 'text/event-stream' } };
  const stream = await handler.fetch(request(get));
  assert.equal(stream.status, 200);
  const second = await handler.fetch(request(get));
  assert.equal(second.status, 409);
  await stream.body!.cancel();
});

test('410 / -32010: resuming after events that left the log', async () => {
  const forgetful = createHttpHandler(new SluiceServer({ name: 's', version: '0' }), { eventLog: { maxAgeMs: 50 } });
  const headers = await openSession(forgetful);
  const response = await forgetful.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 'ping' }, headers }));
  const text = await response.text();
  const primed = /^id: (\S+)/m.exec(text)![1]!;
  await new Promise((resolve) => setTimeout(resolve, 80)); // this log keeps events 50 ms
  const late = await forgetful.fetch(request({ method: 'GET', headers: { ...headers, accept: 'text/event-stream', 'last-event-id': primed } }));
  assert.equal(late.status, 410);
  const refused = await error(late);
  assert.equal(refused.code, -32010);
  assert.deepEqual(refused.data, { lastEventId: primed });
  await forgetful.close();
});

test('412 / -32011: a resumed raw stream that names a version the file no longer has', async () => {
  const headers = await openSession();
  const stream = (extra: Record<string, string>) =>
    handler.fetch(request({ body: { jsonrpc: '2.0', id: 4, method: 'resources/stream', params: { uri: 'files://data.bin' } }, headers: { ...headers, accept: 'application/json, */*', ...extra } }));
  // This session declared no resourceStreaming: -32021 first.
  const undeclared = await stream({});
  assert.equal(undeclared.status, 200);
  assert.equal((await error(undeclared)).code, -32021);
  const init = await handler.fetch(request({ body: { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { resourceStreaming: {} } } } }));
  await init.text();
  const streaming = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': V };
  const read = (extra: Record<string, string>) =>
    handler.fetch(request({ body: { jsonrpc: '2.0', id: 5, method: 'resources/stream', params: { uri: 'files://data.bin' } }, headers: { ...streaming, accept: 'application/json, */*', ...extra } }));
  const whole = await read({});
  assert.equal(whole.status, 200);
  const etag = whole.headers.get('etag')!;
  assert.equal((await whole.arrayBuffer()).byteLength, 4096);
  writeFileSync(join(tmp.dir, 'share', 'data.bin'), 'y'.repeat(5000));
  await new Promise((resolve) => setTimeout(resolve, 100)); // past the 50 ms for which one stat of an open handle stands
  const changed = await read({ range: 'bytes=100-', 'if-match': etag });
  assert.equal(changed.status, 412);
  assert.equal((await error(changed)).code, -32011);
});

test('413: a body read past the limit; 415: the wrong Content-Type', async () => {
  const big = await handler.fetch(request({ raw: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(70 * 1024) } }) }));
  assert.equal(big.status, 413);
  assert.equal((await error(big)).code, -32000);
  const text = await handler.fetch(request({ raw: '{}', headers: { 'content-type': 'text/plain' } }));
  assert.equal(text.status, 415);
  assert.equal((await error(text)).code, -32000);
});

test('200 with an error: -32601 unknown method, -32602 unknown tool', async () => {
  const headers = await openSession();
  const [unknownMethod] = await messagesOf(await handler.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 'nope/nothing' }, headers })));
  assert.equal((unknownMethod!.error as { code: number }).code, -32601);
  const [unknownTool] = await messagesOf(await handler.fetch(request({ body: { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'nope' } }, headers })));
  assert.equal((unknownTool!.error as { code: number }).code, -32602);
});

test('503 / -32002: every session busy (Retry-After), and shutting down', async () => {
  const small = createHttpHandler(new SluiceServer({ name: 's', version: '0' }), { sessions: { max: 1 } });
  const headers = await openSession(small);
  const busy = await small.fetch(request({ method: 'GET', headers: { ...headers, accept: 'text/event-stream' } })); // an open stream keeps it busy
  const refused = await small.fetch(request({ body: INITIALIZE }));
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '5');
  assert.equal((await error(refused)).code, -32002);
  await busy.body!.cancel();
  await small.close();
  const closed = await small.fetch(request({ body: INITIALIZE }));
  assert.equal(closed.status, 503);
  assert.equal((await error(closed)).code, -32002);
});

test("a handler written for the SDK polls with ctx.mcp.http.closeSSE: the stream ends, the resumption carries the result", async () => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const sluice = new SluiceServer({ name: 's', version: '0' }).tool({
    name: 'poll',
    description: 'closes its stream, then answers',
    handler: async (_args, ctx) => {
      ctx.mcp.http?.closeSSE?.();
      await released;
      return 'after the reconnect';
    },
  });
  const h = createHttpHandler(sluice);
  const headers = await openSession(h);
  const call = await h.fetch(request({ body: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'poll', arguments: {} } }, headers }));
  const text = await call.text(); // ends: closed by the handler, before any result
  assert.doesNotMatch(text, /after the reconnect/);
  const lastEventId = [...text.matchAll(/^id: (\S+)/gm)].at(-1)![1]!;
  const resumed = await h.fetch(request({ method: 'GET', headers: { ...headers, accept: 'text/event-stream', 'last-event-id': lastEventId } }));
  release();
  const [result] = await messagesOf(resumed);
  assert.deepEqual((result!.result as { content: unknown }).content, [{ type: 'text', text: 'after the reconnect' }]);
  await h.close();
});

test('more open streams than maxStreams: none is cut, every call answers on its own stream', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sluice = new SluiceServer({ name: 's', version: '0' }).tool({ name: 'wait', description: 'waits for the gate', handler: async () => (await gate, 'through') });
  const h = createHttpHandler(sluice, { eventLog: { maxStreams: 2 } });
  const headers = await openSession(h);
  const calls = await Promise.all([1, 2, 3, 4].map((id) => h.fetch(request({ body: { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'wait', arguments: {} } }, headers }))));
  release();
  for (const call of calls) {
    const [result] = await messagesOf(call);
    assert.deepEqual((result!.result as { content: unknown }).content, [{ type: 'text', text: 'through' }]);
  }
  await h.close();
});

test('200 with an error: -32003 a resource that is not streamed, -32004 larger than maxStreamSize, -32603 a source that fails midway', async () => {
  const sluice = new SluiceServer({ name: 's', version: '0' }).resource({ uri: 'mem://small', name: 'small', read: (uri) => ({ contents: [{ uri, text: 'whole' }] }) }).resource({
    uri: 'mem://failing',
    name: 'failing',
    streamed: true,
    read: () => ({
      stream: (async function* () {
        yield 'abcdefgh';
        throw new Error('upstream closed');
      })(),
    }),
  });
  const open = async (h: HttpHandler) => {
    const init = await h.fetch(request({ body: { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { resourceStreaming: { maxStreamSize: 1000 } } } } }));
    await init.text();
    return { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': V };
  };
  const stream = async (h: HttpHandler, uri: string) =>
    h.fetch(request({ body: { jsonrpc: '2.0', id: 6, method: 'resources/stream', params: { uri } }, headers: { ...(await open(h)), accept: 'application/json, */*' } }));
  const h = createHttpHandler(sluice);
  assert.equal((await error(await stream(h, 'mem://small'))).code, -32003);
  assert.equal((await error(await stream(handler, 'files://data.bin'))).code, -32004, 'a file of 4 KiB or more against maxStreamSize 1000');
  const [failed] = await messagesOf(await h.fetch(request({ body: { jsonrpc: '2.0', id: 7, method: 'resources/read', params: { uri: 'mem://failing' } }, headers: await open(h) })));
  assert.equal((failed!.error as { code: number }).code, -32603);
  assert.match((failed!.error as { message: string }).message, /failed at byte 8: upstream closed/);
  await h.close();
});

test('the stores are injected: sessions go to the given session store, streams to the given event logs', async () => {
  const opened: string[] = [];
  const logs = memoryEventLogs();
  const sessionStore = new MemorySessionStore();
  const stores: Stores = { ...memoryStores(), sessions: sessionStore, eventLogs: { open: (scope, options) => (opened.push(scope), logs.open(scope, options)) } };
  const h = createHttpHandler(new SluiceServer({ name: 's', version: '0' }), { stores });
  const headers = await openSession(h);
  const id = headers['mcp-session-id']!;
  assert.deepEqual(opened, [id], 'the session log comes from the injected store');
  const record = await sessionStore.get(id);
  assert.equal(record?.protocolVersion, V);
  assert.deepEqual(record?.initialize, INITIALIZE.params, 'initialize parameters as sent');
  assert.equal((await h.fetch(request({ method: 'DELETE', headers }))).status, 200);
  assert.equal(await sessionStore.get(id), undefined, 'DELETE removes the record');
  await h.close();
});

test('an initialize refused for its Accept header does not evict an idle session to make room', async () => {
  const h = createHttpHandler(new SluiceServer({ name: 's', version: '0' }), { sessions: { max: 1 } });
  const headers = await openSession(h);
  const refused = await h.fetch(request({ body: INITIALIZE, headers: { accept: 'application/json' } }));
  assert.equal(refused.status, 406);
  const still = await h.fetch(request({ body: { jsonrpc: '2.0', id: 2, method: 'ping' }, headers }));
  assert.equal(still.status, 200, 'the idle session is still there');
  await still.text();
  await h.close();
});

test('two POSTs racing with one request id: one is served, the other refused with 409', async () => {
  const sluice = new SluiceServer({ name: 's', version: '0' }).tool({ name: 'quick', description: 'q', handler: async () => 'ok' });
  const h = createHttpHandler(sluice);
  const headers = await openSession(h);
  const call = { jsonrpc: '2.0', id: 'twin', method: 'tools/call', params: { name: 'quick', arguments: {} } };
  const answers = await Promise.all([h.fetch(request({ body: call, headers })), h.fetch(request({ body: call, headers }))]);
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409]);
  await Promise.all(answers.map((a) => a.text()));
  await h.close();
});
