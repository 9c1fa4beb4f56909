// Windowed resources/read: windows tile the source byte for byte, text never
// splits a character, non-UTF-8 goes as blob, sequential readers are parked
// between windows (bounded, TTL, released on close), and failures are errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProtocolError, type ReadResourceResult } from '@modelcontextprotocol/server';
import { PAGING_NOTE_META_KEY, WINDOW_META_KEY, type WindowInfo } from '../../src/protocol/wire.js';
import { ReadCursors } from '../../src/server/readCursors.js';
import type { RandomAccessBody, ResourceBody, StreamedBody } from '../../src/server/resourceBody.js';
import { type ParsedRead, parseReadRequest, readWindowed } from '../../src/server/windowedRead.js';
import { FakeClock } from '../helpers/fakeClock.js';

const URI = 'mem://doc';

function memoryBody(bytes: Uint8Array, mimeType = 'text/plain'): RandomAccessBody {
  return { size: bytes.length, mimeType, readAt: async (offset, length) => bytes.subarray(offset, offset + length) };
}

function streamBody(bytes: Uint8Array, chunk = 7, onClose?: () => void): StreamedBody {
  return {
    mimeType: 'text/plain',
    stream: (async function* () {
      try {
        for (let at = 0; at < bytes.length; at += chunk) yield bytes.subarray(at, at + chunk);
      } finally {
        onClose?.();
      }
    })(),
  };
}

function windowOf(result: ReadResourceResult): WindowInfo {
  return result._meta?.[WINDOW_META_KEY] as WindowInfo;
}

function bytesOf(result: ReadResourceResult): Buffer {
  const first = result.contents[0]!;
  return 'blob' in first ? Buffer.from(first.blob, 'base64') : Buffer.from(first.text, 'utf8');
}

const read = (offset: number, length: number, readId = 'r1'): ParsedRead =>
  parseReadRequest(URI, { [WINDOW_META_KEY]: { offset, length, readId } });

async function readAll(open: () => ResourceBody, length: number, cursors = new ReadCursors(new FakeClock())) {
  const parts: Buffer[] = [];
  const kinds: string[] = [];
  let offset = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const result = await readWindowed(read(offset, length), async () => open(), { maxWindowBytes: 1 << 20, mimeType: undefined, cursors });
    const info = windowOf(result);
    assert.equal(info.offset, offset);
    parts.push(bytesOf(result));
    kinds.push('text' in result.contents[0]! ? 'text' : 'blob');
    offset = info.next;
    if (info.end) return { bytes: Buffer.concat(parts), kinds, cursors };
  }
  throw new Error('never ended');
}

const MIXED = Buffer.from('a€b😀c日本語\n'.repeat(5), 'utf8');

test('text windows never end inside a character, at every window length, and tile the source exactly', async () => {
  for (let length = 4; length <= 13; length++) {
    const random = await readAll(() => memoryBody(MIXED), length);
    assert.deepEqual(random.bytes, MIXED, `random access, length ${length}`);
    assert.ok(random.kinds.every((k) => k === 'text'), `every window is text (length ${length})`);
    const sequential = await readAll(() => streamBody(MIXED), length);
    assert.deepEqual(sequential.bytes, MIXED, `sequential, length ${length}`);
    assert.ok(sequential.kinds.every((k) => k === 'text'));
  }
});

test('bytes that are not UTF-8 go as a blob, byte for byte; binary types are always blobs', async () => {
  const bad = Buffer.from([0x61, 0xff, 0xfe, 0x00, 0x62, 0xc3]);
  const { bytes, kinds } = await readAll(() => memoryBody(bad), 4);
  assert.deepEqual(bytes, bad);
  assert.ok(kinds.includes('blob'));
  const png = await readAll(() => memoryBody(Buffer.from('plain ascii'), 'image/png'), 64);
  assert.deepEqual(png.kinds, ['blob']);
  const bom = Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]);
  assert.deepEqual((await readAll(() => memoryBody(bom), 64)).bytes, bom, 'a leading BOM is kept');
});

test('an empty resource is one empty window at its end', async () => {
  for (const open of [() => memoryBody(new Uint8Array(0)), () => streamBody(new Uint8Array(0))]) {
    const result = await readWindowed(read(0, 10), async () => open(), { maxWindowBytes: 100, mimeType: undefined, cursors: new ReadCursors(new FakeClock()) });
    assert.deepEqual(result.contents, [{ uri: URI, mimeType: 'text/plain', text: '' }]);
    assert.equal(windowOf(result).end, true);
    assert.equal(windowOf(result).next, 0);
  }
});

test('a sequential source is opened once for all its windows; a stop releases its reader', async () => {
  let opened = 0;
  let closed = 0;
  const source = Buffer.from('x'.repeat(100));
  const open = () => {
    opened++;
    return streamBody(source, 10, () => closed++);
  };
  const { bytes, cursors } = await readAll(open, 16);
  assert.deepEqual(bytes, source);
  assert.equal(opened, 1);
  assert.equal(closed, 1, 'the reader closed at the end');
  assert.equal(cursors.size, 0);

  // Stop after one window, then release: the parked reader closes its source.
  const options = { maxWindowBytes: 100, mimeType: undefined, cursors };
  await readWindowed(read(0, 16, 'r2'), async () => open(), options);
  assert.equal(cursors.size, 1);
  await readWindowed(parseReadRequest(URI, { [WINDOW_META_KEY]: { readId: 'r2', close: true } }), async () => open(), options);
  assert.equal(cursors.size, 0);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(closed, 2);
});

test('parked readers close after their idle TTL and beyond the limit (oldest first)', async () => {
  const clock = new FakeClock();
  const cursors = new ReadCursors(clock, { ttlMs: 1000, max: 2 });
  const closed: string[] = [];
  const options = { maxWindowBytes: 100, mimeType: undefined, cursors };
  for (const id of ['a', 'b', 'c']) {
    await readWindowed(read(0, 4, id), async () => streamBody(Buffer.from('0123456789'), 10, () => closed.push(id)), options);
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(closed, ['a'], 'the limit closes the longest idle');
  clock.advance(1000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(closed.sort(), ['a', 'b', 'c']);
  assert.equal(cursors.size, 0);
});

test('a window past the end is -32602; a source failing midway is -32603 naming the byte', async () => {
  const options = { maxWindowBytes: 100, mimeType: undefined, cursors: new ReadCursors(new FakeClock()) };
  await assert.rejects(readWindowed(read(11, 4), async () => memoryBody(Buffer.from('0123456789')), options), (e: ProtocolError) => {
    assert.equal(e.code, -32602);
    assert.match(e.message, /offset 11 is past the end of mem:\/\/doc \(10 bytes\)/);
    return true;
  });
  const failing: StreamedBody = {
    stream: (async function* () {
      yield 'abcdefgh';
      throw new Error('upstream closed');
    })(),
  };
  await assert.rejects(readWindowed(read(0, 100), async () => failing, options), (e: ProtocolError) => {
    assert.equal(e.code, -32603);
    assert.match(e.message, /failed at byte 8: upstream closed/);
    return true;
  });
});

test('no window asked: the first window plus a note on how to read on; windows are capped', async () => {
  const options = { maxWindowBytes: 8, mimeType: undefined, cursors: new ReadCursors(new FakeClock()) };
  const result = await readWindowed(parseReadRequest(URI, undefined), async () => memoryBody(Buffer.from('0123456789abc')), options);
  assert.equal(result.contents.length, 2);
  assert.equal(bytesOf(result).toString(), '01234567');
  const note = result.contents[1]!;
  assert.ok('text' in note);
  assert.match(note.text, /bytes 0-7 of 13 of mem:\/\/doc/);
  assert.match(note.text, /"mem:\/\/doc\?offset=8&length=8"/);
  const last = await readWindowed(parseReadRequest(`${URI}?offset=8&length=8`, undefined), async () => memoryBody(Buffer.from('0123456789abc')), options);
  assert.equal(bytesOf(last).toString(), '89abc');
  assert.equal(last.contents.length, 1, 'an explicit window gets no note');
  assert.equal(windowOf(last).end, true);
});

test('window requests are validated precisely', () => {
  assert.throws(() => parseReadRequest(URI, { [WINDOW_META_KEY]: { offset: -1, length: 4 } }), /offset must be an integer >= 0; got -1/);
  assert.throws(() => parseReadRequest(URI, { [WINDOW_META_KEY]: { offset: 0, length: 0 } }), /length must be an integer >= 1/);
  assert.throws(() => parseReadRequest(URI, { [WINDOW_META_KEY]: 'all' }), /must be an object/);
  assert.throws(() => parseReadRequest(`${URI}?offset=x`, undefined), /Invalid offset=x/);
  const parsed = parseReadRequest('mem://doc?v=2&offset=5&length=3', undefined);
  assert.equal(parsed.uri, 'mem://doc?v=2');
  assert.deepEqual(parsed.window, { offset: 5, length: 3, readId: '', close: false, blob: false });
  assert.equal(parseReadRequest('mem://doc?v=2', undefined).window, undefined);
});

test('the paging note tells the truth and is marked so a client joining contents can leave it out', async () => {
  const options = { maxWindowBytes: 8, mimeType: undefined, cursors: new ReadCursors(new FakeClock()) };
  const body = () => memoryBody(Buffer.from('0123456789abcdefghij'));
  const first = await readWindowed(parseReadRequest(URI, undefined), async () => body(), options);
  const note = first.contents[1]! as { uri: string; text: string; _meta?: Record<string, unknown> };
  assert.equal(note._meta?.[PAGING_NOTE_META_KEY], true);
  assert.equal(note.uri, 'mem://doc#sluice-note', 'never the resource\'s own URI');
  assert.match(note.text, /keep reading from "next" until "end" is true/);
  assert.match(note.text, /A window may be shorter than asked without being the last/);
  assert.match(note.text, /a length above 8 bytes is cut to it/);
  const middle = await readWindowed(parseReadRequest(`${URI}?offset=8&length=100`, undefined), async () => body(), options);
  assert.equal(bytesOf(middle).toString(), '89abcdef', 'a URI length above the cap is cut…');
  assert.equal(windowOf(middle).maxLength, 8, '…and the answer says to what');
  assert.equal(middle.contents.length, 2, 'a URI window that is not the last carries the note too');
  assert.match((middle.contents[1] as { text: string }).text, /"mem:\/\/doc\?offset=16&length=8"/);
  const joined = [first, middle].flatMap((r) => r.contents.filter((c) => c._meta?.[PAGING_NOTE_META_KEY] !== true)).map((c) => (c as { text: string }).text).join('');
  assert.equal(joined, '0123456789abcdef', 'leaving out marked items gives the bytes of the resource only');
  const viaMeta = await readWindowed(parseReadRequest(URI, { [WINDOW_META_KEY]: { offset: 0, length: 100 } }), async () => body(), options);
  assert.equal(viaMeta.contents.length, 1, 'a client that sizes windows in _meta gets no note');
  assert.equal(windowOf(viaMeta).length, 8);
  assert.equal(windowOf(viaMeta).maxLength, 8);
});

test('a window sized by sluice fits one message once encoded, however much escaping it needs', async () => {
  // Control characters are escaped as \u00XX: 6 bytes on the wire for each byte of the file.
  const controls = Buffer.alloc(4000, 0x01);
  const options = { maxWindowBytes: 4000, mimeType: 'text/plain', cursors: new ReadCursors(new FakeClock()), maxMessageBytes: 8 * 1024 + 3000 };
  let offset = 0;
  let text = '';
  for (let guard = 0; guard < 100; guard++) {
    const page = await readWindowed(parseReadRequest(offset === 0 ? URI : `${URI}?offset=${offset}`, undefined), async () => memoryBody(controls), options);
    const data = page.contents[0] as { text: string };
    assert.ok(Buffer.byteLength(JSON.stringify(data.text)) <= 3000, `window at ${offset} is ${Buffer.byteLength(JSON.stringify(data.text))} bytes encoded`);
    text += data.text;
    if (windowOf(page).end) break;
    offset = windowOf(page).next;
  }
  assert.equal(text, controls.toString(), 'the windows still tile the file');
  const sequential = await readWindowed(parseReadRequest(URI, undefined), async () => streamBody(controls, 1000), options);
  assert.ok(Buffer.byteLength(JSON.stringify((sequential.contents[0] as { text: string }).text)) <= 3000, 'sequential bodies too');
});
