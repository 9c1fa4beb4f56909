// Runs every test file under test/ with node's test runner (TypeScript through
// tsx). Node 20's runner has no glob support, so the files are listed here.
// Usage: node scripts/run-tests.mjs [filter-substring ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.test.ts') ? [path] : [];
  });
}
const filters = process.argv.slice(2);
const files = walk('test').filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The interop tests run real Python clients from a venv; create it first (once), outside any
// test's timeout. The helper is the one place that knows how.
if (files.some((f) => f.includes('pythonClients'))) {
  const setup = spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./test/helpers/python.ts').then((m) => m.ensurePythonClients())"], { stdio: 'inherit' });
  if (setup.status !== 0) process.exit(setup.status ?? 1);
}
// Files that assert a latency tail (p95 of a cancellation crossing nodes) run after the rest, one
// at a time: on two cores, a neighbour such as the 1,000-WebSocket or the chaos test can double
// a tail that is a quarter of its bound when the machine is quiet.
const QUIET = new Set(['test/cluster/resumeAndCancel.test.ts']);
const run = (list, concurrency) =>
  list.length === 0
    ? 0
    : (spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...list], { stdio: 'inherit' }).status ?? 1);
const busy = run(files.filter((f) => !QUIET.has(f)), 2);
const quiet = run(files.filter((f) => QUIET.has(f)), 1);
process.exit(busy !== 0 ? busy : quiet);
