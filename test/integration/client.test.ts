// The sluice client against real servers: callToolStream yields progress then
// the result on every transport; aborting rejects at once with CancelledError
// and the server stops the tool; a 2026 stream cut mid-call fails at once with
// StreamLostError instead of waiting for the timeout; silence past the timeout
// is a TimeoutError; and `sluice call` turns Ctrl-C into a cancellation.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type ToolCallEvent } from '../../src/client/index.js';
import { CancelledError, RemoteError, StreamLostError, TimeoutError } from '../../src/errors.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { type RunningHttpServer, serveHttp } from '../../src/transports/http/nodeServer.js';
import { isAlive, readPids, waitFor } from '../helpers/processes.js';
import { CLI, EXAMPLE_CONFIG, ROOT, startConfig, tempDir } from '../helpers/servers.js';

const SCRIPTS = join(ROOT, 'test/fixtures/scripts');
const tmp = tempDir();
let server: RunningHttpServer & { sluice: SluiceServer };

before(async () => {
  server = await startConfig(
    `
tools:
  - name: count
    description: counts
    command: node
    args: ["${join(ROOT, 'examples/scripts/count.mjs')}", "{{n}}"]
    parameters: { n: { type: integer } }
  - name: sleepy
    description: never ends by itself
    command: node
    args: ["${SCRIPTS}/sleepy.mjs", "{{pidfile}}"]
    parameters: { pidfile: { type: string } }
`,
    tmp.dir,
  );
});
after(async () => {
  await server.close();
  tmp.remove();
});

const TARGETS = {
  'http 2025': () => connect(server.url, { era: 'legacy' }),
  'http 2026': () => connect(server.url, { era: 'modern' }),
  stdio: () => connect(`stdio:${process.execPath} ${CLI} serve ${EXAMPLE_CONFIG} --stdio`, { era: 'auto' }),
};

for (const [name, open] of Object.entries(TARGETS)) {
  test(`callToolStream over ${name}: progress and partial output, then the result`, async () => {
    const client = await open();
    const events: ToolCallEvent[] = [];
    const progress: number[] = [];
    for await (const event of client.callToolStream('count', { n: 5 }, { onProgress: (p) => progress.push(p.progress) })) {
      events.push(event);
    }
    const last = events.at(-1)!;
    assert.equal(last.type, 'result');
    assert.deepEqual(last.type === 'result' && last.result.content, [{ type: 'text', text: 'counted to 5' }]);
    assert.ok(events.slice(0, -1).every((e) => e.type === 'progress' || e.type === 'partial'));
    assert.equal(progress.at(-1), 5, 'every progress notification before the result reaches onProgress');
    const partials = events.filter((e) => e.type === 'partial');
    assert.deepEqual(
      partials.map((p) => p.type === 'partial' && p.seq),
      partials.map((_, i) => i),
      'partial results in seq order from 0',
    );
    const streamed = partials.map((p) => (p.type === 'partial' ? p.content.map((c) => (c.type === 'text' ? c.text : '')).join('') : '')).join('');
    assert.equal(streamed, 'counted to 5\n', 'the script output streamed as partial results');
    await client.close();
  });
}

for (const era of ['legacy', 'modern'] as const) {
  test(`aborting rejects at once with CancelledError and stops the tool (${era})`, async () => {
    const client = await connect(server.url, { era });
    const pidfile = join(tmp.dir, `abort-${era}.json`);
    const controller = new AbortController();
    const call = client.callTool('sleepy', { pidfile }, { signal: controller.signal });
    const pids = await readPids(pidfile);
    const started = Date.now();
    controller.abort('user clicked stop');
    await assert.rejects(call, (error: unknown) => error instanceof CancelledError && /user clicked stop/.test(error.message));
    assert.ok(Date.now() - started < 1000, 'at once, not after a timeout');
    await waitFor(() => !isAlive(pids.child!) && !isAlive(pids.grandchild!), 5000, 'the server to stop the script');
    await waitFor(() => server.sluice.inflight === 0, 5000, 'no call in flight on the server');
    await client.close();
  });
}

test('a 2026 stream cut mid-call fails at once with StreamLostError', async () => {
  const client = await connect(server.url, { era: 'modern' });
  const pidfile = join(tmp.dir, 'cut.json');
  const stream = client.callToolStream('sleepy', { pidfile }, { timeoutMs: 30_000 });
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next(); // the stream is open once progress flows
  assert.equal((first.value as ToolCallEvent).type, 'progress');
  const started = Date.now();
  server.http.closeAllConnections();
  await assert.rejects(stream.result, StreamLostError);
  assert.ok(Date.now() - started < 2000, `failed after ${Date.now() - started} ms, not at the 30 s timeout`);
  await assert.rejects(iterator.next(), StreamLostError);
  await client.close();
});

test('a server that serves no resources answers a read with -32601 at once, on both eras: no retries', async () => {
  const toolsOnly = await serveHttp(new SluiceServer({ name: 'tools-only', version: '1' }).tool({ name: 'noop', description: 'nothing', handler: () => 'ok' }), { port: 0 });
  after(() => toolsOnly.close());
  for (const era of ['modern', 'legacy'] as const) {
    const attempts: number[] = [];
    const client = await connect(toolsOnly.url, { era, onReconnect: (attempt) => attempts.push(attempt.attempt) });
    try {
      const started = performance.now();
      // 2026-07-28 answers an unknown method with HTTP 404 + -32601, which the SDK's transport reports as an HTTP error.
      const read = async () => {
        for await (const chunk of client.readResourceStream('file:///x.txt')) assert.fail(`no bytes expected, got ${chunk.length}`);
      };
      await assert.rejects(read(), (error: unknown) => error instanceof RemoteError && error.remoteCode === -32601);
      assert.deepEqual(attempts, [], `${era}: not taken for a dropped stream`);
      assert.ok(performance.now() - started < 1000, `${era}: failed at once`);
    } finally {
      await client.close();
    }
  }
});

test('silence past the timeout is a TimeoutError', async () => {
  const client = await connect(server.url, { era: 'legacy' });
  const pidfile = join(tmp.dir, 'timeout.json');
  // sleepy reports progress once, then nothing: the timeout runs from that progress.
  await assert.rejects(client.callTool('sleepy', { pidfile }, { timeoutMs: 500 }), TimeoutError);
  await client.close();
});

test('sluice call: Ctrl-C cancels the call, tells the server, exits 130 with the reason', async () => {
  const pidfile = join(tmp.dir, 'ctrl-c.json');
  const child = spawn(process.execPath, [CLI, 'call', server.url, 'sleepy', `pidfile=${pidfile}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  // 'close', not 'exit': the exit can arrive before the last stderr line is read.
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const pids = await readPids(pidfile);
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  assert.match(stderr, /^sluice: cancelled: interrupted \(Ctrl-C\)$/m);
  await waitFor(() => !isAlive(pids.child!), 5000, 'the server to stop the script');
});

test('over stdio, aborting sends notifications/cancelled and the server stops the script', async () => {
  const config = join(tmp.dir, 'stdio-sleepy.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(config, `tools:\n  - name: sleepy\n    description: never ends\n    command: node\n    args: ["${SCRIPTS}/sleepy.mjs", "{{pidfile}}"]\n    parameters: { pidfile: { type: string } }\n`);
  const client = await connect(`stdio:${process.execPath} ${CLI} serve ${config} --stdio`);
  const pidfile = join(tmp.dir, 'stdio-abort.json');
  const controller = new AbortController();
  const call = client.callTool('sleepy', { pidfile }, { signal: controller.signal });
  const pids = await readPids(pidfile);
  controller.abort('stop over stdio');
  await assert.rejects(call, CancelledError);
  await waitFor(() => !isAlive(pids.child!) && !isAlive(pids.grandchild!), 5000, 'the server to stop the script');
  await client.close();
});
