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
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--expose-gc', '--test', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
