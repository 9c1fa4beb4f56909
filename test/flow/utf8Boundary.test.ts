// Guards the UTF-8 window boundary: at every cut point of a text with 1- to
// 4-byte characters, the safe prefix decodes without replacement characters
// and the rest follows on, so windows concatenate to the exact source bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8SafeEnd } from '../../src/flow/utf8Boundary.js';

const TEXT = 'a€b𝄞cé漢z'; // 1, 3, 1, 4, 1, 2, 3, 1 bytes
const BYTES = new TextEncoder().encode(TEXT);
const strict = new TextDecoder('utf-8', { fatal: true });

test('every cut point yields a prefix that decodes on its own', () => {
  for (let cut = 0; cut <= BYTES.length; cut++) {
    const safe = utf8SafeEnd(BYTES.subarray(0, cut));
    assert.ok(safe <= cut && cut - safe <= 3, `cut ${cut} → ${safe}`);
    assert.doesNotThrow(() => strict.decode(BYTES.subarray(0, safe)), `cut ${cut}`);
    assert.doesNotThrow(() => strict.decode(BYTES.subarray(safe)), `rest after ${safe}`);
  }
});

test('windows of every size reassemble the exact bytes', () => {
  for (let size = 4; size <= BYTES.length; size++) {
    const parts: string[] = [];
    let offset = 0;
    while (offset < BYTES.length) {
      const window = BYTES.subarray(offset, Math.min(BYTES.length, offset + size));
      const end = offset + size >= BYTES.length ? window.length : utf8SafeEnd(window);
      parts.push(strict.decode(window.subarray(0, end)));
      offset += end;
    }
    assert.equal(parts.join(''), TEXT, `window size ${size}`);
  }
});

test('bytes that are not UTF-8 are left alone', () => {
  assert.equal(utf8SafeEnd(new Uint8Array([0x41, 0xff])), 2);
  assert.equal(utf8SafeEnd(new Uint8Array([])), 0);
  assert.equal(utf8SafeEnd(new Uint8Array([0xe2, 0x82])), 0, 'an incomplete 3-byte character at the start is cut entirely');
});
