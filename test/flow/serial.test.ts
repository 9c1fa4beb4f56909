// Guards the order of appends: tasks run one after another in the order given, a slow one holds
// the next back, and a failing one fails only itself.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Serial } from '../../src/flow/serial.js';

test('tasks run in order, one at a time; a failure fails only its own promise', async () => {
  const serial = new Serial();
  const order: string[] = [];
  let release!: () => void;
  const slow = serial.run(async () => {
    await new Promise<void>((resolve) => (release = resolve));
    order.push('slow');
  });
  const failing = serial.run(async () => {
    order.push('failing');
    throw new Error('boom');
  });
  const last = serial.run(async () => {
    order.push('last');
    return 42;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, [], 'the first holds the others back');
  assert.equal(serial.pending, 3);
  release();
  await slow;
  await assert.rejects(failing, /boom/);
  assert.equal(await last, 42);
  assert.deepEqual(order, ['slow', 'failing', 'last']);
  assert.equal(serial.pending, 0);
});
