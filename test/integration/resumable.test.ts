// Resumable 2025-era streams over real sockets: SSE polling (SEP-1699) closes
// a running call's stream on a schedule and the client resumes it with
// Last-Event-ID; every event arrives exactly once and in order, the result
// too, with the stock SDK v2 client and with the sluice client. A resumption
// the event log can no longer serve gets a distinct answer (410, -32010) and
// the sluice client a typed error at once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, ReplayExpiredError } from '../../src/client/index.js';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { INITIALIZE, post, startConfig, tempDir, tickerConfig, v2Client } from '../helpers/servers.js';

const tmp = tempDir();
let server: RunningHttpServer & { sluice: SluiceServer };
let resumptions = 0;
const LINES = 40;

before(async () => {
  server = await startConfig(tickerConfig({ closeStreamAfter: '150ms' }), tmp.dir, { retryMs: 20 });
  const observe = server.handler.onrequest;
  server.handler.onrequest = (observation) => {
    if (observation.method === 'GET') resumptions++;
    observe?.(observation);
  };
});
after(async () => {
  await server.close();
  tmp.remove();
});

const expectedText = Array.from({ length: LINES }, (_, i) => `line ${i + 1}`).join('\n');

test('SSE polling: the stock SDK v2 client resumes every closed stream; progress and result arrive once, in order', async () => {
  const before = resumptions;
  const client = await v2Client(server.url, 'legacy');
  try {
    const progress: number[] = [];
    const result = await client.callTool(
      { name: 'ticker', arguments: { count: LINES, delay: 20 } },
      { onprogress: (p) => progress.push(p.progress), timeout: 30_000 },
    );
    assert.ok(resumptions - before >= 3, `the stream was closed and resumed several times (${resumptions - before})`);
    assert.equal(new Set(progress).size, progress.length, 'no duplicate progress');
    assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress in order');
    assert.equal(progress.at(-1), LINES, 'the final progress arrived');
    const text = result.content.find((c) => c.type === 'text');
    assert.equal(text?.type === 'text' && text.text.trim(), expectedText);
  } finally {
    await client.close();
  }
});

test('SSE polling: the sluice client gets every partial result exactly once, in seq order', async () => {
  const before = resumptions;
  const client = await connect(server.url, { era: 'legacy' });
  try {
    const seqs: number[] = [];
    let streamed = '';
    const result = await client.callTool('ticker', { count: LINES, delay: 20 }, {
      onPartial: (event) => {
        seqs.push(event.seq);
        for (const item of event.content) if (item.type === 'text') streamed += item.text;
      },
    });
    assert.ok(resumptions - before >= 3, `resumed several times (${resumptions - before})`);
    assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i), 'seq 0, 1, 2, … with no gap and no repeat');
    assert.equal(streamed.trim(), expectedText);
    assert.equal(result.isError, undefined);
  } finally {
    await client.close();
  }
});

test('too late to replay: 410 with -32010 on the wire, ReplayExpiredError in the client, never a hang', async () => {
  // A log that keeps events 150 ms and a client told to wait 400 ms: its events age out while it waits (a count bound would not
  // give way: the producer waits for the reader instead).
  const small = await startConfig(tickerConfig({ closeStreamAfter: '100ms' }), tmp.dir, { retryMs: 400, eventLog: { maxAgeMs: 150 } });
  try {
    const client = await connect(small.url, { era: 'legacy' });
    try {
      const started = Date.now();
      await assert.rejects(client.callTool('ticker', { count: 200, delay: 10 }), ReplayExpiredError);
      assert.ok(Date.now() - started < 1900, `failed at the first resumption, not at the end of the call (${Date.now() - started} ms)`);
    } finally {
      await client.close();
    }

    // On the wire: a raw client resumes too late, with a malformed id, and with another session's id.
    const open = async () => {
      const init = await post(small.url, INITIALIZE);
      await init.text();
      return { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
    };
    const a = await open();
    const call = await post(small.url, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'ticker', arguments: { count: 100, delay: 5 }, _meta: { progressToken: 1 } } }, a);
    const reader = call.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const eventId = /^id: (\S+)/m.exec(first)![1]!;
    await reader.cancel();
    // The script may start slowly under load: wait until the call logged an event after the priming one (that one must age out).
    const log = small.handler.sessions.get(a['mcp-session-id'])!.log;
    const stream = log.streamOf(eventId)!;
    while ((await log.lastEventId(stream)) === eventId) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 300)); // dozens of events: the log of 3 moved on
    const resume = (headers: Record<string, string>, id: string) =>
      fetch(small.url, { headers: { accept: 'text/event-stream', ...headers, 'last-event-id': id } });
    const late = await resume(a, eventId);
    assert.equal(late.status, 410);
    const body = (await late.json()) as { error: { code: number; message: string; data: { lastEventId: string } } };
    assert.equal(body.error.code, -32010);
    assert.match(body.error.message, /Too late to resume.*Send the request again/);
    assert.equal(body.error.data.lastEventId, eventId);
    assert.equal((await resume(a, 'not-an-id')).status, 400);
    const b = await open();
    const foreign = await resume(b, eventId);
    assert.equal(foreign.status, 410, "another session's event id replays nothing");
    await foreign.text();
  } finally {
    await small.close();
  }
});

test('keepalive comments flow on open streams, on the interval configured (default 15 s)', async () => {
  const quick = await startConfig('tools: []\n', tmp.dir, { keepAliveMs: 50 });
  try {
    const init = await post(quick.url, INITIALIZE);
    await init.text();
    const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25', accept: 'text/event-stream' };
    const standalone = await fetch(quick.url, { headers });
    assert.equal(standalone.status, 200);
    const reader = standalone.body!.getReader();
    let text = '';
    const until = Date.now() + 400;
    while (Date.now() < until) {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      if ((text.match(/^: keepalive$/gm) ?? []).length >= 3) break;
    }
    await reader.cancel();
    assert.ok((text.match(/^: keepalive$/gm) ?? []).length >= 3, `keepalive comments: ${JSON.stringify(text)}`);
  } finally {
    await quick.close();
  }
});

test('DELETE ends a session: its running call is cancelled and its stream closed', async () => {
  const init = await post(server.url, INITIALIZE);
  await init.text();
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  const running = server.sluice.inflight;
  const call = await post(server.url, { jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'ticker', arguments: { count: 1000, delay: 20 } } }, headers);
  await waitFor(() => server.sluice.inflight > running, 5000, 'the call started');
  const ended = await fetch(server.url, { method: 'DELETE', headers });
  assert.equal(ended.status, 200);
  await waitFor(() => server.sluice.inflight === running, 5000, 'the call was cancelled');
  await call.text(); // the stream ends instead of running for 20 s
  assert.equal((await post(server.url, { jsonrpc: '2.0', id: 10, method: 'tools/list' }, headers)).status, 404);
});
