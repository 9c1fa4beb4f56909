// The light schema a window answer is checked with, and the blob decoding that replaced the SDK's atob check.
// Guards against: a malformed answer passing as a window, and a blob that is not base64 decoding
// to silently fewer bytes (Node's decoder skips what it does not know).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeBlob, takeBytes, windowResultSchema } from '../../src/client/windowResult.js';

const validate = (value: unknown) => windowResultSchema['~standard'].validate(value) as { value?: unknown; issues?: Array<{ message: string }> };

test('a window answer passes as it is; malformed ones name what is wrong', () => {
  const good = { contents: [{ uri: 'file:///a', blob: 'QUJD' }, { uri: 'file:///a', text: 'note' }], _meta: { x: 1 } };
  assert.equal(validate(good).value, good);
  assert.match(validate(null).issues![0]!.message, /not an object/);
  assert.match(validate({}).issues![0]!.message, /contents must be an array/);
  assert.match(validate({ contents: [{ blob: 'QUJD' }] }).issues![0]!.message, /string uri/);
  assert.match(validate({ contents: [{ uri: 'u', blob: 3 }] }).issues![0]!.message, /text or blob/);
});

test('decodeBlob: the bytes of valid base64, whitespace-wrapped base64 too; anything else throws', () => {
  const bytes = randomBytes(1000);
  assert.deepEqual(decodeBlob(bytes.toString('base64')), bytes);
  const wrapped = bytes.toString('base64').replace(/.{76}/g, '$&\n');
  assert.deepEqual(decodeBlob(wrapped), bytes);
  assert.throws(() => decodeBlob('QUJD"QUJD'), /not valid base64/);
  assert.throws(() => decodeBlob('QUJDé==='), /not valid base64/);
});

test('takeBytes: the bytes of a blob or a text item, after which the item holds nothing', () => {
  const bytes = Buffer.from('dé\u0000jà', 'utf8');
  const blob = { uri: 'u', blob: bytes.toString('base64') };
  assert.deepEqual(takeBytes(blob), bytes);
  assert.equal(blob.blob, '');
  const text = { uri: 'u', text: 'déjà' };
  assert.deepEqual(takeBytes(text), Buffer.from('déjà', 'utf8'));
  assert.equal(text.text, '');
  const bad = { uri: 'u', blob: 'QUJD"QUJD' };
  assert.throws(() => takeBytes(bad), /not valid base64/);
});
