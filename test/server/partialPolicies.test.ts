// Guards the slow-consumer policies for partial results against a full
// stream (a stream log nobody reads): block holds the producer; drop-newest drops
// new chunks; drop-oldest keeps the newest 16 queued; coalesce-latest keeps
// only the newest. Dropped chunks leave gaps in seq, never reorder it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryEventLog } from '../../src/stores/memory/memoryEventLog.js';
import { PARTIAL_QUEUE_LIMIT, PartialEmitter, type PartialPolicy } from '../../src/server/partial.js';

const noFallback = { setLatestLine: () => {}, chunkProgress: () => {} };
const tick = () => new Promise((r) => setImmediate(r));

/** The reading side of one stream: `delivered()` takes everything appended so far. */
interface Reader {
  delivered(): void;
  readonly closed: boolean;
  close(): void;
}

function setup(policy: PartialPolicy) {
  const log = new MemoryEventLog({ highWaterBytes: 100 });
  const stream = log.openStreamNow();
  const sent: number[] = [];
  // As a transport does: each notification is appended to the log, waiting for room.
  const send = async (n: { method: string; params: Record<string, unknown> }) => {
    sent.push(n.params.seq as number);
    await log.append(stream, JSON.stringify(n), { wait: true });
  };
  const emitter = new PartialEmitter('t', send, noFallback, log.pressure(stream), policy);
  const cursor = log.cursor(stream, undefined);
  let closed = false;
  const meter: Reader = {
    delivered: () => void log.lastEventId(stream).then((id) => id !== undefined && cursor.delivered(id)),
    get closed() {
      return closed;
    },
    close: () => {
      closed = true;
    },
  };
  return { meter, sent, emitter };
}

/** The client reads everything until the emitter has finished. */
async function finishWhileReading(meter: Reader, emitter: PartialEmitter): Promise<void> {
  const reading = (async () => {
    while (!meter.closed) {
      meter.delivered();
      await tick();
    }
  })();
  await emitter.finish();
  meter.close();
  await reading;
}

/** Emits `n` chunks of 60 bytes (over the 100-byte mark after the first two). */
async function flood(emitter: PartialEmitter, n: number): Promise<number> {
  let returned = 0;
  for (let i = 0; i < n; i++) {
    void emitter.emit('x'.repeat(10)).then(() => returned++);
    await tick();
  }
  return returned;
}

test('block: the producer waits; everything arrives in order once the client reads', async () => {
  const { meter, sent, emitter } = setup('block');
  const returned = await flood(emitter, 10);
  assert.ok(returned < 10, 'producers are held back');
  while (sent.length < 10) {
    meter.delivered();
    await tick();
  }
  assert.deepEqual(sent, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('drop-newest: new chunks are dropped while the stream is full', async () => {
  const { meter, sent, emitter } = setup('drop-newest');
  assert.equal(await flood(emitter, 10), 10, 'the producer never waits');
  for (let i = 0; i < 20; i++) meter.delivered();
  await emitter.finish();
  assert.ok(emitter.dropped > 0);
  assert.deepEqual([...sent].sort((a, b) => a - b), sent, 'in seq order');
  assert.equal(sent.length + emitter.dropped, 10);
});

test('drop-oldest: the newest chunks are kept, the oldest queued go', async () => {
  const { meter, sent, emitter } = setup('drop-oldest');
  assert.equal(await flood(emitter, 40), 40);
  await finishWhileReading(meter, emitter);
  assert.equal(sent.at(-1), 39, 'the newest chunk arrives');
  assert.ok(sent.length <= 2 + PARTIAL_QUEUE_LIMIT + 1, `sent ${sent.length}`);
  assert.deepEqual([...sent].sort((a, b) => a - b), sent);
});

test('coalesce-latest: only the newest waiting chunk is kept', async () => {
  const { meter, sent, emitter } = setup('coalesce-latest');
  assert.equal(await flood(emitter, 30), 30);
  await finishWhileReading(meter, emitter);
  assert.equal(sent.at(-1), 29);
  assert.ok(sent.length <= 4, `sent ${sent.length}`);
});
