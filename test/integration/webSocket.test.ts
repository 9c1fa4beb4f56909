// MCP over WebSocket (ws://HOST:PORT/mcp with serveHttp({ websocket: true })): both eras with our
// client and the stock SDK v2 client, cancellation by notifications/cancelled and by closing the
// socket, a client that stops reading holds the tool back (server memory bounded), the Host and
// Origin checks and the frame bound of /mcp, bad frames answered precisely, ping/pong keepalive,
// 1,000 connections at once. Guards against a transport that buffers without bound for a slow
// socket (the SDK's SSE writer bug, again) and one that skips the checks HTTP has.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/client';
import { WebSocket } from 'ws';
import { connect } from '../../src/client/index.js';
import { WebSocketClientTransport } from '../../src/client/webSocketTransport.js';
import { CancelledError } from '../../src/errors.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { untilCancelledTool } from '../helpers/servers.js';

let sluice: SluiceServer;
let server: RunningHttpServer;
let wsUrl: string;
const aborted = { count: 0 };
const produced = { bytes: 0 };

before(async () => {
  sluice = new SluiceServer({ name: 'ws', version: '1' })
    .tool({
      name: 'steps',
      description: 'three steps with output',
      handler: async (_args, ctx) => {
        for (let i = 1; i <= 3; i++) {
          ctx.progress(i, 3);
          await ctx.partial(`line ${i}\n`);
        }
        return 'done';
      },
    })
    .tool(untilCancelledTool('wait', () => aborted.count++))
    .tool({
      name: 'firehose',
      description: 'output as fast as the client takes it',
      handler: async (_args, ctx) => {
        const chunk = 'z'.repeat(64 * 1024);
        for (let i = 0; i < 1500 && !ctx.signal.aborted; i++) {
          await ctx.partial(chunk);
          produced.bytes += chunk.length;
        }
        return 'done';
      },
    });
  server = await serveHttp(sluice, { port: 0, websocket: true });
  wsUrl = server.webSocketUrl!;
});
after(() => server.close());

const modernCall = (id: number, name: string, meta: Record<string, unknown> = {}, capabilities: Record<string, unknown> = {}) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: {
      name,
      arguments: {},
      _meta: {
        ...meta,
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
        'io.modelcontextprotocol/clientCapabilities': capabilities,
      },
    },
  });

function rawSocket(headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, ['mcp'], { headers });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

const nextMessage = (ws: WebSocket) => new Promise<Record<string, unknown>>((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));

test('both eras: progress, partial results and the result, with our client and the stock SDK client', async () => {
  for (const era of ['legacy', 'modern'] as const) {
    const client = await connect(wsUrl, { era });
    const progress: number[] = [];
    const partials: string[] = [];
    const stream = client.callToolStream('steps', {});
    for await (const event of stream) {
      if (event.type === 'progress') progress.push(event.progress);
      if (event.type === 'partial') partials.push(JSON.stringify(event.content));
    }
    assert.deepEqual((await stream.result).content, [{ type: 'text', text: 'done' }]);
    assert.equal(progress.at(-1), 3, era);
    assert.equal(partials.length, 3, era);
    await client.close();
  }
  const stock = new Client({ name: 'stock', version: '0' });
  await stock.connect(new WebSocketClientTransport(new URL(wsUrl)));
  assert.ok((await stock.listTools()).tools.some((tool) => tool.name === 'steps'));
  assert.deepEqual((await stock.callTool({ name: 'steps', arguments: {} })).content, [{ type: 'text', text: 'done' }]);
  await stock.close();
});

test('a call is cancelled by notifications/cancelled and by the socket closing', async () => {
  const client = await connect(wsUrl, { era: 'legacy' });
  const controller = new AbortController();
  const before = aborted.count;
  await assert.rejects(client.callTool('wait', {}, { signal: controller.signal, onProgress: () => controller.abort('enough') }), CancelledError);
  await waitFor(() => aborted.count === before + 1, 5000, 'the tool saw the cancellation');
  const ws = await rawSocket();
  ws.send(modernCall(1, 'wait', { progressToken: 'p' }));
  await nextMessage(ws); // its progress: the call runs
  ws.terminate();
  await waitFor(() => aborted.count === before + 2, 5000, 'closing the socket cancelled the call');
  await waitFor(() => sluice.inflight === 0, 5000, 'no call left running');
  await client.close();
});

test('a client that stops reading holds the tool back: server memory stays bounded', async () => {
  produced.bytes = 0;
  const ws = await rawSocket();
  ws.send(modernCall(2, 'firehose', { partialResultToken: 'p' }, { partialResults: {} }));
  await nextMessage(ws);
  ws.pause(); // reads nothing more; TCP fills, then the server's socket, then the stream log
  await waitFor(() => produced.bytes > 0, 5000, 'the tool producing');
  let last = -1;
  await waitFor(
    async () => {
      const now = produced.bytes;
      const still = now === last;
      last = now;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return still;
    },
    10_000,
    'the tool held back',
  );
  // 1,500 x 64 KiB would be 94 MiB; held back at the 1 MiB high-water mark plus what the sockets hold.
  assert.ok(produced.bytes < 32 * 1024 * 1024, `produced ${produced.bytes} bytes while the client read nothing`);
  const stream = sluice.activity.streams().find((s) => s.kind === 'websocket' && s.full);
  assert.ok(stream !== undefined, 'its stream shows as full');
  ws.resume();
  ws.terminate();
  await waitFor(() => sluice.inflight === 0, 5000, 'the call ended with its socket');
});

test('the checks of /mcp: Host and Origin, the frame bound; bad frames get precise errors', async () => {
  await assert.rejects(rawSocket({ origin: 'http://evil.example' }), /HTTP 403/);
  await assert.rejects(rawSocket({ host: 'evil.example' }), /HTTP 403/);
  const ws = await rawSocket();
  ws.send('{not json');
  assert.deepEqual(((await nextMessage(ws)).error as { code: number }).code, -32700);
  ws.send('{"hello":"world"}');
  assert.deepEqual(((await nextMessage(ws)).error as { code: number }).code, -32600);
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send('x'.repeat(5 * 1024 * 1024));
  assert.equal(await closed, 1009, 'a frame over the 4 MiB request bound closes the connection');
  const again = await connect(wsUrl);
  assert.ok((await again.listTools()).length > 0, 'the server serves on');
  await again.close();
});

test('keepalive: a client that answers no ping is cut off', async () => {
  // A server of its own: closing a server shuts its SluiceServer down.
  const pinging = await serveHttp(new SluiceServer({ name: 'pings', version: '1' }).tool({ name: 'noop', description: 'nothing', handler: async () => 'ok' }), {
    port: 0,
    websocket: true,
    keepAliveMs: 200,
  });
  try {
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(pinging.webSocketUrl!, ['mcp'], { autoPong: false });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
    const pings = { count: 0 };
    ws.on('ping', () => pings.count++);
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    assert.ok(pings.count >= 1, 'pinged');
    assert.equal(code, 1006, 'terminated (no close handshake)');
    // One that answers stays.
    const answering = await connect(pinging.webSocketUrl!);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.ok((await answering.listTools()).length > 0, 'still connected after several pings');
    await answering.close();
  } finally {
    await pinging.close();
  }
});

test('connections are capped like sessions (sessions.max): past it the upgrade gets 503, and a freed place is taken again', async () => {
  const capped = await serveHttp(new SluiceServer({ name: 'capped', version: '1' }).tool({ name: 'noop', description: 'nothing', handler: async () => 'ok' }), {
    port: 0,
    websocket: true,
    sessions: { max: 2 },
  });
  try {
    const open = (url: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, ['mcp']);
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} retry-after ${res.headers['retry-after']}`)));
      });
    const first = await open(capped.webSocketUrl!);
    await open(capped.webSocketUrl!);
    await assert.rejects(open(capped.webSocketUrl!), /HTTP 503 retry-after 1/);
    const closed = new Promise((resolve) => first.once('close', resolve));
    first.close();
    await closed;
    await waitFor(async () => (await open(capped.webSocketUrl!).then((ws) => (ws.close(), true)).catch(() => false)), 5000, 'the freed place taken');
  } finally {
    await capped.close();
  }
});

test('1,000 connections at once, each calling a tool', { timeout: 120_000 }, async () => {
  const sockets = await Promise.all(Array.from({ length: 1000 }, () => rawSocket()));
  const answers = await Promise.all(
    sockets.map((ws, i) => {
      const answer = nextMessage(ws);
      ws.send(modernCall(i, 'steps'));
      return answer;
    }),
  );
  assert.equal(answers.filter((a) => JSON.stringify(a.result).includes('done')).length, 1000);
  assert.ok(sluice.activity.streams().filter((s) => s.kind === 'websocket').length >= 1000);
  for (const ws of sockets) ws.close();
  await waitFor(() => sluice.activity.streams().filter((s) => s.kind === 'websocket').length === 0, 20_000, 'every connection closed');
});
