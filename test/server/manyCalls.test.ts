// Many tool calls in flight on one server: each adds one listener to the
// server's shutdown signal while it runs, and Node must not take that for a
// leak (a MaxListenersExceededWarning at the 11th call, seen under a cluster's
// slower calls). Shutdown still reaches every one of them. And the key that seals 2026
// multi-round-trip state: too short is refused; one key shared by servers opens their state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { createHttpHandler } from '../../src/transports/http/handler.js';

const CALLS = 40;

function call(id: number): Request {
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: { host: '127.0.0.1', 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'wait' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: 'wait',
        arguments: {},
        _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientInfo': { name: 't', version: '0' }, 'io.modelcontextprotocol/clientCapabilities': {} },
      },
    }),
  });
}

test(`${CALLS} calls in flight raise no listener-leak warning, and shutdown stops them all`, async () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  process.on('warning', onWarning);
  let started = 0;
  let allStarted: () => void = () => {};
  const running = new Promise<void>((resolve) => (allStarted = resolve));
  const sluice = new SluiceServer({ name: 's', version: '0' }).tool({
    name: 'wait',
    description: 'waits until the server shuts down',
    handler: (_args, ctx) =>
      new Promise((resolve) => {
        if (++started === CALLS) allStarted();
        ctx.signal.addEventListener('abort', () => resolve('stopped'));
      }),
  });
  const handler = createHttpHandler(sluice);
  try {
    const answers = Array.from({ length: CALLS }, (_, i) => handler.fetch(call(i + 1)).then((response) => response.text()));
    await running;
    sluice.abortAll();
    const texts = await Promise.all(answers);
    assert.ok(texts.every((text) => text.includes('shutting down') || text.includes('stopped')), 'every call was stopped by the shutdown');
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message), []);
  } finally {
    process.off('warning', onWarning);
    await handler.close();
  }
});

test('the request-state key must be at least 32 bytes; two servers with one key read each other’s state', async () => {
  assert.throws(() => new SluiceServer({ name: 's', version: '0', requestStateKey: 'short' }), /requestStateKey must be at least 32 bytes/);
  const key = 'k'.repeat(32);
  const a = new SluiceServer({ name: 'a', version: '0', requestStateKey: key });
  const b = new SluiceServer({ name: 'b', version: '0', requestStateKey: key });
  const other = new SluiceServer({ name: 'c', version: '0' });
  const sealed = await a.requestState.mint({ step: 2 });
  assert.deepEqual(await b.requestState.verify(sealed, {} as never), { step: 2 });
  await assert.rejects(other.requestState.verify(sealed, {} as never), 'a per-process key cannot read it');
});
