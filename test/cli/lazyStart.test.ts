// `sluice --help` loads what help needs and nothing else: no server, client, store or SDK module
// (each command imports its own when it runs); a client command loads no server code. Checked on
// tsc's output, where each module is its own file; the bundle users run (dist/bin, split at the
// same dynamic imports) is checked by size. Timed in docs/benchmarks.md ("Starting the CLI").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from '../helpers/servers.js';

const UNBUNDLED = join(ROOT, 'dist/cli/main.js');
const HOOK = join(ROOT, 'test/fixtures/hooks/logImports.mjs');

test('sluice --help loads no server, client, store or SDK code', () => {
  const run = spawnSync(process.execPath, ['--import', HOOK, UNBUNDLED, '--help'], { encoding: 'utf8' });
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
    const run = spawnSync(process.execPath, ['--import', HOOK, UNBUNDLED, ...args], { encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    const loaded = run.stderr.split('\n').filter((line) => line.startsWith('loaded '));
    assert.ok(loaded.some((line) => line.includes('/dist/client/connect.js')), `sluice ${args[0]} loads the client`);
    const server = loaded.filter((line) => /\/dist\/(server|stores|transports|runner)\/|@modelcontextprotocol\/server|ioredis/.test(line));
    assert.deepEqual(server, [], `sluice ${args[0]}`);
  }
});

test('the bundled sluice --help loads a small part of the bundle, not the SDK', () => {
  const run = spawnSync(process.execPath, ['--import', HOOK, CLI, '--help'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /Usage: sluice/);
  const files = run.stderr
    .split('\n')
    .filter((line) => line.startsWith('loaded ') && line.includes('/dist/bin/'))
    .map((line) => new URL(line.slice('loaded '.length).trim()).pathname);
  assert.ok(files.some((file) => file.endsWith('/dist/bin/sluice.mjs')), 'the hook sees the bundle load');
  const bytes = files.reduce((sum, file) => sum + statSync(file).size, 0);
  // The SDK and zod alone are over 800 KB of the bundle; help needs commander and the option table.
  assert.ok(bytes < 150_000, `--help loaded ${bytes} bytes of the bundle: ${files.join(', ')}`);
});
