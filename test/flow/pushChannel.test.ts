// The push channel: pushes from several producers come out in order; producers wait while the
// consumer is `capacity` items behind; end and fail come after what is queued; a consumer that
// stops releases every waiting producer. Guards against a merge that grows without bound behind
// a slow consumer (the agent loop's terminal) and one that hangs its producers when abandoned.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PushChannel } from '../../src/flow/pushChannel.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('in push order; producers wait at the capacity and go on as the consumer takes', async () => {
  const channel = new PushChannel<number>(2);
  const settled: number[] = [];
  for (let i = 0; i < 5; i++) void channel.push(i).then(() => settled.push(i));
  await tick();
  assert.deepEqual(settled, [0, 1], 'two queued, three waiting');
  const seen: number[] = [];
  const iterator = channel[Symbol.asyncIterator]();
  seen.push((await iterator.next()).value as number);
  await tick();
  assert.deepEqual(settled, [0, 1, 2], 'taking one admits one');
  channel.end();
  for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen.push(next.value);
  assert.deepEqual(seen, [0, 1, 2, 3, 4], 'end comes after everything pushed before it');
  await channel.push(9);
  assert.deepEqual(settled, [0, 1, 2, 3, 4], 'a push after the end is ignored');
});

test('fail throws after what is queued; a consumer that stops releases the producers', async () => {
  const failing = new PushChannel<string>(4);
  await failing.push('a');
  failing.fail(new Error('boom'));
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const item of failing) seen.push(item);
  }, /boom/);
  assert.deepEqual(seen, ['a']);

  const abandoned = new PushChannel<number>(1);
  await abandoned.push(1);
  const waiting = abandoned.push(2);
  for await (const item of abandoned) {
    assert.equal(item, 1);
    break;
  }
  await waiting; // resolves: the producer is not left hanging
  assert.throws(() => new PushChannel(0), /capacity/);
});
