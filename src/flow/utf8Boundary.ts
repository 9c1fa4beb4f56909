/**
 * UTF-8 boundaries: where a byte window may end without splitting a
 * character. Pure functions over bytes, no decoding.
 *
 * Groundwork for windowed text reads: a text window must end on a character
 * boundary so that every window decodes on its own and the concatenation of
 * all windows is byte-identical to the source.
 *
 * @module
 */

/** Length in bytes of the character a lead byte starts; 0 for a continuation byte, -1 for a byte that never starts one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead < 0xc0) return 0; // continuation byte
  if (lead < 0xe0) return lead < 0xc2 ? -1 : 2;
  if (lead < 0xf0) return 3;
  if (lead < 0xf5) return 4;
  return -1;
}

/**
 * The largest `n <= bytes.length` such that `bytes.subarray(0, n)` does not
 * end inside a multi-byte character. When the window ends with an incomplete
 * character, the cut moves back to its lead byte. Invalid bytes are left as
 * they are (the caller sends such content as a blob anyway). Windows must be
 * at least 4 bytes long, or a 4-byte character could never fit in one.
 */
export function utf8SafeEnd(bytes: Uint8Array): number {
  const end = bytes.length;
  // A UTF-8 character is at most 4 bytes: look back at most 3 for its lead byte.
  for (let back = 1; back <= Math.min(3, end); back++) {
    const i = end - back;
    const length = sequenceLength(bytes[i]!);
    if (length === 0) continue; // continuation byte: keep looking for the lead
    if (length === -1) return end; // not UTF-8 here: nothing to protect
    return length > back ? i : end; // incomplete character: cut before its lead byte
  }
  return end;
}
