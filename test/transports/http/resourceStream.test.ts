// The raw resources/stream body reads one chunk ahead of its reader and no more.
// Guards against: the socket idling through every source read (no read ahead: about half the
// loopback ceiling, the bench's raw-read row), and a read ahead that grows past one chunk (a
// reader that stops must hold the source back at once).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Activity } from '../../../src/server/activity.js';
import type { RandomAccessBody } from '../../../src/server/resourceBody.js';
import type { SluiceServer } from '../../../src/server/sluiceServer.js';
import { serveResourceStream } from '../../../src/transports/http/resourceStream.js';
import { RESOURCE_STREAMING_CLIENT_CAPABILITY } from '../../../src/protocol/wire.js';

const CHUNK = 1024;
const SIZE = 10 * CHUNK;

function countingBody(): { body: RandomAccessBody; reads: number[]; next: () => Promise<void> } {
  const reads: number[] = [];
  let waiters: Array<() => void> = [];
  const body: RandomAccessBody = {
    size: SIZE,
    readAt: async (offset, length) => {
      reads.push(offset);
      for (const wake of waiters) wake();
      waiters = [];
      return new Uint8Array(Math.min(length, SIZE - offset));
    },
  };
  return { body, reads, next: () => new Promise<void>((resolve) => waiters.push(resolve)) };
}

test('one chunk is read ahead of the reader, never two', async () => {
  const source = countingBody();
  const sluice = { activity: new Activity(), openResourceBody: async () => ({ body: source.body, mimeType: 'application/octet-stream' }) } as unknown as SluiceServer;
  const firstRead = source.next();
  const response = await serveResourceStream(sluice, new Request('http://127.0.0.1/mcp', { method: 'POST' }), { jsonrpc: '2.0', id: 1, method: 'resources/stream', params: { uri: 'x://y' } }, {
    chunkBytes: CHUNK,
    clientCapabilities: { [RESOURCE_STREAMING_CLIENT_CAPABILITY]: {} },
    signal: new AbortController().signal,
  });
  assert.equal(response.status, 200);
  // Nobody reads yet: the first chunk is read ahead, and only it.
  await firstRead;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(source.reads, [0]);
  const reader = response.body!.getReader();
  for (let taken = 1; taken <= 3; taken++) {
    const ahead = source.next();
    const chunk = await reader.read();
    assert.equal(chunk.value?.length, CHUNK);
    await ahead; // taking a chunk reads the next one ahead
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(source.reads, Array.from({ length: taken + 1 }, (_, i) => i * CHUNK));
  }
  await reader.cancel();
});
