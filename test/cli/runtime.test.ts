// The CLI exposes V8's gc for itself (resource streams collect as they go);
// a process started without --expose-gc gets it from exposeGc().
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/servers.js';

test('exposeGc makes globalThis.gc a function in a process started without --expose-gc', () => {
  const runtime = join(ROOT, 'src/cli/runtime.ts');
  const script = `const { exposeGc } = await import(${JSON.stringify(runtime)}); const before = typeof globalThis.gc; exposeGc(); globalThis.gc(); console.log(before, typeof globalThis.gc);`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: ROOT });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), 'undefined function');
});
