// The outbound path over real sockets: every stream is a bounded log and a connection a cursor
// on it, so a producer is held at the high-water mark whether its client reads slowly, reads
// nothing, or is away; a resume is a new cursor on the same log, every partial exactly once.
//  1. a 2025 client drops its stream after 1 MiB of a 48 MiB script and comes back later;
//  2. the resumed stream is then read slowly;
//  3. over stdio, a client that stops reading.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { CLI, INITIALIZE, ROOT, post, startConfig, tempDir } from '../helpers/servers.js';
import { assertExactlyOnce, PartialReader, pause, rssMiB, settles, written } from '../helpers/partialReader.js';

const LINE_BYTES = 6 * 1024;
const LINES = 8192; // 48 MiB
const HIGH_WATER = 256 * 1024;
const tmp = tempDir();
const script = join(ROOT, 'test/fixtures/scripts/numbered.mjs');
const config = (countFile: string) => `
tools:
  - name: numbered
    description: prints numbered lines as fast as the pipe takes them
    command: node
    args: ["${script}", "${LINES}", "${LINE_BYTES}", "${countFile}"]
    timeout: 5m
`;
let server: RunningHttpServer;
let countFile: string;
before(async () => {
  countFile = join(tmp.dir, 'count-http');
  server = await startConfig(config(countFile), tmp.dir, { streamHighWaterBytes: HIGH_WATER });
});
after(async () => {
  await server.close();
  tmp.remove();
});

async function session(): Promise<Record<string, string>> {
  const init = await post(server.url, { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { partialResults: {} } } });
  await init.text();
  const headers = { 'mcp-session-id': init.headers.get('mcp-session-id')!, 'mcp-protocol-version': '2025-11-25' };
  await (await post(server.url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).text();
  return headers;
}

test('a client that drops its stream and comes back: the producer is held while nobody reads, every partial arrives once', async () => {
  const headers = await session();
  const call = await post(server.url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'numbered', arguments: {}, _meta: { partialResultToken: 'p' } } }, headers);
  const reader = new PartialReader();
  const body = call.body!.getReader();
  while (reader.bytes < 1024 * 1024) reader.feed((await body.read()).value!);
  await body.cancel(); // the client is gone, its call is not
  reader.reconnect();
  const rssBefore = rssMiB();

  const held = await settles(() => written(countFile), 1000, 20_000);
  assert.ok(held < LINES / 4, `the script was held back while nobody read: ${held} of ${LINES} lines written`);
  const grown = rssMiB() - rssBefore;
  assert.ok(grown < 64, `the server grew by ${grown.toFixed(0)} MiB while the client was away`);

  const resumed = await fetch(server.url, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': reader.lastEventId! } });
  assert.equal(resumed.status, 200);
  for await (const chunk of resumed.body!) reader.feed(chunk);
  assertExactlyOnce(reader, LINES);
  assert.ok(reader.result, 'the result came last, on the resumed stream');
});

test('a resumed stream read slowly stays metered: the producer keeps pace with the reader', async () => {
  const headers = await session();
  const call = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'numbered', arguments: {}, _meta: { partialResultToken: 'q' } } }, headers);
  const reader = new PartialReader();
  const first = call.body!.getReader();
  while (reader.bytes < 256 * 1024) reader.feed((await first.read()).value!);
  await first.cancel();
  reader.reconnect();
  await settles(() => written(countFile), 500, 20_000);

  const resumed = await fetch(server.url, { headers: { ...headers, accept: 'text/event-stream', 'last-event-id': reader.lastEventId! } });
  const body = resumed.body!.getReader();
  let maxAhead = 0;
  const rssBefore = rssMiB();
  let maxGrowth = 0;
  // Slowly: 64 KiB every 10 ms for a while, then the rest at full speed.
  for (let i = 0; i < 150; i++) {
    const chunk = await body.read();
    if (chunk.done) break;
    reader.feed(chunk.value);
    maxAhead = Math.max(maxAhead, written(countFile) - reader.numbers.length);
    maxGrowth = Math.max(maxGrowth, rssMiB() - rssBefore);
    await pause(10);
  }
  for (let chunk = await body.read(); !chunk.done; chunk = await body.read()) reader.feed(chunk.value);
  assertExactlyOnce(reader, LINES);
  // Lines the script is ahead of the reader: the log's high-water mark plus what pipes and sockets hold.
  assert.ok(maxAhead * LINE_BYTES < 24 * 2 ** 20, `the script ran ${maxAhead} lines (${((maxAhead * LINE_BYTES) / 2 ** 20).toFixed(1)} MiB) ahead of a slow reader`);
  assert.ok(maxGrowth < 64, `the server grew by ${maxGrowth.toFixed(0)} MiB under a slow reader`);
});

test('stdio: a client that stops reading holds the script back; reading again gets every partial once', async () => {
  const file = join(tmp.dir, 'count-stdio');
  const yaml = join(tmp.dir, 'stdio.yaml');
  writeFileSync(yaml, config(file));
  const child = spawn(process.execPath, [CLI, 'serve', yaml, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    const send = (message: unknown) => child.stdin.write(`${JSON.stringify(message)}\n`);
    send({ ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { partialResults: {} } } });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'numbered', arguments: {}, _meta: { partialResultToken: 's' } } });
    child.stdout.pause(); // the client stops reading
    for (const deadline = Date.now() + 20_000; written(file) === 0; ) {
      assert.ok(Date.now() < deadline, 'the script started');
      await pause(20);
    }
    const held = await settles(() => written(file), 1000, 20_000);
    assert.ok(held < LINES / 4, `held back: ${held} of ${LINES} lines written`);
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
    assert.ok(rss < 200, `the server holds ${rss.toFixed(0)} MiB while nobody reads`);

    const reader = new PartialReader();
    let pending = '';
    const done = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        for (let end = pending.indexOf('\n'); end !== -1; end = pending.indexOf('\n')) {
          const line = pending.slice(0, end);
          pending = pending.slice(end + 1);
          reader.feed(new TextEncoder().encode(`data: ${line}\n\n`));
          if (reader.result !== undefined) resolve();
        }
      });
    });
    child.stdout.resume();
    await done;
    assertExactlyOnce(reader, LINES);
  } finally {
    child.kill();
  }
});
