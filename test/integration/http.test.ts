// The HTTP endpoint over real sockets: one /mcp for both eras, sessions with
// 404 after DELETE, Host/Origin/size/JSON rejections with the right status and
// JSON-RPC code, precise -32602 errors, and a server that keeps serving
// everyone else after each of them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ProtocolError } from '@modelcontextprotocol/client';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { INITIALIZE, messagesOf, modernToolCall, post, startExample, v2Client } from '../helpers/servers.js';

let server: RunningHttpServer;
before(async () => {
  server = await startExample();
});
after(() => server.close());

async function openSession(): Promise<string> {
  const response = await post(server.url, INITIALIZE);
  assert.equal(response.status, 200);
  const id = response.headers.get('mcp-session-id');
  assert.ok(id, 'initialize must return Mcp-Session-Id');
  await response.body?.cancel();
  const ack = await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
  assert.equal(ack.status, 202);
  return id;
}

describe('both eras on one endpoint', () => {
  test('a 2025 client gets a session; a 2026 client is served statelessly', async () => {
    const before = server.handler.sessions.size;
    const legacy = await v2Client(server.url, 'legacy');
    assert.equal(server.handler.sessions.size, before + 1);
    const modern = await v2Client(server.url, 'modern');
    assert.equal(server.handler.sessions.size, before + 1, 'the 2026 client must not create a session');
    for (const client of [legacy, modern]) {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'count'));
      const progress: number[] = [];
      const result = await client.callTool({ name: 'count', arguments: { n: 3 } }, { onprogress: (p) => progress.push(p.progress) });
      assert.deepEqual(result.content, [{ type: 'text', text: 'counted to 3' }]);
      assert.equal(progress.at(-1), 3, 'the last progress value is always delivered');
    }
    await legacy.close();
    await modern.close();
  });
});

describe('sessions', () => {
  test('initialize opens a session, GET opens its stream, DELETE ends it, then 404', async () => {
    const id = await openSession();
    const controller = new AbortController();
    const stream = await fetch(server.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' }, signal: controller.signal });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /text\/event-stream/);
    controller.abort();

    const ended = await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' } });
    assert.equal(ended.status, 200);
    const after = await post(server.url, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
    assert.equal(after.status, 404);
    const body = (await after.json()) as { error: { code: number; message: string }; id: number };
    assert.equal(body.error.code, -32001);
    assert.equal(body.id, 7);
    assert.match(body.error.message, /Session not found/);
  });

  test('an unknown session gets 404, GET and DELETE included', async () => {
    for (const method of ['GET', 'DELETE']) {
      const r = await fetch(server.url, { method, headers: { 'mcp-session-id': 'no-such-session', accept: 'text/event-stream' } });
      assert.equal(r.status, 404, method);
    }
  });

  test('a request without a session that is not initialize gets 400', async () => {
    const r = await post(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/list' });
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: { message: string } }).error.message, /Mcp-Session-Id header is required/);
  });

  test('POST streams of a 2025-11-25 session start with a priming event carrying retry', async () => {
    const id = await openSession();
    // The header claims an older version; the session negotiated 2025-11-25, which decides.
    const r = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { 'mcp-session-id': id, 'mcp-protocol-version': '2025-03-26' });
    const text = await r.text();
    const firstEvent = text.split('\n\n')[0]!;
    assert.match(firstEvent, /^id: \S+\nretry: \d+\ndata: $/m);
  });
});

describe('bad input gets a precise error and loses nothing', () => {
  test('malformed JSON: 400 and -32700', async () => {
    const r = await post(server.url, '{"jsonrpc": "2.0", "id": 1, ');
    assert.equal(r.status, 400);
    assert.equal(((await r.json()) as { error: { code: number } }).error.code, -32700);
  });

  test('body over the limit: 413', async () => {
    const r = await post(server.url, JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'x', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }));
    assert.equal(r.status, 413);
  });

  test('wrong content type: 415', async () => {
    const r = await post(server.url, JSON.stringify(INITIALIZE), { 'content-type': 'text/plain' });
    assert.equal(r.status, 415);
  });

  test('foreign Origin and foreign Host: 403', async () => {
    const origin = await post(server.url, INITIALIZE, { origin: 'http://evil.example.com' });
    assert.equal(origin.status, 403);
    const port = new URL(server.url).port;
    const local = await post(server.url, INITIALIZE, { origin: `http://localhost:${port}` });
    assert.equal(local.status, 200);
    await local.body?.cancel();
    // fetch will not let us forge Host; node:http will.
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(server.url, { method: 'POST', headers: { host: 'evil.example.com', 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(INITIALIZE));
    });
    assert.equal(status, 403);
  });

  for (const era of ['legacy', 'modern'] as const) {
    test(`${era}: unknown tool, bad arguments, unknown resource and unsafe paths get -32602 naming the problem`, async () => {
      const client = await v2Client(server.url, era);
      const expectInvalid = async (promise: Promise<unknown>, pattern: RegExp) => {
        await assert.rejects(promise, (error: unknown) => {
          assert.ok(error instanceof ProtocolError, String(error));
          assert.equal(error.code, -32602);
          assert.match(error.message, pattern);
          return true;
        });
      };
      await expectInvalid(client.callTool({ name: 'nope', arguments: {} }), /Unknown tool "nope"/);
      await expectInvalid(client.callTool({ name: 'count', arguments: { n: 0 } }), /Invalid arguments for tool "count": n must be >= 1/);
      await expectInvalid(client.callTool({ name: 'count', arguments: { n: 'ten' } }), /n must be integer/);
      await expectInvalid(client.callTool({ name: 'count', arguments: {} }), /must have required property 'n'/);
      await expectInvalid(client.readResource({ uri: 'logs://missing.log' }), /not found/i);
      await expectInvalid(client.readResource({ uri: 'nothing://here' }), /not found/i);
      for (const uri of ['logs://../sluice.yaml', 'logs://%2e%2e/sluice.yaml', 'logs://archive/..%2F..%2Fsluice.yaml', 'logs://%2Fetc%2Fpasswd']) {
        await expectInvalid(client.readResource({ uri }), /not allowed/);
      }
      // ... and the server keeps serving.
      const ok = await client.callTool({ name: 'echo', arguments: { text: 'still here' } });
      assert.deepEqual(ok.content, [{ type: 'text', text: 'still here' }]);
      await client.close();
    });
  }
});

describe('health and metrics', () => {
  test('/healthz answers JSON and /metrics tells the truth about sessions', async () => {
    const base = server.url.replace(/\/mcp$/, '');
    const health = (await (await fetch(`${base}/healthz`)).json()) as { status: string; sessions: number };
    assert.equal(health.status, 'ok');
    const id = await openSession();
    const metric = async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/^sluice_sessions_active (\d+)$/m.exec(text)?.[1]);
    };
    const withSession = await metric();
    assert.equal(withSession, server.handler.sessions.size);
    await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' } });
    assert.equal(await metric(), withSession - 1);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^sluice_requests_inflight \d+$/m);
    assert.match(text, /^sluice_requests_total\{method="initialize",outcome="ok",era="legacy"\} \d+$/m);
    assert.match(text, /^sluice_requests_total\{method="invalid",outcome="client_error",era="none"\} \d+$/m);
  });

  test('other paths get 404', async () => {
    const r = await fetch(server.url.replace(/\/mcp$/, '/nope'));
    assert.equal(r.status, 404);
  });
});

describe('raw 2026-07-28 requests', () => {
  test('a tools/call with the envelope is answered without a session', async () => {
    const r = await modernToolCall(server.url, 'echo', { args: { text: 'modern' }, id: 3 });

    assert.equal(r.status, 200);
    assert.equal(r.headers.get('mcp-session-id'), null);
    const [message] = await messagesOf(r);
    assert.deepEqual((message as { result: { content: unknown } }).result.content, [{ type: 'text', text: 'modern' }]);
  });
});
