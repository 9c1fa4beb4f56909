// Outbound messages are JSON.stringify'd except that long base64 payloads are spliced in unscanned.
// Guards against: a spliced payload that needed escaping (broken JSON on the wire), a payload
// spliced into the wrong place, the message object being changed, and the splice silently not
// happening (the cost it removes was the largest of a stdio read).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isPlainBase64, messageJson, SPLICE_MIN_CHARS, splicedPayloads } from '../../src/transports/messageJson.js';

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
