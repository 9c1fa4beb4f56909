// Script output as printed. Guards against: a spool that is not byte-exact
// (newlines inserted into long lines, `\r` stripped, invalid UTF-8 replaced);
// a spool without a bound on disk, per run and over all runs; a result whose
// encoded size passes the 1 MiB a strict client accepts in one SSE event.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../../src/defaults.js';
import { buildServer } from '../../src/runner/buildServer.js';
import { parseConfig } from '../../src/runner/config.js';
import { RunSpool } from '../../src/runner/spool.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { ROOT, tempDir } from '../helpers/servers.js';

const tmp = tempDir();
const SCRIPTS = join(ROOT, 'test/fixtures/scripts');
const config = (extra = '') =>
  parseConfig(
    `tools:
  - name: bytes
    description: prints awkward bytes
    command: node
    args: ["${SCRIPTS}/bytes.mjs", "{{expected}}", "{{rounds}}"]
    parameters: { expected: { type: string }, rounds: { type: integer } }
  - name: flood
    description: prints 64 KiB lines
    command: node
    args: ["${SCRIPTS}/flood.mjs", "{{lines}}"]
    parameters: { lines: { type: integer } }
${extra}`,
    join(tmp.dir, 'sluice.yaml'),
  );

let spool: RunSpool;
let server: RunningHttpServer;
before(async () => {
  spool = new RunSpool({ dir: join(tmp.dir, 'runs-a'), maxBytesPerRun: 3 * 1024 * 1024 });
  server = await serveHttp(buildServer(config(), { spool }), { port: 0 });
});
after(async () => {
  await server.close();
  spool.close();
  tmp.remove();
});

const linkOf = (content: ReadonlyArray<{ type: string; uri?: string; size?: number }>) => content.find((c) => c.type === 'resource_link');
const idOf = (uri: string) => /^runs:\/\/([0-9a-f-]{36})\/stdout$/.exec(uri)![1]!;

test('the spool is the output byte for byte: CRLF, long lines, invalid UTF-8, no final newline; progress lines left out', async () => {
  const client = await connect(server.url, { era: 'modern' });
  const expected = join(tmp.dir, 'expected.bin');
  const progress: number[] = [];
  const result = await client.callTool('bytes', { expected, rounds: 4 }, { onProgress: (p) => progress.push(p.progress) });
  assert.equal(result.isError, undefined);
  assert.equal(progress.at(-1), 4, 'progress lines became progress');
  const link = linkOf(result.content)!;
  const file = spool.pathOf(idOf(link.uri!));
  const printed = readFileSync(expected);
  assert.ok(readFileSync(file).equals(printed), 'byte-identical to what was printed');
  assert.equal(link.size, statSync(file).size);
  const chunks: Uint8Array[] = [];
  for await (const chunk of client.readResourceStream(link.uri!)) chunks.push(chunk);
  assert.ok(Buffer.concat(chunks).equals(printed), 'and so is the resource read back');
  await client.close();
});

test('a large output answers in one message of at most 1 MiB, with the excerpt and the link', async () => {
  const client = await connect(server.url, { era: 'legacy' });
  // 4 MiB of output: far past the inline limit.
  const response = await client.callTool('flood', { lines: 64 });
  const size = Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 1, result: response }));
  assert.ok(size <= DEFAULT_MAX_MESSAGE_BYTES, `the result message is ${size} bytes`);
  const text = (response.content[0] as { text: string }).text;
  assert.match(text, /characters omitted; the full output is at runs:\/\//);
  assert.ok(linkOf(response.content) !== undefined);
  await client.close();
});

test('a run past the per-run spool cap is cut, and its result says so', async () => {
  const client = await connect(server.url, { era: 'modern' });
  const result = await client.callTool('flood', { lines: 80 }); // 5 MiB against a 3 MiB cap
  const link = linkOf(result.content)!;
  assert.equal(statSync(spool.pathOf(idOf(link.uri!))).size, 3 * 1024 * 1024);
  assert.equal(link.size, 3 * 1024 * 1024);
  assert.match((result.content[0] as { text: string }).text, /the full output was cut at 3145728 bytes \(the spool keeps at most 3145728 bytes per run\)/);
  await client.close();
});

test('all runs together stay under the total cap: the oldest finished outputs go first', async () => {
  const small = new RunSpool({ dir: join(tmp.dir, 'runs-b'), maxTotalBytes: 5 * 1024 * 1024 });
  const other = await serveHttp(buildServer(config(), { spool: small, inlineMaxBytes: 1024 }), { port: 0 });
  const client = await connect(other.url, { era: 'modern' });
  try {
    const files: string[] = [];
    for (let run = 0; run < 3; run++) {
      const result = await client.callTool('flood', { lines: 32 }); // 2 MiB each
      files.push(small.pathOf(idOf(linkOf(result.content)!.uri!)));
      assert.ok(small.totalBytes <= 5 * 1024 * 1024, `total ${small.totalBytes}`);
    }
    assert.equal(existsSync(files[0]!), false, 'the oldest output made room');
    assert.ok(existsSync(files[1]!) && existsSync(files[2]!), 'the newer ones are kept');
    assert.equal(statSync(files[2]!).size, 2 * 1024 * 1024, 'and whole');
  } finally {
    await client.close();
    await other.close();
    small.close();
  }
});

test('an inline limit past one message: the output is kept whole for the spool, the result is an excerpt that fits', async () => {
  const big = new RunSpool({ dir: join(tmp.dir, 'runs-c') });
  const other = await serveHttp(buildServer(config(), { spool: big, inlineMaxBytes: 8 * 1024 * 1024 }), { port: 0 });
  const client = await connect(other.url, { era: 'modern' });
  try {
    const result = await client.callTool('flood', { lines: 48 }); // 3 MiB: within the inline limit, past one message
    const size = Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: 1, result }));
    assert.ok(size <= DEFAULT_MAX_MESSAGE_BYTES, `the result message is ${size} bytes`);
    assert.match((result.content[0] as { text: string }).text, /characters omitted; the full output is at runs:\/\//);
    const link = linkOf(result.content)!;
    assert.equal(statSync(big.pathOf(idOf(link.uri!))).size, 3 * 1024 * 1024, 'the whole output was spooled');
  } finally {
    await client.close();
    await other.close();
    big.close();
  }
});
