// The LLM streaming loop (mcp-sluice/agent) with the real Anthropic SDK against a local stand-in
// that speaks the Messages API's streaming wire format, and real MCP servers: one ordered stream
// of text, tool start, progress, partial output and result; the result goes back to the model;
// tools of two servers side by side; provider errors surface; one signal stops the model stream
// and every running tool. Guards against tool progress that never reaches the user, a loop that
// loses the model's text around tool calls, and a cancel that leaves a tool or a stream running.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { anthropicProvider, runAgent, type AgentEvent } from '../../src/agent/index.js';
import { connect, type SluiceClient } from '../../src/client/index.js';
import { CancelledError } from '../../src/errors.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { startStandIn, type StandIn } from '../fixtures/anthropicStandIn.js';
import { waitFor } from '../helpers/processes.js';
import { untilCancelledTool } from '../helpers/servers.js';

let standIn: StandIn;
let servers: RunningHttpServer[] = [];
let clients: SluiceClient[] = [];
const aborted = { count: 0 };

before(async () => {
  standIn = await startStandIn();
  const crawler = new SluiceServer({ name: 'crawler', version: '1' })
    .tool<{ pages: number }>({
      name: 'crawl',
      description: 'crawls some pages',
      inputSchema: { type: 'object', properties: { pages: { type: 'integer' } }, required: ['pages'] },
      handler: async ({ pages }, ctx) => {
        for (let i = 1; i <= pages; i++) {
          ctx.progress(i, pages, `page ${i}`);
          await ctx.partial(`fetched page ${i}\n`);
        }
        return `${pages} pages`;
      },
    })
    .tool(untilCancelledTool('slow', () => aborted.count++));
  const other = new SluiceServer({ name: 'other', version: '1' }).tool({ name: 'crawl', description: 'another crawl', handler: async () => 'the other one' });
  servers = [await serveHttp(crawler, { port: 0 }), await serveHttp(other, { port: 0 })];
  clients = [await connect(servers[0]!.url, { era: 'modern' }), await connect(servers[1]!.url, { era: 'legacy' })];
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.close()));
  await standIn.close();
});

const provider = () => anthropicProvider(new Anthropic({ apiKey: 'test-key', baseURL: standIn.url, maxRetries: 0 }));
const collect = async (run: AsyncIterable<AgentEvent>) => {
  const events: AgentEvent[] = [];
  for await (const event of run) events.push(event);
  return events;
};

test('text only: the answer streamed in pieces, then done', async () => {
  const events = await collect(runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'hi there' }));
  const texts = events.filter((e) => e.type === 'text');
  assert.ok(texts.length >= 3, 'in pieces');
  assert.equal(texts.map((e) => e.text).join(''), 'Hello! You said: hi there');
  assert.deepEqual(events.at(-1), { type: 'done', stopReason: 'end_turn', turns: 1, usage: { inputTokens: 25, outputTokens: 42 } });
});

test('a tool round: its start, progress, partial output and result in order, then the answer that read the result', async () => {
  const events = await collect(runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'please use crawl {"pages":3}' }));
  const kinds = events.map((e) => e.type);
  const start = kinds.indexOf('tool_start');
  const result = kinds.indexOf('tool_result');
  assert.ok(start > 0 && kinds.slice(0, start).every((k) => k === 'text'), 'the model\'s first words come first');
  const between = events.slice(start + 1, result);
  const progress = between.flatMap((e) => (e.type === 'tool_progress' ? [e.progress] : []));
  assert.equal(progress.at(-1), 3, `progress while it ran: ${progress.join(', ')}`);
  assert.equal(between.filter((e) => e.type === 'tool_partial').length, 3, 'each partial output');
  assert.deepEqual((events[start] as { tool: string; input: unknown }).input, { pages: 3 });
  assert.deepEqual((events[result] as { result: { content: unknown } }).result.content, [{ type: 'text', text: '3 pages' }]);
  const answer = events.slice(result + 1).filter((e) => e.type === 'text').map((e) => (e as { text: string }).text).join('');
  assert.equal(answer, 'The tool said: 3 pages.');
  assert.equal((events.at(-1) as { turns: number }).turns, 2);
  // What the model was told: both servers' tools, the second one's renamed; the tool result in the second request.
  const offered = standIn.requests.at(-2)!.tools!.map((t) => t.name);
  assert.deepEqual(offered.sort(), ['crawl', 'slow', 't2_crawl']);
  assert.match(JSON.stringify(standIn.requests.at(-1)!.messages.at(-1)), /"tool_result".*3 pages/);
});

test('two tools at once, from two servers', async () => {
  const events = await collect(runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'use crawl {"pages":1} and use t2_crawl' }));
  const results = events.filter((e) => e.type === 'tool_result').map((e) => JSON.stringify((e as { result: unknown }).result));
  assert.equal(results.length, 2);
  assert.ok(results.some((r) => r.includes('1 pages')) && results.some((r) => r.includes('the other one')));
});

test('provider errors surface: an HTTP 529, and an error event in the middle of the stream', async () => {
  await assert.rejects(collect(runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'overloaded please' })), (error: Error & { status?: number }) => {
    assert.equal(error.status, 529);
    return true;
  });
  const seen: AgentEvent[] = [];
  await assert.rejects(async () => {
    for await (const event of runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'midstream error' })) seen.push(event);
  }, /Overloaded/);
  assert.deepEqual(seen, [{ type: 'text', text: 'Starting' }], 'what came before the error was delivered');
});

test('one signal stops the model stream and every running tool', async () => {
  const controller = new AbortController();
  const before = aborted.count;
  await assert.rejects(async () => {
    for await (const event of runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'use slow', signal: controller.signal })) {
      if (event.type === 'tool_progress') controller.abort();
    }
  }, CancelledError);
  await waitFor(() => aborted.count === before + 1, 5000, 'the tool was cancelled');

  const abortedStreams = standIn.aborted;
  const stop = new AbortController();
  await assert.rejects(async () => {
    for await (const event of runAgent({ provider: provider(), targets: clients, model: 'claude-test', prompt: 'answer slowly', signal: stop.signal })) {
      if (event.type === 'text') stop.abort();
    }
  }, CancelledError);
  await waitFor(() => standIn.aborted === abortedStreams + 1, 5000, 'the model stream was closed');
});
