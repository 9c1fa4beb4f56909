// The chunk size of a streamed read: the option, else SLUICE_CHUNK_SIZE, else 64 KiB; bad values are clear errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chunkSizeOf } from '../../src/client/readStream.js';
import { DEFAULT_CHUNK_SIZE_BYTES } from '../../src/defaults.js';

test('option first, then SLUICE_CHUNK_SIZE, then the default', () => {
  assert.equal(chunkSizeOf(1000, { SLUICE_CHUNK_SIZE: '2000' }), 1000);
  assert.equal(chunkSizeOf(undefined, { SLUICE_CHUNK_SIZE: '2000' }), 2000);
  assert.equal(chunkSizeOf(undefined, {}), DEFAULT_CHUNK_SIZE_BYTES);
  assert.equal(chunkSizeOf(undefined, { SLUICE_CHUNK_SIZE: ' ' }), DEFAULT_CHUNK_SIZE_BYTES);
});

test('bad values name their source', () => {
  assert.throws(() => chunkSizeOf(2, {}), /chunkSize must be an integer >= 4/);
  assert.throws(() => chunkSizeOf(undefined, { SLUICE_CHUNK_SIZE: '64k' }), /SLUICE_CHUNK_SIZE must be an integer >= 4/);
  assert.throws(() => chunkSizeOf(1.5, {}), /chunkSize/);
});
