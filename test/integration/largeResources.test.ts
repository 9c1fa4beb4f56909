// Large resources over real sockets and processes: readResourceStream is
// byte-identical on every transport (raw resources/stream over HTTP, windows
// over HTTP and stdio), with multi-byte characters straddling every chunk
// boundary, empty files and files that are not UTF-8; a source failing midway
// is an error, never a short success; a reader that stops early frees the
// server side at once; stock clients get a first window and a note, and can
// page with ?offset=&length=; resources/stream answers per SEP-2532.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CLIENT_CAPABILITIES_META_KEY, CLIENT_INFO_META_KEY, PROTOCOL_VERSION_META_KEY } from '@modelcontextprotocol/client';
import { connect, type SluiceClient } from '../../src/client/index.js';
import { CancelledError, RemoteError, StreamLostError } from '../../src/errors.js';
import { DEFAULT_CHUNK_SIZE_BYTES, DEFAULT_READ_WINDOW_BYTES, DEFAULT_WINDOW_SIZE_BYTES } from '../../src/defaults.js';
import { STREAMED_META_KEY, WINDOW_META_KEY } from '../../src/protocol/wire.js';
import { serveHttp, type RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { LINE_COUNT, linesText, produced, resourceServer } from '../fixtures/resourceServer.js';
import { waitFor } from '../helpers/processes.js';
import { CLI, INITIALIZE, post, ROOT, tempDir, v2Client } from '../helpers/servers.js';

const tmp = tempDir();
const MARKS = join(tmp.dir, 'marks.txt');
const FIXTURE = join(ROOT, 'test/fixtures/resourceServer.ts');
const STDIO_TARGET = `stdio:${process.execPath} --import tsx ${FIXTURE} ${join(tmp.dir, 'files')} ${MARKS}`;
let server: RunningHttpServer;

// Multi-byte characters (2, 3 and 4 bytes) at every alignment: across 64 KiB windows and any chunk size, some straddle.
const MIXED = Buffer.from('a€😀日本é'.repeat(40_000), 'utf8');
const FILES: Record<string, Buffer> = {
  'mixed.txt': MIXED,
  'empty.txt': Buffer.alloc(0),
  'random.bin': randomBytes(300_000),
  'notutf8.txt': Buffer.concat([Buffer.from('starts as text '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' then garbage')]),
  'logs/big.log': Buffer.from(Array.from({ length: 60_000 }, (_, i) => `2026-11-21 INFO request ${i} ok\n`).join('')),
};

before(async () => {
  for (const [name, bytes] of Object.entries(FILES)) {
    const path = join(tmp.dir, 'files', name);
    await import('node:fs/promises').then((fs) => fs.mkdir(join(path, '..'), { recursive: true }));
    writeFileSync(path, bytes);
  }
  writeFileSync(MARKS, '');
  server = await serveHttp(resourceServer(join(tmp.dir, 'files'), MARKS), { port: 0 });
});
after(async () => {
  await server.close();
  tmp.remove();
});

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}

const marks = () => readFileSync(MARKS, 'utf8');

interface Target {
  readonly open: () => Promise<SluiceClient>;
  readonly raw: boolean;
}
const TARGETS: Record<string, Target> = {
  'http 2025 (raw)': { open: () => connect(server.url, { era: 'legacy' }), raw: true },
  'http 2026 (raw)': { open: () => connect(server.url, { era: 'modern' }), raw: true },
  'http 2025 (windows)': { open: () => connect(server.url, { era: 'legacy' }), raw: false },
  'http 2026 (windows)': { open: () => connect(server.url, { era: 'modern' }), raw: false },
  stdio: { open: () => connect(STDIO_TARGET), raw: false },
};

for (const [name, target] of Object.entries(TARGETS)) {
  test(`${name}: every file byte for byte, at several chunk sizes`, async () => {
    const client = await target.open();
    try {
      for (const [file, bytes] of Object.entries(FILES)) {
        for (const chunkSize of [65_536, 4_099]) {
          const stream = client.readResourceStream(`files://${file}`, { chunkSize, raw: target.raw });
          const got = await collect(stream);
          assert.equal(got.length, bytes.length, `${file} at ${chunkSize}: length`);
          assert.equal(sha(got), sha(bytes), `${file} at ${chunkSize}: content`);
          assert.equal(stream.mode, target.raw ? 'raw' : 'windows');
          assert.equal(stream.size, bytes.length);
          const stats = stream.stats();
          assert.equal(stats.bytes, bytes.length);
          assert.ok(stats.peakQueueDepth <= 4, `at most 4 chunks ahead (got ${stats.peakQueueDepth})`);
        }
      }
      // Unsized: windows of DEFAULT_WINDOW_SIZE_BYTES, raw chunks of at most DEFAULT_CHUNK_SIZE_BYTES.
      const unsized = client.readResourceStream('files://random.bin', { raw: target.raw });
      const sizes: number[] = [];
      for await (const chunk of unsized) sizes.push(chunk.length);
      assert.equal(sizes.reduce((a, b) => a + b, 0), FILES['random.bin']!.length);
      if (target.raw) assert.ok(Math.max(...sizes) <= DEFAULT_CHUNK_SIZE_BYTES, `raw chunks of at most ${DEFAULT_CHUNK_SIZE_BYTES} (got ${Math.max(...sizes)})`);
      else assert.deepEqual(sizes.slice(0, -1), Array(sizes.length - 1).fill(DEFAULT_WINDOW_SIZE_BYTES), 'default windows');
      // text() decodes incrementally: no character is garbled at a chunk boundary.
      let text = '';
      for await (const piece of client.readResourceStream('files://mixed.txt', { chunkSize: 1_001, raw: target.raw }).text()) text += piece;
      assert.equal(text, MIXED.toString('utf8'));
    } finally {
      await client.close();
    }
  });

  test(`${name}: a sequential source streams in order; lines() splits it`, async () => {
    const client = await target.open();
    try {
      const lines: string[] = [];
      for await (const line of client.readResourceStream('gen://lines', { chunkSize: 10_000, raw: target.raw }).lines()) lines.push(line);
      assert.equal(lines.length, LINE_COUNT);
      assert.equal(lines.join('\n') + '\n', linesText());
      // A whole-result resource still reads (the server answers it in one piece).
      const small = client.readResourceStream('mem://small', { raw: target.raw });
      assert.equal((await collect(small)).toString(), 'a whole, small result');
      assert.equal(small.mode, 'whole');
    } finally {
      await client.close();
    }
  });

  test(`${name}: a source that fails midway is an error, not a short success`, async () => {
    const client = await target.open();
    try {
      let received = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of client.readResourceStream('gen://failing', { raw: target.raw })) received += chunk.length;
        })(),
        (error: Error) => {
          assert.ok(error instanceof RemoteError || error instanceof StreamLostError, `typed error, got ${error.name}: ${error.message}`);
          if (error instanceof RemoteError) assert.match(error.message, /failed at byte 200000: the upstream database went away/);
          return true;
        },
      );
      assert.ok(received < 200_001);
    } finally {
      await client.close();
    }
  });

  test(`${name}: breaking out early stops the source on the server at once`, async () => {
    const client = await target.open();
    try {
      const before = marks().split('closed endless').length;
      for await (const chunk of client.readResourceStream('gen://endless', { raw: target.raw })) {
        assert.ok(chunk.length > 0);
        break;
      }
      await waitFor(() => marks().split('closed endless').length > before, 3000, 'the endless source was stopped');
      // Abort rejects with CancelledError and stops the source too.
      const controller = new AbortController();
      const started = marks().split('closed endless').length;
      await assert.rejects(
        (async () => {
          for await (const _ of client.readResourceStream('gen://endless', { raw: target.raw, signal: controller.signal })) controller.abort();
        })(),
        CancelledError,
      );
      await waitFor(() => marks().split('closed endless').length > started, 3000, 'the aborted source was stopped');
      // Throwing out of the loop stops it too.
      const beforeThrow = marks().split('closed endless').length;
      await assert.rejects(
        (async () => {
          for await (const _ of client.readResourceStream('gen://endless', { raw: target.raw })) throw new Error('consumer failed');
        })(),
        /consumer failed/,
      );
      await waitFor(() => marks().split('closed endless').length > beforeThrow, 3000, 'the source was stopped after a throw');
    } finally {
      await client.close();
    }
  });
}

test('against a plain SDK server (no windows, no raw streams) the client reads the whole content once', async () => {
  const { createServer } = await import('node:http');
  const { toNodeHandler } = await import('@modelcontextprotocol/node');
  const { createMcpHandler, McpServer } = await import('@modelcontextprotocol/server');
  const factory = () => {
    const plain = new McpServer({ name: 'plain', version: '1' });
    plain.registerResource('doc', 'plain://doc', { mimeType: 'text/plain' }, (uri) => ({ contents: [{ uri: uri.href, text: MIXED.toString('utf8') }] }));
    return plain;
  };
  const handler = toNodeHandler(createMcpHandler(factory));
  const http = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as import('node:net').AddressInfo).port}/mcp`;
  try {
    for (const era of ['legacy', 'modern'] as const) {
      const client = await connect(url, { era });
      try {
        const stream = client.readResourceStream('plain://doc');
        assert.deepEqual(await collect(stream), MIXED);
        assert.equal(stream.mode, 'whole');
      } finally {
        await client.close();
      }
    }
  } finally {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
});

test('a stock SDK client gets a bounded first window with a note, and pages with ?offset=&length=', async () => {
  const big = randomBytes(2_500_000).toString('hex'); // 5 MB of ASCII text
  writeFileSync(join(tmp.dir, 'files', 'huge.txt'), big);
  for (const era of ['legacy', 'modern'] as const) {
    const client = await v2Client(server.url, era);
    try {
      const first = await client.readResource({ uri: 'files://huge.txt' });
      assert.equal(first.contents.length, 2);
      const head = first.contents[0]!;
      assert.ok('text' in head);
      assert.equal(head.text.length, DEFAULT_READ_WINDOW_BYTES, 'the first window is the default window (sized to fit one message)');
      const note = first.contents[1]!;
      assert.ok('text' in note);
      const next = /resources\/read with the URI "([^"]+)"/.exec(note.text)?.[1];
      assert.equal(next, `files://huge.txt?offset=${DEFAULT_READ_WINDOW_BYTES}&length=${DEFAULT_READ_WINDOW_BYTES}`);
      // Follow the note like a model would: page until a window is short.
      let text = head.text;
      let uri = next!;
      for (let guard = 0; guard < 10; guard++) {
        const page = await client.readResource({ uri });
        const body = page.contents[0]!;
        assert.ok('text' in body);
        text += body.text;
        const window = page._meta?.[WINDOW_META_KEY] as { next: number; end: boolean; length: number };
        if (window.end) break;
        uri = `files://huge.txt?offset=${window.next}&length=${window.length}`;
      }
      assert.equal(text, big);
    } finally {
      await client.close();
    }
  }
});

test('a stock SDK client paging text windows gets every character whole, in windows that tile the file', async () => {
  const client = await v2Client(server.url, 'modern');
  try {
    let text = '';
    let offset = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const page = await client.readResource({ uri: 'files://mixed.txt', _meta: { [WINDOW_META_KEY]: { offset, length: 4099 } } });
      const body = page.contents[0]!;
      assert.ok('text' in body, `window at ${offset} is text`);
      text += body.text;
      const window = page._meta?.[WINDOW_META_KEY] as { offset: number; next: number; end: boolean };
      assert.equal(window.offset, offset);
      offset = window.next;
      if (window.end) break;
    }
    assert.equal(text, MIXED.toString('utf8'));
  } finally {
    await client.close();
  }
});

test('listings say which resources stream and their size; resources.stream is declared over HTTP', async () => {
  const init = await post(server.url, { ...INITIALIZE, params: { ...INITIALIZE.params, capabilities: { resourceStreaming: {} } } });
  const sessionId = init.headers.get('mcp-session-id')!;
  const initText = await init.text();
  assert.match(initText, /"resources":\{"stream":true\}/);
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': '2025-11-25' };
  const listed = await post(server.url, { jsonrpc: '2.0', id: 2, method: 'resources/list' }, headers);
  const text = await listed.text();
  const resources = JSON.parse(/data: (\{.*)/.exec(text)![1]!).result.resources as Array<Record<string, unknown>>;
  const mixed = resources.find((r) => r.uri === 'files://mixed.txt')!;
  assert.equal(mixed.size, MIXED.length);
  assert.equal(mixed.streamable, true);
  assert.deepEqual((mixed._meta as Record<string, unknown>)[STREAMED_META_KEY], { windows: true, size: MIXED.length });
  const lines = resources.find((r) => r.uri === 'gen://lines')!;
  assert.deepEqual((lines._meta as Record<string, unknown>)[STREAMED_META_KEY], { windows: true });
  const small = resources.find((r) => r.uri === 'mem://small')!;
  assert.equal(small._meta, undefined);
  const templates = await post(server.url, { jsonrpc: '2.0', id: 3, method: 'resources/templates/list' }, headers);
  const listedTemplates = JSON.parse(/data: (\{.*)/.exec(await templates.text())![1]!).result.resourceTemplates as Array<Record<string, unknown>>;
  const files = listedTemplates.find((t) => t.uriTemplate === 'files://{+path}')!;
  assert.equal(files.streamable, true);
  assert.deepEqual((files._meta as Record<string, unknown>)[STREAMED_META_KEY], { windows: true });
  await fetch(server.url, { method: 'DELETE', headers: { 'mcp-session-id': sessionId } });

  // Over stdio there is no raw stream: the capability is not declared, listings still carry _meta.
  const client = await connect(STDIO_TARGET);
  try {
    const list = await client.sdk.listResources();
    const entry = list.resources.find((r) => r.uri === 'files://mixed.txt')!;
    assert.deepEqual(entry._meta?.[STREAMED_META_KEY], { windows: true, size: MIXED.length });
  } finally {
    await client.close();
  }
});

/** A 2026-07-28 `resources/stream` POST, envelope and all. */
function streamRequest(uri: string, capabilities: Record<string, unknown> = { resourceStreaming: {} }, headers: Record<string, string> = {}) {
  return post(
    server.url,
    {
      jsonrpc: '2.0',
      id: 7,
      method: 'resources/stream',
      params: {
        uri,
        _meta: {
          [PROTOCOL_VERSION_META_KEY]: '2026-07-28',
          [CLIENT_CAPABILITIES_META_KEY]: capabilities,
          [CLIENT_INFO_META_KEY]: { name: 'raw', version: '0' },
        },
      },
    },
    { accept: 'application/json, */*', 'mcp-protocol-version': '2026-07-28', ...headers },
  );
}

test('resources/stream: raw bytes with SEP-2532 headers, Range requests, precise errors', async () => {
  const ok = await streamRequest('files://random.bin');
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('content-type'), 'application/octet-stream');
  assert.equal(ok.headers.get('content-length'), String(FILES['random.bin']!.length));
  assert.equal(ok.headers.get('mcp-resource-uri'), 'files://random.bin');
  assert.equal(ok.headers.get('content-disposition'), 'attachment; filename="random.bin"');
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  assert.equal(ok.headers.get('accept-ranges'), 'bytes');
  assert.deepEqual(Buffer.from(await ok.arrayBuffer()), FILES['random.bin']);

  const ranged = await streamRequest('files://random.bin', undefined, { range: 'bytes=1000-1999' });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.headers.get('content-range'), `bytes 1000-1999/${FILES['random.bin']!.length}`);
  assert.deepEqual(Buffer.from(await ranged.arrayBuffer()), FILES['random.bin']!.subarray(1000, 2000));
  const suffix = await streamRequest('files://random.bin', undefined, { range: 'bytes=-10' });
  assert.deepEqual(Buffer.from(await suffix.arrayBuffer()), FILES['random.bin']!.subarray(-10));
  const unsatisfiable = await streamRequest('files://random.bin', undefined, { range: 'bytes=999999-' });
  assert.equal(unsatisfiable.status, 416);
  assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${FILES['random.bin']!.length}`);

  const sequential = await streamRequest('gen://lines');
  assert.equal(sequential.headers.get('accept-ranges'), 'none');
  assert.equal(sequential.headers.get('content-length'), null);
  assert.equal(await sequential.text(), linesText());

  const errorOf = async (response: Response) => {
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /application\/json/);
    return ((await response.json()) as { id: number; error: { code: number; message: string } });
  };
  const missing = await errorOf(await streamRequest('files://nope.txt'));
  assert.equal(missing.error.code, -32602);
  assert.equal(missing.id, 7);
  assert.equal((await errorOf(await streamRequest('files://../../etc/passwd'))).error.code, -32602);
  const whole = await errorOf(await streamRequest('mem://small'));
  assert.equal(whole.error.code, -32003);
  assert.match(whole.error.message, /read it with resources\/read/);
  const tooLarge = await errorOf(await streamRequest('files://random.bin', { resourceStreaming: { maxStreamSize: 1000 } }));
  assert.equal(tooLarge.error.code, -32004);
  const undeclared = await errorOf(await streamRequest('files://random.bin', {}));
  assert.equal(undeclared.error.code, -32021);

  const badOrigin = await streamRequest('files://random.bin', undefined, { origin: 'http://evil.example.com' });
  assert.equal(badOrigin.status, 403);
  const noSession = await post(server.url, { jsonrpc: '2.0', id: 1, method: 'resources/stream', params: { uri: 'files://random.bin' } }, { 'mcp-session-id': 'nope' });
  assert.equal(noSession.status, 404);
  // The server kept serving through all of that.
  const again = await streamRequest('files://empty.txt');
  assert.equal(again.status, 200);
  assert.equal((await again.arrayBuffer()).byteLength, 0);
});

test('a raw stream reads its source only as fast as the socket drains, and a cancel stops it', async () => {
  produced.bytes = 0;
  const response = await streamRequest('gen://counted');
  const reader = response.body!.getReader();
  await reader.read();
  // The client stops reading: the source may fill the socket buffers, nothing more.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const stalled = produced.bytes;
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(produced.bytes, stalled, 'nothing more is produced while the client does not read');
  // Loopback socket buffers autotune to several MiB each way; 200 MiB would be produced without flow control.
  assert.ok(stalled < 64 * 1024 * 1024, `at most socket buffers are in flight (produced ${stalled} of 200 MiB)`);
  const before = marks().split('closed counted').length;
  await reader.cancel();
  await waitFor(() => marks().split('closed counted').length > before, 3000, 'the counted source was stopped');
});

test('a raw stream that fails midway cuts the connection: the body errors, it does not end cleanly', async () => {
  const response = await streamRequest('gen://failing');
  assert.equal(response.status, 200);
  await assert.rejects(response.arrayBuffer());
});

test('sluice read: byte-identical to a file over stdio and HTTP; a failed read leaves no file; bad --chunk-size is exit 2', async () => {
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'read', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  for (const [target, file] of [
    [STDIO_TARGET, 'mixed.txt'],
    [server.url, 'random.bin'],
  ] as const) {
    const out = join(tmp.dir, `out-${file}`);
    const result = await run([target, `files://${file}`, '-o', out, '--chunk-size', '5000']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(sha(readFileSync(out)), sha(FILES[file]!));
    assert.match(result.stderr, new RegExp(`read ${FILES[file]!.length} bytes`));
  }
  const failedOut = join(tmp.dir, 'failed.bin');
  const failed = await run([server.url, 'gen://failing', '-o', failedOut]);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /sluice: .*(broke|failed)/);
  assert.equal(existsSync(failedOut), false);
  assert.equal(existsSync(`${failedOut}.sluice-partial`), false);
  const bad = await run([server.url, 'files://mixed.txt', '--chunk-size', 'lots']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--chunk-size lots/);
});
