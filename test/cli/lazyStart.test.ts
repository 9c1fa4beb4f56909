// `sluice --help` loads what help needs and nothing else: no server, client, store or SDK module
// (each command imports its own when it runs); a client command loads no server code. Timed in
// docs/benchmarks.md ("Starting the CLI").
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

test('sluice call and sluice read load no server, store or runner code', () => {
  for (const args of [['call', 'http://127.0.0.1:1/mcp', 'echo'], ['read', 'http://127.0.0.1:1/mcp', 'file:///x']]) {
    // Port 1 refuses at once: the command loads its code, connects, fails with exit 1.
    const run = spawnSync(process.execPath, ['--import', join(ROOT, 'test/fixtures/hooks/logImports.mjs'), CLI, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    const loaded = run.stderr.split('\n').filter((line) => line.startsWith('loaded '));
    assert.ok(loaded.some((line) => line.includes('/dist/client/connect.js')), `sluice ${args[0]} loads the client`);
    const server = loaded.filter((line) => /\/dist\/(server|stores|transports|runner)\/|@modelcontextprotocol\/server|ioredis/.test(line));
    assert.deepEqual(server, [], `sluice ${args[0]}`);
  }
});
