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

test('pieces of every size keep exactly the last tailChars, and the count of what was left out', () => {
  for (const size of [1, 3, 7, 40]) {
    const b = new HeadTailBuffer(4, 10);
    let all = '';
    for (let i = 0; i < 200; i++) {
      const piece = String(i).padStart(size, '.').slice(-size);
      b.push(piece);
      all += piece;
    }
    assert.equal(b.text((n) => `[${n}]`), `${all.slice(0, 4)}[${all.length - 14}]${all.slice(-10)}`, `pieces of ${size}`);
  }
});

test('a push costs the same however large the tail is (no copy of the tail per push)', () => {
  // 20,000 pushes into a 4 MiB tail: copying the tail each time would move ~80 GB.
  const b = new HeadTailBuffer(0, 4 * 1024 * 1024);
  const line = `${'x'.repeat(1023)}\n`;
  for (let i = 0; i < 20_000; i++) b.push(line);
  assert.equal(b.text(() => '|').length, 4 * 1024 * 1024 + 1);
});
