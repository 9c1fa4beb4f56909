// stdio as a client process sees it, over an in-process pipe whose writes are
// recorded one by one (the way libuv hands them to the kernel: queued writes
// are combined into one writev). Guards against: the final progress value
// sharing a write with the result (the stock TypeScript SDK client then drops
// it); a request id reused while in flight taking over the first request.
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { test } from 'node:test';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveStdio } from '../../src/transports/stdio.js';

/** A stdout whose every write (or writev) is one entry, completing on the next turn like a busy pipe. */
function recordingStdout() {
  const writes: string[] = [];
  const stdout = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      writes.push(chunk.toString());
      setImmediate(callback);
    },
    writev(chunks, callback) {
      writes.push(chunks.map((c) => String(c.chunk)).join(''));
      setImmediate(callback);
    },
  });
  return { writes, stdout };
}

function start(sluice: SluiceServer) {
  const stdin = new PassThrough();
  const { writes, stdout } = recordingStdout();
  const running = serveStdio(sluice, { stdin, stdout });
  const send = (message: unknown) => stdin.write(`${JSON.stringify(message)}\n`);
  const messages = () => writes.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  send({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } } });
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return { writes, send, messages, stop: async () => (stdin.end(), running.close()) };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

test('the final progress and the result never share a write', async () => {
  const sluice = new SluiceServer({ name: 't', version: '0', progressPerSecond: 0 }).tool({
    name: 'steps',
    description: 'reports progress, then answers at once',
    handler: (_args, ctx) => {
      for (let i = 1; i <= 50; i++) ctx.progress(i, 50);
      return 'done';
    },
  });
  const io = start(sluice);
  for (let call = 1; call <= 20; call++) {
    io.send({ jsonrpc: '2.0', id: call, method: 'tools/call', params: { name: 'steps', arguments: {}, _meta: { progressToken: call } } });
  }
  await until(() => io.messages().filter((m) => typeof m.id === 'number' && m.id > 0 && 'result' in m).length === 20);
  const mixed = io.writes.filter((w) => w.includes('"notifications/progress"') && w.includes('"result"'));
  assert.deepEqual(mixed, [], 'no write carries both progress and a result');
  for (let call = 1; call <= 20; call++) {
    const finals = io.messages().filter((m) => m.method === 'notifications/progress' && (m.params as { progressToken: number }).progressToken === call);
    assert.equal((finals.at(-1)!.params as { progress: number }).progress, 50, `call ${call}: the final value went out`);
  }
  await io.stop();
});

test('a request id reused while in flight is refused; the first request is unharmed', async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const sluice = new SluiceServer({ name: 't', version: '0' }).tool({
    name: 'wait',
    description: 'waits for the test',
    handler: async () => {
      await gate;
      return 'first answer';
    },
  });
  const io = start(sluice);
  io.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'wait', arguments: {} } });
  io.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
  await until(() => io.messages().some((m) => 'error' in m));
  const refusal = io.messages().find((m) => 'error' in m)!;
  assert.equal(refusal.id, null, 'not taken for the first request\'s answer');
  assert.deepEqual((refusal.error as { code: number; data: unknown }).code, -32600);
  assert.deepEqual((refusal.error as { data: unknown }).data, { requestId: 7 });
  release();
  await until(() => io.messages().some((m) => m.id === 7));
  const answer = io.messages().find((m) => m.id === 7) as { result: { content: Array<{ text: string }> } };
  assert.equal(answer.result.content[0]!.text, 'first answer');
  io.send({ jsonrpc: '2.0', id: 7, method: 'tools/list' });
  await until(() => io.messages().filter((m) => m.id === 7).length === 2);
  assert.ok('result' in io.messages().filter((m) => m.id === 7)[1]!, 'the id is free again once answered');
  await io.stop();
});
