// Guards the byte-exact line scanner behind script output: the segments put
// back together are the input byte for byte (CRLF, invalid UTF-8, over-long
// lines, no final newline), lines are found at every chunk split point, and
// memory stays bounded by the longest line kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineScanner, type LineSegment } from '../../src/flow/lineScanner.js';

function scan(chunks: readonly Uint8Array[], maxLineBytes = 1000): LineSegment[] {
  const segments: LineSegment[] = [];
  const scanner = new LineScanner((s) => segments.push({ ...s, bytes: s.bytes.slice() }), maxLineBytes);
  for (const chunk of chunks) scanner.feed(chunk);
  scanner.flush();
  return segments;
}

const joined = (segments: readonly LineSegment[]) => Buffer.concat(segments.map((s) => s.bytes));
const text = (s: LineSegment) => Buffer.from(s.bytes.subarray(0, s.contentLength)).toString('latin1');

test('every split point gives the same lines and the exact bytes back', () => {
  const input = Buffer.concat([Buffer.from('one\r\ntwo\n\n'), Buffer.from([0xff, 0xc3, 0x0a]), Buffer.from('::progress 1/2\nlast')]);
  for (let cut = 0; cut <= input.length; cut++) {
    const segments = scan([input.subarray(0, cut), input.subarray(cut)]);
    assert.deepEqual(joined(segments), input, `cut at ${cut}`);
    assert.deepEqual(segments.map(text), ['one', 'two', '', '\xff\xc3', '::progress 1/2', 'last'], `cut at ${cut}`);
    assert.deepEqual(segments.map((s) => s.endsLine), [true, true, true, true, true, false]);
  }
});

test('an over-long line comes out in bounded pieces, marked as not starting or not ending a line', () => {
  const input = Buffer.from(`${'a'.repeat(25)}\nshort\n`);
  const segments = scan([input.subarray(0, 7), input.subarray(7)], 10);
  assert.deepEqual(joined(segments), input);
  assert.ok(segments.every((s) => s.bytes.length <= 11), 'no piece longer than the bound (plus its newline)');
  assert.deepEqual(segments.map((s) => [s.startsLine, s.endsLine]), [[true, false], [false, false], [false, true], [true, true]]);
});

test('a single chunk with many lines reports each without copying', () => {
  const input = Buffer.from('a\nb\nc\n');
  const seen: Uint8Array[] = [];
  const scanner = new LineScanner((s) => seen.push(s.bytes), 100);
  scanner.feed(input);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((bytes) => bytes.buffer === input.buffer), 'segments are views of the input');
});
