// /metrics as an operator reads it: per tool, calls by outcome and a duration histogram; per
// stream kind, bytes and events sent, resumptions, replays, 410s; cancellations by cause; script
// processes; store sizes. Guards against series that never move (wiring lost between a layer
// and the registry), causes mixed up (a client's cancel counted as a timeout), and label values
// a client can choose (an unknown tool name must not become a series).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { CancelledError } from '../../src/errors.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { waitFor } from '../helpers/processes.js';
import { INITIALIZE, messagesOf, modernToolCall, post, startConfig, tempDir } from '../helpers/servers.js';

let sluice: SluiceServer;
let server: RunningHttpServer;

const untilAborted = (signal: AbortSignal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

before(async () => {
  sluice = new SluiceServer({ name: 'metrics', version: '0' })
    .tool({
      name: 'steps',
      description: 'three steps',
      handler: async (_args, ctx) => {
        for (let i = 1; i <= 3; i++) ctx.progress(i, 3, `step ${i}`);
        return 'done';
      },
    })
    .tool({
      name: 'broken',
      description: 'fails',
      handler: async () => {
        throw new Error('broken on purpose');
      },
    })
    .tool({
      name: 'wait',
      description: 'runs until cancelled',
      handler: (_args, ctx) => {
        ctx.progress(1);
        return untilAborted(ctx.signal) as Promise<string>;
      },
    })
    .tool({ name: 'late', description: 'times out', timeoutMs: 30, handler: (_args, ctx) => untilAborted(ctx.signal) as Promise<string> })
    .tool({
      name: 'dropper',
      description: 'output until cancelled; drops what a slow client cannot take, and gives up on a client that takes nothing',
      slowConsumer: { partial: 'drop-newest', stallTimeoutMs: 300 },
      handler: async (_args, ctx) => {
        while (!ctx.signal.aborted) {
          await ctx.partial('y'.repeat(16 * 1024));
          await new Promise((resolve) => setImmediate(resolve));
        }
        return 'stopped';
      },
    });
  server = await serveHttp(sluice, { port: 0, streamHighWaterBytes: 64 * 1024 });
});
after(() => server.close());

const scrape = async (url = server.url) => (await fetch(url.replace(/\/mcp$/, '/metrics'))).text();
/** The value of one series (`NaN` when it is not there). */
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
};

test('calls by tool and outcome, a duration histogram, and cancellations by cause on both eras', async () => {
  for (const era of ['legacy', 'modern'] as const) {
    const client = await connect(server.url, { era });
    await client.callTool('steps', {});
    const failed = await client.callTool('broken', {});
    assert.equal(failed.isError, true);
    const controller = new AbortController();
    await assert.rejects(client.callTool('wait', {}, { signal: controller.signal, onProgress: () => controller.abort('stop') }), CancelledError);
    const late = await client.callTool('late', {});
    assert.equal(late.isError, true);
    await assert.rejects(client.callTool('no-such-tool', {}));
    await client.close();
  }
  await waitFor(() => sluice.inflight === 0, 5000, 'no call running');
  const text = await scrape();
  assert.equal(value(text, 'sluice_tool_calls_total{tool="steps",outcome="ok"}'), 2);
  assert.equal(value(text, 'sluice_tool_calls_total{tool="broken",outcome="error"}'), 2);
  assert.equal(value(text, 'sluice_tool_calls_total{tool="wait",outcome="cancelled"}'), 2);
  assert.equal(value(text, 'sluice_tool_calls_total{tool="late",outcome="cancelled"}'), 2);
  assert.equal(value(text, 'sluice_tool_call_duration_seconds_count{tool="steps"}'), 2);
  assert.equal(value(text, 'sluice_tool_call_duration_seconds_bucket{le="+Inf",tool="late"}'), 2);
  // A 2025 client says notifications/cancelled; a 2026-07-28 client closes the request's stream.
  assert.equal(value(text, 'sluice_cancellations_total{cause="client"}'), 1);
  assert.equal(value(text, 'sluice_cancellations_total{cause="disconnect"}'), 1);
  assert.equal(value(text, 'sluice_cancellations_total{cause="timeout"}'), 2);
  assert.equal(value(text, 'sluice_cancellations_total{cause="shutdown"}'), 0);
  assert.ok(value(text, 'sluice_stream_bytes_sent_total{kind="session"}') > 0);
  assert.ok(value(text, 'sluice_stream_events_sent_total{kind="exchange"}') > 0);
  assert.equal(value(text, 'sluice_tool_calls_running{tool="wait"}'), Number.NaN, 'no running series for a tool with nothing running');
  assert.ok(!text.includes('no-such-tool'), 'a tool name the client made up is no label value');
  assert.ok(value(text, 'sluice_session_store_sessions') >= 0);
  assert.ok(value(text, 'sluice_event_log_streams') >= 0);
});

test('a 2025 stream resumed with Last-Event-ID counts a resumption and its replayed events; an expired id counts a 410', async () => {
  const opened = await post(server.url, INITIALIZE);
  const session = opened.headers.get('mcp-session-id')!;
  const headers = { 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
  await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  const before = await scrape();
  const answer = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'steps', arguments: {}, _meta: { progressToken: 'p' } } }, headers);
  const text = await answer.text();
  const ids = [...text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]!);
  assert.ok(ids.length >= 3, `events with ids: ${ids.join(', ')}`);
  const resumed = await fetch(server.url, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': ids[0]! } });
  assert.equal(resumed.status, 200);
  const replayed = (await messagesOf(resumed)).length;
  assert.equal(replayed, ids.length - 1, 'every event after the id, the result among them');
  const gone = await fetch(server.url, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': `${ids[0]!.split('_')[0]}x_0` } });
  assert.equal(gone.status, 410);
  const after_ = await scrape();
  const delta = (series: string) => value(after_, series) - (value(before, series) || 0);
  assert.equal(delta('sluice_stream_resumptions_total{kind="session"}'), 1);
  assert.equal(delta('sluice_stream_replayed_events_total{kind="session"}'), replayed);
  assert.equal(delta('sluice_stream_too_late_total{kind="session"}'), 1);
});

test('script processes: counted while they run, not after', async () => {
  const folder = tempDir();
  const scripts = await startConfig(
    `tools:\n  - name: nap\n    description: sleeps\n    command: ${JSON.stringify(process.execPath)}\n    args: ["-e", "setTimeout(() => {}, 60000)"]\n`,
    folder.dir,
  );
  try {
    const client = await connect(scripts.url, { era: 'modern' });
    const controller = new AbortController();
    const call = client.callTool('nap', {}, { signal: controller.signal });
    await waitFor(async () => value(await scrape(scripts.url), 'sluice_script_processes') === 1, 10_000, 'the script counted');
    controller.abort('enough');
    await assert.rejects(call, CancelledError);
    await waitFor(async () => value(await scrape(scripts.url), 'sluice_script_processes') === 0, 10_000, 'the script gone from the count');
    await client.close();
  } finally {
    await scripts.close();
    folder.remove();
  }
});

test('a client that stops reading: drops by the tool\'s policy, then a stall cut, counted per stream kind and cause', async () => {
  const before = await scrape();
  const response = await modernToolCall(server.url, 'dropper', { meta: { partialResultToken: 'p' }, capabilities: { partialResults: {} } });
  const reader = response.body!.getReader();
  await reader.read(); // then nothing more
  await waitFor(async () => value(await scrape(), 'sluice_cancellations_total{cause="stall"}') > (value(before, 'sluice_cancellations_total{cause="stall"}') || 0), 10_000, 'the stall cut');
  await reader.cancel().catch(() => {});
  const after_ = await scrape();
  assert.ok(value(after_, 'sluice_stream_drops_total{kind="exchange",policy="drop-newest"}') > 0, 'partial results dropped');
  assert.equal(value(after_, 'sluice_tool_calls_total{tool="dropper",outcome="cancelled"}'), 1);
});
