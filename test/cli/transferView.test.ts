// The plain (non-TTY) transfer view: at most one line a second, the rate
// counted from the first bytes (not from when the view was made), sizes in
// binary units.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTransferView, formatBytes } from '../../src/cli/transferView.js';

test('plain lines: one a second at most, the rate from the first bytes on', () => {
  let clock = 0;
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  const view = createTransferView(stream, () => clock);
  clock = 5000; // connecting took 5 s: it must not count against the rate
  view.update(1024, 4096);
  assert.deepEqual(lines, []);
  clock = 5500;
  view.update(2048, 4096);
  assert.deepEqual(lines, []);
  clock = 6000;
  view.update(4096, 4096);
  assert.deepEqual(lines, ['read 4.0 KiB of 4.0 KiB (4.0 KiB/s)\n']);
  view.notice('sluice: resuming');
  assert.equal(lines.at(-1), 'sluice: resuming\n');
});

test('formatBytes uses binary units', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(100 * 1024 * 1024), '100.0 MiB');
});
