// Guards line framing of script output: lines split across chunks at any
// point, CRLF, a last line without newline, and the finite buffer (a script
// printing megabytes without a newline must not grow memory).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from '../../src/flow/lineSplitter.js';

const TEXT = 'alpha\r\nbeta\n\ngamma δέλτα\nlast';
const EXPECTED = ['alpha', 'beta', '', 'gamma δέλτα', 'last'];

test('gives the same lines for every split point', () => {
  for (let i = 0; i <= TEXT.length; i++) {
    for (let j = i; j <= TEXT.length; j++) {
      const lines: string[] = [];
      const s = new LineSplitter((l) => lines.push(l), 1000);
      s.feed(TEXT.slice(0, i));
      s.feed(TEXT.slice(i, j));
      s.feed(TEXT.slice(j));
      s.flush();
      assert.deepEqual(lines, EXPECTED, `split at ${i},${j}`);
    }
  }
});

test('splits over-long lines into pieces and keeps the buffer bounded', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 4);
  s.feed('abcdefghij');
  assert.deepEqual(lines, ['abcd', 'efgh']);
  s.feed('k\nxy');
  s.flush();
  assert.deepEqual(lines, ['abcd', 'efgh', 'ijk', 'xy']);
});

test('reset drops the partial line', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 10);
  s.feed('partial');
  s.reset();
  s.flush();
  assert.deepEqual(lines, []);
});
