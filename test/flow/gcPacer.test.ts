// GcPacer: one collection per `everyBytes` streamed, none without a collector
// or with pacing off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_FULL_COLLECT_EVERY_BYTES, DEFAULT_MINOR_COLLECT_EVERY_BYTES, DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES } from '../../src/defaults.js';
import { GcPacer, sharedPacer } from '../../src/flow/gcPacer.js';
import { FakeClock } from '../helpers/fakeClock.js';

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

test('asks for the kind of collection it was made for: full means at once (gc() with no options)', () => {
  const asked: unknown[] = [];
  const minor = new GcPacer(100, (options) => asked.push(options), 'minor');
  minor.add(100);
  const major = new GcPacer(100, (options) => asked.push(options));
  major.add(100);
  const full = new GcPacer(100, (options) => asked.push(options), 'full');
  full.add(100);
  assert.deepEqual(asked, [{ type: 'minor', execution: 'async' }, { type: 'major', execution: 'async' }, undefined]);
});

test('settle collects what was counted since the last collection, once more after the quiet time, and no more', () => {
  let collections = 0;
  const clock = new FakeClock();
  const pacer = new GcPacer(100, () => collections++, 'major', 5000, clock);
  pacer.settle();
  assert.equal(collections, 0, 'nothing counted, nothing collected');
  assert.equal(pacer.settling, false);
  pacer.add(30);
  pacer.settle();
  assert.equal(collections, 1);
  assert.equal(pacer.settling, true, 'a quiet collection is to come');
  clock.advance(4999);
  pacer.settle();
  assert.equal(collections, 1, 'not before the quiet time');
  clock.advance(1);
  pacer.settle();
  assert.equal(collections, 2, 'the quiet collection that lets the young generation shrink');
  assert.equal(pacer.settling, false);
  clock.advance(60_000);
  pacer.settle();
  assert.equal(collections, 2, 'then nothing until more is counted');
  pacer.add(100);
  assert.equal(collections, 3, 'paced');
  pacer.settle(clock.now());
  assert.equal(collections, 3, 'nothing counted since: no settle collection');
});

test('sharedPacer: one pacer per kind and interval, with the defaults of each kind', () => {
  assert.equal(sharedPacer('minor').everyBytes, DEFAULT_MINOR_COLLECT_EVERY_BYTES);
  assert.equal(sharedPacer('full').kind, 'full');
  assert.equal(sharedPacer('full').everyBytes, DEFAULT_FULL_COLLECT_EVERY_BYTES);
  const windows = sharedPacer('minor', DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES);
  assert.equal(windows.everyBytes, DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES);
  assert.notEqual(windows, sharedPacer('minor'), 'a client reading windows counts apart from raw streams');
  assert.equal(sharedPacer('minor', DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES), windows);
});
