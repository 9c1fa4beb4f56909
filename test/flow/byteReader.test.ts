// ByteReader: exact-length reads over any async source, bounded carry,
// give-back, and closing that stops the source.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { ByteReader } from '../../src/flow/byteReader.js';

async function* chunks(...parts: Array<string | Uint8Array>) {
  for (const part of parts) yield part;
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

test('reads exact lengths across chunk boundaries, shorter only at the end', async () => {
  const reader = new ByteReader(chunks('abc', 'defg', 'h'));
  assert.equal(text(await reader.read(2)), 'ab');
  assert.equal(text(await reader.read(4)), 'cdef');
  assert.equal(reader.position, 6);
  assert.equal(text(await reader.read(10)), 'gh');
  assert.equal(reader.done, true);
  assert.equal((await reader.read(5)).length, 0);
});

test('pulls the source only as far as a read needs (one chunk of read-ahead at most)', async () => {
  let pulled = 0;
  async function* counted() {
    for (let i = 0; i < 100; i++) {
      pulled++;
      yield new Uint8Array(10).fill(i);
    }
  }
  const reader = new ByteReader(counted());
  await reader.read(15);
  assert.equal(pulled, 2);
  assert.equal(reader.bufferedBytes, 5);
});

test('strings are UTF-8; Node Readables and web ReadableStreams are sources', async () => {
  assert.deepEqual([...(await new ByteReader(chunks('é')).read(10))], [0xc3, 0xa9]);
  const node = new ByteReader(Readable.from([Buffer.from('no'), Buffer.from('de')]));
  assert.equal(text(await node.read(10)), 'node');
  const web = new ByteReader(
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('web'));
        c.close();
      },
    }) as unknown as AsyncIterable<Uint8Array>,
  );
  assert.equal(text(await web.read(10)), 'web');
});

test('unread gives bytes back to the front', async () => {
  const reader = new ByteReader(chunks('abcdef'));
  const got = await reader.read(4);
  reader.unread(got.subarray(2));
  assert.equal(reader.position, 2);
  assert.equal(text(await reader.read(10)), 'cdef');
});

test('skip discards in bounded steps and stops at the end', async () => {
  const reader = new ByteReader(chunks('0123456789'));
  await reader.skip(4, 3);
  assert.equal(text(await reader.read(2)), '45');
  await reader.skip(100);
  assert.equal(reader.done, true);
  assert.equal(reader.position, 10);
});

test('a failing source rejects the read and is closed', async () => {
  async function* failing() {
    yield 'ok';
    throw new Error('disk on fire');
  }
  const reader = new ByteReader(failing());
  await assert.rejects(reader.read(10), /disk on fire/);
  await assert.rejects(reader.read(1), /closed/);
});

test('close stops the source: a generator runs its finally, a Readable is destroyed', async () => {
  let cleaned = false;
  async function* endless() {
    try {
      for (;;) yield 'x';
    } finally {
      cleaned = true;
    }
  }
  const reader = new ByteReader(endless());
  await reader.read(3);
  await reader.close();
  assert.equal(cleaned, true);
  const readable = Readable.from((async function* () {
    for (;;) yield Buffer.from('y');
  })());
  const nodeReader = new ByteReader(readable);
  await nodeReader.read(2);
  await nodeReader.close();
  assert.equal(readable.destroyed, true);
});

test('a source yielding something other than bytes or strings is a clear error', async () => {
  const reader = new ByteReader((async function* () {
    yield 42 as unknown as string;
  })());
  await assert.rejects(reader.read(1), /yielded number; expected bytes/);
});
