// `npm run conformance`: runs the official MCP conformance suite against the
// fixture server (test/conformance/fixtureServer.ts, built with sluice).
//
// - @modelcontextprotocol/conformance 0.1.16, `--suite all` (the active suite
//   plus the pending json-schema-2020-12 and server-sse-polling): 0 failed;
// - 0.2.0-alpha.12 `server-sse-polling`, `server-session-lifecycle` and the
//   nine `tasks-*` scenarios it scores: every check SUCCESS, no WARNING.
//
// The suite needs Node 22, which the `node` package in conformance/ provides;
// those tools live in their own package so that Node 22 never shadows the
// machine's Node 20 in our other npm scripts. Installed on first use.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOOLS = 'conformance';
const NODE22 = join(TOOLS, 'node_modules/node/bin/node');
const SUITE = join(TOOLS, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const SUITE_NEXT = join(TOOLS, 'node_modules/conformance-next/dist/index.js');
// The SEP-2663 tasks scenarios, all but `tasks-status-notifications`, which the suite itself skips
// ("pending subscriptions/listen rewrite").
const TASKS_SCENARIOS = [
  'tasks-lifecycle',
  'tasks-capability-negotiation',
  'tasks-wire-fields',
  'tasks-request-state-removal',
  'tasks-mrtr-input',
  'tasks-request-headers',
  'tasks-dispatch-and-envelope',
  'tasks-required-task-error',
  'tasks-mrtr-composition',
];
const NEXT_SCENARIOS = ['server-sse-polling', 'server-session-lifecycle', ...TASKS_SCENARIOS];

if (!existsSync(NODE22) || !existsSync(SUITE) || !existsSync(SUITE_NEXT)) {
  console.log('installing the pinned conformance tools (conformance/package-lock.json)…');
  const r = spawnSync('npm', ['ci', '--prefix', TOOLS, '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const server = spawn(process.execPath, ['--import', 'tsx', 'test/conformance/fixtureServer.ts', '--port', '0'], {
  stdio: ['ignore', 'inherit', 'pipe'],
});
const url = await new Promise((resolve, reject) => {
  let stderr = '';
  const timer = setTimeout(() => reject(new Error(`fixture server did not start: ${stderr}`)), 30_000);
  server.stderr.on('data', (chunk) => {
    stderr += chunk;
    const match = /http:\/\/\S+\/mcp/.exec(stderr);
    if (match) {
      clearTimeout(timer);
      resolve(match[0]);
    }
  });
  server.once('exit', (code) => reject(new Error(`fixture server exited with ${code}: ${stderr}`)));
});

function run(args, timeoutMs = 10 * 60_000) {
  return new Promise((resolve) => {
    const child = spawn(NODE22, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      process.stdout.write(c);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** Prints the checks of failed scenarios, so a failure in CI says why. */
function explain(dir) {
  for (const d of readdirSync(dir)) {
    for (const c of JSON.parse(readFileSync(join(dir, d, 'checks.json'), 'utf8'))) {
      if (c.status === 'FAILURE' || c.status === 'WARNING') console.error(`${d}: ${c.id} ${c.status}: ${c.errorMessage ?? ''} ${JSON.stringify(c.details ?? {})}`);
    }
  }
}

let failures = 0;
let passed = 0;
const results = mkdtempSync(join(tmpdir(), 'sluice-conformance-'));
try {
  const main = await run([SUITE, 'server', '--url', url, '--suite', 'all', '-o', join(results, 'v0.1.16')]);
  const total = /Total: (\d+) passed, (\d+) failed/.exec(main.out);
  if (main.code !== 0 || total === null || Number(total[2]) !== 0) {
    failures++;
    console.error(`conformance 0.1.16 failed (exit ${main.code})`);
    explain(join(results, 'v0.1.16'));
  } else {
    passed += Number(total[1]);
  }

  const next = join(results, 'v0.2.0-alpha.12');
  for (const scenario of NEXT_SCENARIOS) {
    const r = await run([SUITE_NEXT, 'server', '--url', url, '--scenario', scenario, '-o', next]);
    const checks = readdirSync(next)
      .filter((d) => d.includes(scenario))
      .flatMap((d) => JSON.parse(readFileSync(join(next, d, 'checks.json'), 'utf8')));
    const bad = checks.filter((c) => c.status === 'FAILURE' || c.status === 'WARNING');
    if (r.code !== 0 || checks.length === 0 || bad.length > 0) {
      failures++;
      console.error(`0.2.0-alpha.12 ${scenario}: ${bad.map((c) => `${c.id} ${c.status}`).join(', ') || `exit ${r.code}`}`);
    } else {
      passed += checks.filter((c) => c.status === 'SUCCESS').length;
    }
  }
} finally {
  server.kill('SIGTERM');
  rmSync(results, { recursive: true, force: true });
}
console.log(`conformance: ${passed} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
