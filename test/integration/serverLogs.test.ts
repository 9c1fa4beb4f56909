// `sluice serve` logs as an operator reads them: JSON lines on stderr (pino), one per tool call
// with request id, session, tool, duration, outcome and bytes; --log-level filters; a terminal
// gets readable lines. Guards against calls that leave no trace, a log level that is ignored,
// and JSON that a log shipper cannot parse.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { run, serve } from '../helpers/cli.js';
import { freePort, waitFor } from '../helpers/processes.js';
import { CLI, EXAMPLE_CONFIG, ROOT } from '../helpers/servers.js';

const jsonLines = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

test('one JSON line per call, on both eras, and JSON lines for the server itself', async () => {
  const server = await serve([EXAMPLE_CONFIG, '--port', '0']);
  try {
    assert.equal((await run(['call', server.url, 'count', 'n=2', '--era', 'legacy'])).code, 0);
    assert.equal((await run(['call', server.url, 'echo', 'text=hello', '--era', 'modern'])).code, 0);
    assert.equal((await run(['call', server.url, 'count', 'n=0'])).code, 1, 'refused before it runs: no call line');
    await waitFor(() => jsonLines(server.stderr()).filter((l) => l.tool !== undefined).length >= 2, 10_000, 'two call lines');
    const lines = jsonLines(server.stderr());
    const ready = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('serving'))!;
    assert.equal(ready.level, 30);
    assert.equal(ready.url, server.url);
    const calls = lines.filter((l) => l.tool !== undefined);
    assert.equal(calls.length, 2);
    const [legacy, modern] = calls as [Record<string, unknown>, Record<string, unknown>];
    assert.equal(legacy.tool, 'count');
    assert.equal(legacy.outcome, 'ok');
    assert.equal(typeof legacy.session, 'string', 'a 2025 call names its session');
    assert.equal(typeof legacy.requestId, 'number');
    assert.ok(typeof legacy.durationMs === 'number' && legacy.durationMs >= 0);
    assert.ok((legacy.bytes as number) > 0);
    assert.equal(modern.tool, 'echo');
    assert.equal(modern.session, undefined);
    assert.equal(modern.bytes, 'hello\n'.length, 'the line it printed');
    assert.equal(typeof modern.time, 'string');
  } finally {
    server.child.kill('SIGKILL');
  }
});

test('--log-level warn keeps the failed calls and hides the rest; a bad level is exit 2', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', EXAMPLE_CONFIG, '--port', String(port), '--log-level', 'warn'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    const url = `http://127.0.0.1:${port}/mcp`;
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 15_000, 'the server to answer');
    assert.equal((await run(['call', url, 'echo', 'text=quiet'])).code, 0);
    assert.equal((await run(['call', url, 'analyze_dataset', 'dataset=missing.csv'])).code, 1);
    await waitFor(() => stderr.includes('analyze_dataset'), 10_000, 'the failed call logged');
    const lines = jsonLines(stderr);
    assert.deepEqual(
      lines.map((l) => [l.level, l.tool, l.outcome]),
      [[40, 'analyze_dataset', 'error']],
      'only the warn line: no ready line, no line for the call that went well',
    );
  } finally {
    child.kill('SIGKILL');
  }
  const bad = await run(['serve', EXAMPLE_CONFIG, '--log-level', 'loud']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^sluice: --log-level must be one of fatal, error, warn, info, debug, trace, silent; got loud$/m);
});

test('on a terminal the lines are readable, not JSON', () => {
  // `script` gives the command a pseudo-terminal; on stdio with stdin at its end the server stops at once.
  const out = spawnSync('script', ['-qec', `${process.execPath} ${CLI} serve ${EXAMPLE_CONFIG} --stdio < /dev/null`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.match(out.stdout, /INFO.*serving 4 tool\(s\)/);
  assert.doesNotMatch(out.stdout, /"level":/);
});
