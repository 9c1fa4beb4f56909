// GcPacer: one collection per `everyBytes` streamed, none without a collector
// or with pacing off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GcPacer } from '../../src/flow/gcPacer.js';

test('collects once every everyBytes, counting across chunks', () => {
  let collections = 0;
  const pacer = new GcPacer(100, () => collections++);
  for (let i = 0; i < 25; i++) pacer.add(10);
  assert.equal(collections, 2);
  pacer.add(1000);
  assert.equal(collections, 3, 'one big chunk is one collection');
  assert.equal(pacer.active, true);
});

test('is a no-op without a collector or with pacing off', () => {
  let collections = 0;
  const off = new GcPacer(0, () => collections++);
  off.add(10_000);
  assert.equal(collections, 0);
  assert.equal(off.active, false);
  const none = new GcPacer(100, undefined);
  none.add(10_000);
  assert.equal(none.active, false);
});

test('asks for the kind of collection it was made for', () => {
  const asked: unknown[] = [];
  const minor = new GcPacer(100, (options) => asked.push(options?.type), 'minor');
  minor.add(100);
  const major = new GcPacer(100, (options) => asked.push(options?.type));
  major.add(100);
  assert.deepEqual(asked, ['minor', 'major']);
});

test('settle collects what was counted since the last collection, and only that', () => {
  let collections = 0;
  const pacer = new GcPacer(100, () => collections++);
  pacer.settle();
  assert.equal(collections, 0, 'nothing counted, nothing collected');
  pacer.add(30);
  pacer.settle();
  assert.equal(collections, 1);
  pacer.settle();
  assert.equal(collections, 1, 'once');
});
