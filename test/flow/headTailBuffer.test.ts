// Guards the finite output buffer of script tools: head and tail kept, middle
// dropped and counted, memory bounded whatever the output size.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HeadTailBuffer } from '../../src/flow/headTailBuffer.js';

test('keeps everything while it fits', () => {
  const b = new HeadTailBuffer(5, 5);
  b.push('abc');
  b.push('defg');
  assert.equal(b.text(), 'abcdefg');
  assert.equal(b.omittedChars, 0);
});

test('overflows by dropping the middle', () => {
  const b = new HeadTailBuffer(3, 3);
  for (const c of 'abcdefghijkl') b.push(c);
  assert.equal(b.omittedChars, 6);
  assert.equal(b.text((n) => `[${n}]`), 'abc[6]jkl');
});

test('a tail-only buffer keeps the last characters', () => {
  const b = new HeadTailBuffer(0, 4);
  b.push('hello world');
  assert.equal(b.text(() => ''), 'orld');
});
