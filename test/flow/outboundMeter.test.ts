// Guards the outbound meter: producers wait at the high-water mark and are
// released as the consumer delivers, oldest first; closing releases everyone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutboundMeter } from '../../src/flow/outboundMeter.js';

test('room() waits at the high-water mark and resumes as messages are delivered', async () => {
  const meter = new OutboundMeter(100);
  meter.produced(60);
  await meter.room(); // 60 < 100: at once
  meter.produced(60);
  assert.equal(meter.full, true);
  let released = false;
  const waiting = meter.room().then(() => (released = true));
  await Promise.resolve();
  assert.equal(released, false);
  meter.delivered(); // the first 60 go: 60 left
  await waiting;
  assert.equal(meter.bufferedBytes, 60);
  assert.equal(meter.bufferedMessages, 1);
});

test('a slow consumer bounds what producers can write', async () => {
  const meter = new OutboundMeter(1000);
  let written = 0;
  const producer = (async () => {
    for (let i = 0; i < 100; i++) {
      await meter.room();
      meter.produced(100);
      written++;
    }
  })();
  await new Promise((r) => setImmediate(r));
  assert.equal(written, 10, 'the producer stopped at the mark');
  assert.ok(meter.bufferedBytes <= 1000);
  for (let i = 0; i < 100; i++) {
    meter.delivered();
    await Promise.resolve();
  }
  await producer;
  assert.equal(written, 100);
});

test('close() releases waiters and accepts nothing more', async () => {
  const meter = new OutboundMeter(10);
  meter.produced(20);
  const waiting = meter.room();
  meter.close();
  await waiting;
  meter.produced(1000);
  assert.equal(meter.full, false);
  await meter.room();
});

test('delivered() beyond what was produced is ignored', () => {
  const meter = new OutboundMeter(10);
  meter.delivered();
  assert.equal(meter.bufferedBytes, 0);
});
