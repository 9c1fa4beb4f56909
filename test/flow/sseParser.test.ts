// Guards SSE framing: the same events for every split point of the input
// (CRLF split across chunks included), ids that persist per the spec,
// comments ignored, retry reported, and a bounded pending line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SseEvent, SseParser } from '../../src/flow/sseParser.js';

const STREAM = 'id: a_1\r\nretry: 500\r\ndata: \r\n\r\n: keepalive\n\nevent: message\nid: a_2\ndata: {"x":1}\ndata: second line\n\ndata: no id\r\n\r\n';

function parse(chunks: string[]): { events: SseEvent[]; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser({ onEvent: (e) => events.push(e), onRetry: (r) => retries.push(r) });
  for (const c of chunks) parser.feed(c);
  return { events, retries };
}

const EXPECTED: SseEvent[] = [
  { id: 'a_1', event: 'message', data: '' },
  { id: 'a_2', event: 'message', data: '{"x":1}\nsecond line' },
  { id: 'a_2', event: 'message', data: 'no id' },
];

test('the same events for every split point', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    for (let j = i; j <= STREAM.length; j += 7) {
      const { events, retries } = parse([STREAM.slice(0, i), STREAM.slice(i, j), STREAM.slice(j)]);
      assert.deepEqual(events, EXPECTED, `split at ${i},${j}`);
      assert.deepEqual(retries, [500]);
    }
  }
});

test('one character at a time', () => {
  assert.deepEqual(parse([...STREAM]).events, EXPECTED);
});

test('an endless line is an error, not unbounded memory', () => {
  const errors: Error[] = [];
  const parser = new SseParser({ onEvent: () => assert.fail('no event expected'), onError: (e) => errors.push(e) }, 100);
  for (let i = 0; i < 50; i++) parser.feed('data: xxxxxxxxxx');
  assert.equal(errors.length, 1);
});
