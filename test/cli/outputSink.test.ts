// `sluice read -o FILE` writes under a temporary name: renamed when the read
// completed, removed when it did not, even with writes still in flight (a CI
// run crashed on ERR_STREAM_DESTROYED raised by such a write).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { outputSink } from '../../src/cli/outputSink.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-sink-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('commit gives the file its name; nothing is left under the temporary one', async () => {
  const path = join(dir, 'done.bin');
  const sink = outputSink(path, (error) => assert.fail(error));
  await sink.write(Buffer.from('hello '));
  await sink.write(Buffer.from('world'));
  await sink.commit();
  assert.equal(readFileSync(path, 'utf8'), 'hello world');
  assert.equal(existsSync(`${path}.sluice-partial`), false);
});

test('abandon with writes in flight removes the file and raises nothing', async () => {
  const path = join(dir, 'abandoned.bin');
  const errors: Error[] = [];
  const sink = outputSink(path, (error) => errors.push(error));
  await sink.write(Buffer.alloc(1 << 20)); // opened, and the disk has caught up once
  // Small writes: taken at once (no backpressure), so only the sink's own
  // listener hears the one that fails when the file is destroyed under it.
  for (let i = 0; i < 3; i++) await sink.write(Buffer.alloc(4096));
  await sink.abandon();
  assert.equal(existsSync(path), false);
  assert.equal(existsSync(`${path}.sluice-partial`), false);
  assert.deepEqual(errors, [], 'an abandoned file reports no error of its own');
});

test('a write that fails is reported at once', async () => {
  const path = join(dir, 'no-such-dir', 'out.bin');
  const failed = new Promise<Error>((resolve) => outputSink(path, resolve));
  assert.equal(((await failed) as NodeJS.ErrnoException).code, 'ENOENT');
});
