// FileHandleCache: one open handle shared by a read's windows, closed after
// its idle time (fake clock), refreshed size for a growing file, clear errors.
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FileHandleCache } from '../../src/server/fileHandles.js';
import { fileBody } from '../../src/server/resourceBody.js';
import { FakeClock } from '../helpers/fakeClock.js';
import { tempDir } from '../helpers/servers.js';

const tmp = tempDir();
after(() => tmp.remove());

test('windows of one file share a handle, closed after the idle time', async () => {
  const path = join(tmp.dir, 'a.txt');
  writeFileSync(path, 'hello world');
  const clock = new FakeClock();
  const cache = new FileHandleCache(1000, 8, clock);
  const first = await cache.acquire(path);
  const second = await cache.acquire(path);
  assert.equal(first.handle, second.handle);
  first.release();
  second.release();
  second.release(); // idempotent
  assert.equal(clock.pendingTimers, 1, 'idle timer armed once the last user released');
  const third = await cache.acquire(path);
  assert.equal(third.handle, first.handle, 'reused within the idle time');
  third.release();
  clock.advance(1000);
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(first.handle.stat(), /closed|EBADF/i, 'closed after the idle time');
  const fresh = await cache.acquire(path);
  assert.notEqual(fresh.handle, first.handle);
  fresh.release();
});

test('a growing file is seen at its new size; missing files and folders fail clearly', async () => {
  const path = join(tmp.dir, 'grow.log');
  writeFileSync(path, '12345');
  const clock = new FakeClock();
  const cache = new FileHandleCache(1000, 8, clock);
  const body = await fileBody(path, { handles: cache });
  assert.equal(body.size, 5);
  await body.close?.();
  appendFileSync(path, '67890');
  clock.advance(100);
  const grown = await fileBody(path, { handles: cache });
  assert.equal(grown.size, 10);
  assert.equal(Buffer.from(await grown.readAt(3, 100)).toString(), '4567890');
  await grown.close?.();
  await assert.rejects(cache.acquire(join(tmp.dir, 'nope')), /ENOENT/);
  await assert.rejects(cache.acquire(tmp.dir), /not a file|EISDIR/);
});

test('beyond the limit, the longest idle handle is closed', async () => {
  const clock = new FakeClock();
  const cache = new FileHandleCache(60_000, 1, clock);
  const paths = ['x', 'y'].map((name) => {
    const path = join(tmp.dir, name);
    writeFileSync(path, name);
    return path;
  });
  const x = await cache.acquire(paths[0]!);
  x.release();
  const y = await cache.acquire(paths[1]!);
  y.release();
  await new Promise((resolve) => setImmediate(resolve));
  await assert.rejects(x.handle.stat(), /closed|EBADF/i);
  assert.ok((await y.handle.stat()).isFile());
});
