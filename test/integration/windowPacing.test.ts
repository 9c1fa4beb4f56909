// What windowed reads ask of the garbage collector (where `gc` is exposed), on both sides.
// Guards against: windows paced by incremental full collections again (their marking slowed a
// busy stdio read), a client reading windows paced as rarely as raw streams (its growth doubled),
// and a server that never collects fully over a long read (its RSS grew 65-71 MB on 1 GiB). Its
// own file: the process-wide pacers take the runtime's `gc` when first used, so the spy must be in
// place before; one test, since both parts count into the same pacers.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { DEFAULT_FULL_COLLECT_EVERY_BYTES, DEFAULT_MINOR_COLLECT_EVERY_BYTES, DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES } from '../../src/defaults.js';
import { WINDOW_META_KEY } from '../../src/protocol/wire.js';
import { ReadCursors } from '../../src/server/readCursors.js';
import { parseReadRequest, readWindowed } from '../../src/server/windowedRead.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { startConfig, tempDir } from '../helpers/servers.js';

const collections: string[] = [];
(globalThis as { gc?: unknown }).gc = (options?: { type: string; execution: string }) =>
  collections.push(options === undefined ? 'full, at once' : `${options.type}, ${options.execution}`);
const MiB = 1024 * 1024;
const tmp = tempDir();
after(() => tmp.remove());

test('windows: a client makes a minor collection every 2 MiB; a server, every 8 MiB, and a full one, at once, every 64 MiB', async () => {
  // Three and a half intervals: each collection starts the count again, so the window that crosses one spills past it.
  const size = 3.5 * DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES;
  writeFileSync(join(tmp.dir, 'seven.bin'), randomBytes(size));
  const server = await startConfig(`resources:\n  - uri: "file:///{+name}"\n    name: files\n    directory: ${JSON.stringify(tmp.dir)}\n`, tmp.dir);
  const client = await connect(server.url, { era: 'modern' });
  try {
    let bytes = 0;
    for await (const chunk of client.readResourceStream('file:///seven.bin', { raw: false })) bytes += chunk.length;
    assert.equal(bytes, size);
    assert.ok(size < DEFAULT_MINOR_COLLECT_EVERY_BYTES, 'the server answered too little for a collection of its own');
    assert.deepEqual(collections, ['minor, async', 'minor, async', 'minor, async'], "the client's, one per 2 MiB");
  } finally {
    await client.close();
    await server.close();
  }
  collections.length = 0;
  const source = Buffer.alloc(MiB, 7);
  const body = { size: 128 * MiB, mimeType: 'application/octet-stream', readAt: async (_offset: number, length: number) => source.subarray(0, length) };
  const options = { maxWindowBytes: MiB, mimeType: undefined, cursors: new ReadCursors(new FakeClock()) };
  const before = size; // what the server already counted above
  const windows = (DEFAULT_FULL_COLLECT_EVERY_BYTES - before) / MiB;
  for (let i = 0; i < windows; i++) {
    await readWindowed(parseReadRequest('mem://big', { [WINDOW_META_KEY]: { offset: i * MiB, length: MiB, blob: true } }), async () => body, options);
  }
  const minors = Math.floor(DEFAULT_FULL_COLLECT_EVERY_BYTES / DEFAULT_MINOR_COLLECT_EVERY_BYTES);
  assert.deepEqual(collections.filter((c) => c === 'minor, async').length, minors);
  assert.deepEqual(collections.filter((c) => c !== 'minor, async'), ['full, at once'], 'one full collection, never an incremental one');
});
