// Guards one tool call's lifecycle with a fake clock and a stand-in for the
// SDK's handler context (the real one is exercised by the integration tests):
// the timeout aborts the signal and answers isError; onAbort cleanups run
// once, newest first, and are awaited; a client abort mid-call sends nothing
// more; thrown errors become isError results, ProtocolErrors stay JSON-RPC errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, type ServerContext } from '@modelcontextprotocol/server';
import { sdkCallChannel } from '../../src/server/outbound.js';
import { formatDuration, runToolCall } from '../../src/server/toolCall.js';
import type { ToolDefinition } from '../../src/server/types.js';
import { FakeClock } from '../helpers/fakeClock.js';

function context(progressToken?: number) {
  const client = new AbortController();
  const notified: unknown[] = [];
  const ctx = {
    mcpReq: {
      signal: client.signal,
      _meta: progressToken === undefined ? {} : { progressToken },
      notify: async (n: unknown) => void notified.push(n),
    },
  } as unknown as ServerContext;
  return { ctx, client, notified };
}

const options = (clock: FakeClock, shutdown = new AbortController()) => ({ clientCapabilities: undefined, progressPerSecond: 5, timeoutMs: 1000, clock, shutdown: shutdown.signal });

test('the timeout aborts the signal, runs cleanups newest first once, and answers isError', async () => {
  const clock = new FakeClock();
  const order: string[] = [];
  const tool: ToolDefinition = {
    name: 'slow',
    description: 'd',
    timeoutMs: 300,
    handler: (_args, t) =>
      new Promise((_resolve, reject) => {
        t.onAbort(() => void order.push('first'));
        t.onAbort(async () => {
          await Promise.resolve();
          order.push('second');
        });
        t.signal.addEventListener('abort', () => reject(t.signal.reason));
      }),
  };
  const { ctx } = context();
  const call = runToolCall(tool, {}, sdkCallChannel(ctx, undefined), options(clock));
  clock.advance(300);
  const result = await call;
  assert.equal(result.isError, true);
  assert.deepEqual(result.content, [{ type: 'text', text: 'Tool "slow" timed out after 300ms' }]);
  assert.deepEqual(order, ['second', 'first']);
});

test('a client abort stops progress: nothing is sent after it', async () => {
  const clock = new FakeClock();
  const { ctx, client, notified } = context(7);
  let release: () => void = () => {};
  const tool: ToolDefinition = {
    name: 't',
    description: 'd',
    handler: async (_args, t) => {
      t.progress(1, 10);
      await new Promise<void>((r) => (release = r));
      t.progress(5, 10);
      return 'late';
    },
  };
  const call = runToolCall(tool, {}, sdkCallChannel(ctx, undefined), options(clock));
  await new Promise((r) => setImmediate(r));
  client.abort('user clicked stop');
  release();
  const result = await call;
  assert.equal(result.isError, true);
  assert.equal(notified.length, 1, 'only the progress sent before the abort');
});

test('shutdown aborts in-flight calls', async () => {
  const clock = new FakeClock();
  const shutdown = new AbortController();
  const tool: ToolDefinition = {
    name: 't',
    description: 'd',
    handler: (_a, t) => new Promise((_r, reject) => t.signal.addEventListener('abort', () => reject(t.signal.reason))),
  };
  const call = runToolCall(tool, {}, sdkCallChannel(context().ctx, undefined), options(clock, shutdown));
  shutdown.abort(new Error('The server is shutting down'));
  assert.deepEqual((await call).content, [{ type: 'text', text: 'The server is shutting down' }]);
});

test('a thrown error becomes an isError result; a ProtocolError stays a JSON-RPC error', async () => {
  const clock = new FakeClock();
  const failing: ToolDefinition = { name: 't', description: 'd', handler: () => { throw new Error('disk full'); } };
  assert.deepEqual(await runToolCall(failing, {}, sdkCallChannel(context().ctx, undefined), options(clock)), { content: [{ type: 'text', text: 'disk full' }], isError: true });
  const protocol: ToolDefinition = { name: 't', description: 'd', handler: () => { throw new ProtocolError(-32602, 'no such row'); } };
  await assert.rejects(runToolCall(protocol, {}, sdkCallChannel(context().ctx, undefined), options(clock)), ProtocolError);
});

test('the last progress value is delivered before the result', async () => {
  const { ctx, notified } = context(3);
  const tool: ToolDefinition = {
    name: 't',
    description: 'd',
    handler: (_a, t) => {
      for (let i = 1; i <= 50; i++) t.progress(i, 50);
      return 'done';
    },
  };
  const result = await runToolCall(tool, {}, sdkCallChannel(ctx, undefined), options(new FakeClock()));
  assert.deepEqual(result.content, [{ type: 'text', text: 'done' }]);
  const values = notified.map((n) => (n as { params: { progress: number } }).params.progress);
  assert.deepEqual(values, [1, 50]);
});

test('formatDuration', () => {
  assert.equal(formatDuration(300), '300ms');
  assert.equal(formatDuration(1000), '1s');
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(300_000), '5m');
  assert.equal(formatDuration(3_600_000), '1h');
});
