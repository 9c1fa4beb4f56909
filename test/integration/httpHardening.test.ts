// Hostile input and unlucky operators on the HTTP endpoint, over real sockets.
// Guards against: client-chosen strings becoming /metrics label values (memory
// and scrape size without bound); /healthz and /metrics answering a foreign
// Host or Origin; loopback binds spelled another way switching Host checks
// off; a malformed Host answered 500; request bodies parked for minutes
// (slowly, endlessly, or many at once); a standalone GET stream that sends no
// headers until its first event; a silent call's dropped stream refused with
// 409 on resumption.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect as netConnect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { INITIALIZE, messagesOf, post, startConfig, startExample, tempDir, tickerConfig } from '../helpers/servers.js';

const V = { 'mcp-protocol-version': '2025-11-25' };

/** A raw request with any Host and headers (fetch refuses to forge Host). */
function rawRequest(url: string, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, path: options.path ?? target.pathname, method: options.method ?? 'GET', headers: options.headers ?? {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

async function openSession(url: string): Promise<string> {
  const response = await post(url, INITIALIZE);
  const id = response.headers.get('mcp-session-id')!;
  await response.body?.cancel();
  const ack = await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, { 'mcp-session-id': id, ...V });
  assert.equal(ack.status, 202);
  return id;
}

describe('a loopback server', () => {
  let server: RunningHttpServer;
  before(async () => {
    server = await startExample();
  });
  after(() => server.close());

  test('/metrics labels stay a closed set whatever method strings clients send', async () => {
    for (let i = 0; i < 60; i++) {
      const r = await post(server.url, { jsonrpc: '2.0', id: i, method: `made/up/${i}-${'x'.repeat(200)}` });
      await r.body?.cancel();
    }
    const text = await (await fetch(new URL('/metrics', server.url))).text();
    assert.doesNotMatch(text, /made\/up/, 'no client-chosen method becomes a label value');
    assert.match(text, /sluice_requests_total\{method="other",outcome="client_error",era="legacy"\} 60/);
    const series = text.split('\n').filter((l) => l.startsWith('sluice_requests_total{'));
    assert.ok(series.length < 10, `a handful of series, not one per request (${series.length})`);
  });

  test('/healthz and /metrics follow the Host and Origin rules of /mcp', async () => {
    for (const path of ['/healthz', '/metrics']) {
      const foreignHost = await rawRequest(server.url, { path, headers: { host: 'evil.example.com' } });
      assert.equal(foreignHost.status, 403, `${path} with a foreign Host`);
      const foreignOrigin = await rawRequest(server.url, { path, headers: { host: `127.0.0.1:${server.port}`, origin: 'http://evil.example.com' } });
      assert.equal(foreignOrigin.status, 403, `${path} with a foreign Origin`);
      const local = await rawRequest(server.url, { path, headers: { host: `localhost:${server.port}`, origin: `http://127.0.0.1:${server.port}` } });
      assert.equal(local.status, 200, `${path} from loopback`);
    }
  });

  test('a malformed Host is a 400 on every path, and the server keeps serving', async () => {
    for (const host of ['user@127.0.0.1', '127.0.0.1/x', 'a b', '[::1']) {
      for (const path of ['/mcp', '/healthz']) {
        const r = await rawRequest(server.url, { method: path === '/mcp' ? 'POST' : 'GET', path, headers: { host, 'content-type': 'application/json' }, body: '{}' });
        assert.equal(r.status, 400, `${path} with Host ${host}`);
        assert.match(r.body, /Host/);
      }
    }
    assert.equal((await fetch(new URL('/healthz', server.url))).status, 200);
  });

  test('the standalone GET stream sends its headers at once, before any event', async () => {
    const id = await openSession(server.url);
    const controller = new AbortController();
    const started = performance.now();
    // The keepalive is 15 s: headers that waited for the first event would take that long.
    const response = await fetch(server.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': id, ...V }, signal: controller.signal });
    assert.equal(response.status, 200);
    assert.ok(performance.now() - started < 5000, `headers within seconds (${Math.round(performance.now() - started)} ms)`);
    controller.abort();
  });
});

for (const host of ['127.1', 'LOCALHOST', '::ffff:127.0.0.1']) {
  test(`bound to ${host}: still a loopback server with the strict Host rules`, async () => {
    const server = await startExample({ host });
    try {
      assert.equal(server.loopbackOnly, true);
      const foreign = await rawRequest(server.url, { path: '/healthz', headers: { host: 'evil.example.com' } });
      assert.equal(foreign.status, 403);
      const mcp = await rawRequest(server.url, { method: 'POST', headers: { host: 'evil.example.com', 'content-type': 'application/json' }, body: JSON.stringify(INITIALIZE) });
      assert.equal(mcp.status, 403);
    } finally {
      await server.close();
    }
  });
}

describe('request bodies', () => {
  let server: RunningHttpServer;
  before(async () => {
    server = await startExample({ requestBodyTimeoutMs: 400, maxBufferedRequestBytes: 1000 });
  });
  after(() => server.close());

  /** Opens a raw socket, sends `head` and then nothing more; resolves with what the server answered and when. */
  function parkBody(head: string): Promise<{ response: string; afterMs: number }> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const socket = netConnect(server.port, '127.0.0.1', () => socket.write(head));
      let response = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => (response += chunk));
      socket.on('close', () => resolve({ response, afterMs: performance.now() - started }));
      socket.on('error', reject);
    });
  }

  const headers = (extra: string) => `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n${extra}\r\n`;

  test('a body that stops short of its Content-Length is cut with 408 after the body timeout', async () => {
    const { response, afterMs } = await parkBody(`${headers('Content-Length: 500\r\n')}{"jsonrpc":`);
    assert.match(response, /^HTTP\/1\.1 408/);
    assert.match(response, /did not arrive within 400 ms/);
    assert.ok(afterMs < 3000, `cut in time (${Math.round(afterMs)} ms)`);
  });

  test('headers that never finish arriving are cut too (Node\'s headersTimeout, set to the body timeout)', async () => {
    const { response, afterMs } = await parkBody(`POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: appl`);
    assert.match(response, /^HTTP\/1\.1 408/);
    assert.ok(afterMs < 5000, `cut in ${Math.round(afterMs)} ms, not after Node's default 60 s`);
  });

  test('a chunked body that never ends is cut with 408', async () => {
    const { response } = await parkBody(`${headers('Transfer-Encoding: chunked\r\n')}5\r\n{"jso\r\n`);
    assert.match(response, /^HTTP\/1\.1 408/);
  });

  test('bodies buffered at once share one budget: past it, 503 and the connection closed', async () => {
    const first = parkBody(`${headers('Content-Length: 2000\r\n')}${'x'.repeat(900)}`);
    // Wait until the first body's bytes are held, then a second one does not fit.
    await waitFor(async () => (await rawBudgetProbe()) === 503, 2000, 'the budget to be taken');
    const { response } = await first;
    assert.match(response, /^HTTP\/1\.1 408/, 'the parked body is still cut by the timeout');
    const r = await post(server.url, INITIALIZE);
    assert.equal(r.status, 200, 'the budget is given back');
    await r.body?.cancel();
  });

  async function rawBudgetProbe(): Promise<number> {
    const { response } = await parkBody(`${headers('Content-Length: 200\r\n')}${'y'.repeat(200)}`);
    return Number(/^HTTP\/1\.1 (\d+)/.exec(response)?.[1] ?? 0);
  }
});

test('a silent 2025 call whose stream dropped is resumed at once, not refused as already connected', async () => {
  const tmp = tempDir();
  const server: RunningHttpServer & { sluice: SluiceServer } = await startConfig(tickerConfig(), tmp.dir);
  try {
    const id = await openSession(server.url);
    const controller = new AbortController();
    // One line after 1.5 s of silence: nothing but the priming event goes out before the drop.
    const call = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-session-id': id, ...V },
      body: JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'ticker', arguments: { count: 2, delay: 1500 } } }),
      signal: controller.signal,
    });
    const reader = call.body!.getReader();
    let seen = '';
    while (!/id: (\S+)\n/.test(seen)) seen += new TextDecoder().decode((await reader.read()).value);
    const lastEventId = /id: (\S+)\n/.exec(seen)![1]!;
    controller.abort();
    await waitFor(async () => /sluice_requests_inflight 0/.test(await (await fetch(new URL('/metrics', server.url))).text()), 5000, 'the dropped stream to close');

    const resumed = await fetch(server.url, { headers: { accept: 'text/event-stream', 'mcp-session-id': id, 'last-event-id': lastEventId, ...V } });
    assert.equal(resumed.status, 200, 'no 409 against a connection that is gone');
    const messages = await messagesOf(resumed);
    const result = messages.find((m) => m.id === 5) as { result?: { content: Array<{ text: string }> } } | undefined;
    assert.equal(result?.result?.content[0]?.text.trim(), 'line 1\nline 2');
  } finally {
    await server.close();
    tmp.remove();
  }
});

describe('request ids and batches in a 2025 session', () => {
  const tmp = tempDir();
  let server: RunningHttpServer & { sluice: SluiceServer };
  before(async () => {
    server = await startConfig(tickerConfig(), tmp.dir);
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });
  const call = (id: number, session: string, extra: Record<string, string> = {}) =>
    post(server.url, { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'ticker', arguments: { count: 2, delay: 300 } } }, { 'mcp-session-id': session, ...V, ...extra });

  test('an id reused while its request is in flight gets 409 / -32600; the first request is unharmed', async () => {
    const session = await openSession(server.url);
    const first = call(5, session);
    const firstResponse = await first;
    const again = await call(5, session);
    assert.equal(again.status, 409);
    const error = (await again.json()) as { id: unknown; error: { code: number; message: string; data: unknown } };
    assert.equal(error.error.code, -32600);
    assert.match(error.error.message, /request id 5 is already in flight/);
    assert.equal(error.id, null);
    const messages = await messagesOf(firstResponse);
    const result = messages.find((m) => m.id === 5) as { result: { content: Array<{ text: string }> } };
    assert.equal(result.result.content[0]!.text.trim(), 'line 1\nline 2');
    const reuse = await call(5, session);
    assert.equal(reuse.status, 200, 'once answered, the id may be used again');
    await reuse.body?.cancel();
  });

  test('batch arrays get -32600 on revisions without batching, and without a session', async () => {
    const session = await openSession(server.url);
    const batch = [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    ];
    const inSession = await post(server.url, batch, { 'mcp-session-id': session, ...V });
    assert.equal(inSession.status, 400);
    const body = (await inSession.json()) as { error: { code: number; message: string } };
    assert.equal(body.error.code, -32600);
    assert.match(body.error.message, /batches are not supported in protocol revision 2025-11-25/);
    const noSession = await post(server.url, batch);
    assert.equal(noSession.status, 400);
    assert.equal(((await noSession.json()) as { error: { code: number } }).error.code, -32600);
  });

  test('a session that negotiated 2025-03-26 may still batch', async () => {
    const init = await post(server.url, { ...INITIALIZE, params: { ...INITIALIZE.params, protocolVersion: '2025-03-26' } });
    const session = init.headers.get('mcp-session-id')!;
    await init.body?.cancel();
    const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-03-26' };
    await (await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).body?.cancel();
    const response = await post(server.url, [{ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { jsonrpc: '2.0', id: 2, method: 'tools/list' }], headers);
    assert.equal(response.status, 200);
    const ids = (await messagesOf(response)).map((m) => m.id);
    assert.deepEqual(ids.filter((id) => id !== undefined).sort(), [1, 2]);
  });
});
