// `sluice --help` loads what help needs and nothing else: no server, client, store or SDK module
// (each command imports its own when it runs). Measured: docs/benchmarks.md once #13 adds the row.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from '../helpers/servers.js';

test('sluice --help loads no server, client, store or SDK code', () => {
  const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test/fixtures/hooks/logImports.mjs'), CLI, '--help'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: sluice/);
  const loaded = run.stderr.split('\n').filter((line) => line.startsWith('loaded '));
  assert.ok(loaded.some((line) => line.includes('/dist/cli/main.js')), 'the hook sees the CLI load');
  const heavy = loaded.filter((line) => /\/dist\/(server|client|stores|transports|runner)\/|@modelcontextprotocol|ioredis|zod/.test(line));
  assert.deepEqual(heavy, []);
});
