// Outbound messages are JSON.stringify'd except that long base64 payloads are spliced in unscanned.
// Guards against: a spliced payload that needed escaping (broken JSON on the wire), a payload
// spliced into the wrong place, the message object being changed, and the splice silently not
// happening (the cost it removes was the largest of a stdio read). outboundJson then lets go of a
// window's content (server/singleUse.ts), and of nothing else.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { WINDOW_META_KEY } from '../../src/protocol/wire.js';
import { ReadCursors } from '../../src/server/readCursors.js';
import { isSingleUse, releaseSingleUse, singleUse } from '../../src/server/singleUse.js';
import { parseReadRequest, readWindowed } from '../../src/server/windowedRead.js';
import { isPlainBase64, messageJson, outboundJson, SPLICE_MIN_CHARS, splicedPayloads } from '../../src/transports/messageJson.js';
import { connectionLog, MessageConnection } from '../../src/transports/messageConnection.js';
import { FakeClock } from '../helpers/fakeClock.js';

const blob = () => randomBytes(48 * 1024).toString('base64');

test('a resources/read window with a long blob: the same text as JSON.stringify, the message untouched', () => {
  const message = {
    jsonrpc: '2.0',
    id: 7,
    result: {
      contents: [
        { uri: 'file:///a "quoted" name\n.bin', mimeType: 'application/octet-stream', blob: blob() },
        { uri: 'file:///b', blob: blob() },
        { uri: 'file:///note', text: 'tail "text" \u2028 \\' },
      ],
      _meta: { 'dev.sluice/window': { offset: 0, next: 49152, size: 1 << 20 } },
    },
  };
  const before = structuredClone(message);
  assert.deepEqual(splicedPayloads(message), [message.result.contents[0]!.blob, message.result.contents[1]!.blob]);
  assert.equal(messageJson(message), JSON.stringify(message));
  assert.deepEqual(message, before);
});

test('tool results: image data and embedded resource blobs, and partial-result notifications', () => {
  const result = { jsonrpc: '2.0', id: 'x', result: { content: [{ type: 'image', data: blob(), mimeType: 'image/png' }, { type: 'resource', resource: { uri: 'r://1', blob: blob() } }, { type: 'text', text: 'ok' }] } };
  assert.equal(messageJson(result), JSON.stringify(result));
  assert.equal(splicedPayloads(result).length, 2);
  const notification = { jsonrpc: '2.0', method: 'notifications/partial', params: { content: [{ type: 'audio', data: blob(), mimeType: 'audio/wav' }] } };
  assert.equal(messageJson(notification), JSON.stringify(notification));
  assert.equal(splicedPayloads(notification).length, 1);
});

test('a "blob" that would need escaping is stringified as it is', () => {
  const long = 'A'.repeat(SPLICE_MIN_CHARS);
  for (const bad of [`${long}"`, `${long}\\AAA`, `${long}\nAAA`, `${long}\u0000AAA`, `${long}\u00e9AAA`, `${long}\ud800AAA`]) {
    assert.equal(isPlainBase64(bad), false, JSON.stringify(bad.slice(-4)));
    const message = { jsonrpc: '2.0', id: 1, result: { contents: [{ uri: 'u', blob: bad }] } };
    assert.equal(messageJson(message), JSON.stringify(message));
    assert.deepEqual(splicedPayloads(message), []);
    assert.deepEqual(JSON.parse(messageJson(message)), message);
  }
  assert.equal(isPlainBase64(blob()), true);
});

test('messages without payloads, short payloads and odd shapes are plain JSON.stringify', () => {
  for (const message of [
    { jsonrpc: '2.0', id: 1, result: {} },
    { jsonrpc: '2.0', id: 1, result: { contents: [{ uri: 'u', blob: 'QUJD' }] } },
    { jsonrpc: '2.0', id: 1, result: { contents: 'not a list', content: [null, 3, 'x'] } },
    { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'bad' } },
    { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 2 } },
  ]) {
    assert.equal(messageJson(message), JSON.stringify(message));
  }
});

test('a text that happens to contain the placeholder shape does not confuse the splice', () => {
  const message = { jsonrpc: '2.0', id: 1, result: { contents: [{ uri: 'u', blob: blob() }, { uri: '\u0000sluice-splice-0000', text: '"\\u0000sluice-splice-"' }] } };
  assert.equal(messageJson(message), JSON.stringify(message));
});

test('outboundJson: a window is written whole, then its content is emptied; contents sluice did not make are never changed', async () => {
  const bodyOf = (bytes: Buffer, mimeType: string) => ({ size: bytes.length, mimeType, readAt: async (at: number, length: number) => bytes.subarray(at, at + length) });
  const options = { maxWindowBytes: 1 << 20, mimeType: undefined, cursors: new ReadCursors(new FakeClock()) };
  const windows = [
    { body: bodyOf(randomBytes(64 * 1024), 'application/octet-stream'), kind: 'blob' },
    { body: bodyOf(Buffer.from('é"\\n'.repeat(4096)), 'text/plain'), kind: 'text' },
  ];
  for (const { body, kind } of windows) {
    const ask = parseReadRequest('mem://w', { [WINDOW_META_KEY]: { offset: 0, length: body.size } });
    const result = await readWindowed(ask, async () => body, options);
    const item = result.contents[0]! as unknown as Record<string, string>;
    assert.ok(item[kind]!.length > SPLICE_MIN_CHARS);
    const message = { jsonrpc: '2.0', id: 1, result };
    const expected = JSON.stringify(message);
    assert.equal(outboundJson(message), expected);
    assert.equal(item[kind], '', `the window's ${kind} is let go once written`);
  }
  const own = { jsonrpc: '2.0', id: 2, result: { contents: [{ uri: 'mem://shared', blob: blob() }, { uri: 'mem://t', text: 'x'.repeat(SPLICE_MIN_CHARS) }] } };
  const before = structuredClone(own);
  assert.equal(outboundJson(own), JSON.stringify(before));
  assert.deepEqual(own, before, "a handler's own result may be sent again: it is left as it is");
});

test('isSingleUse marks only the window contents sluice made; releaseSingleUse ignores every other shape', () => {
  const made = singleUse({ uri: 'a', mimeType: 'text/plain', text: 'abc' });
  assert.equal(isSingleUse(made), true);
  assert.equal(isSingleUse({ uri: 'a', mimeType: 'text/plain', text: 'abc' }), false);
  for (const odd of [null, undefined, 1, 'x', { result: null }, { result: { contents: 'no' } }, { params: { contents: [made] } }]) releaseSingleUse(odd);
  assert.equal(made.text, 'abc', 'only result.contents of a message is looked at');
  releaseSingleUse({ result: { contents: [made, null, 3] } });
  assert.equal(made.text, '');
});

test('a message connection (stdio, WebSocket) logs a window whole, then empties its content', async () => {
  const { log, stream } = connectionLog(1 << 20);
  const inner = { start: async () => {}, close: async () => {}, send: async () => {} };
  const connection = new MessageConnection(inner as never, log, stream);
  const item = singleUse({ uri: 'mem://w', mimeType: 'application/octet-stream', blob: blob() });
  const message = { jsonrpc: '2.0' as const, id: 3, result: { contents: [item] } };
  const expected = JSON.stringify(message);
  await connection.send(message);
  const event = await log.cursor(stream, undefined).next();
  assert.equal(new TextDecoder().decode(event!.data), expected);
  assert.equal(item.blob, '');
});
