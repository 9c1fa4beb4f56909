// The `sluice` binary as a user runs it (the built dist/bin/sluice.mjs in a child
// process): serve prints its URL and shuts down cleanly on SIGINT/SIGTERM;
// call and read work against HTTP and stdio targets with progress on stderr
// and results on stdout; failures exit non-zero with one line.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isAlive, readPids, waitFor } from '../helpers/processes.js';
import { CLI, EXAMPLE_CONFIG, ROOT, tempDir } from '../helpers/servers.js';
import { run, serve } from '../helpers/cli.js';

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const STDIO_TARGET = `stdio:${process.execPath} ${CLI} serve ${EXAMPLE_CONFIG} --stdio`;
let http: { child: ChildProcess; url: string };
const tmp = tempDir();

before(async () => {
  http = await serve([EXAMPLE_CONFIG, '--port', '0']);
});
after(() => {
  http.child.kill('SIGKILL');
  tmp.remove();
});

test('serve binds 127.0.0.1 and prints the endpoint', () => {
  assert.match(http.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
});

for (const target of ['http', 'stdio'] as const) {
  test(`call over ${target}: progress on stderr, result on stdout, exit 0`, async () => {
    const r = await run(['call', target === 'http' ? http.url : STDIO_TARGET, 'count', 'n=3']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'counted to 3\n');
    assert.match(r.stderr, /^progress 3\/3 counted 3$/m);
  });

  test(`read over ${target}: the bytes are identical to the source`, async () => {
    const out = join(tmp.dir, `sales-${target}.csv`);
    const r = await run(['read', target === 'http' ? http.url : STDIO_TARGET, 'data://sales.csv', '-o', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(readFileSync(out).equals(readFileSync(join(ROOT, 'examples/data/sales.csv'))));
  });
}

test('call on a terminal draws the progress bar (cli-progress, loaded only there) and ends at 100 %', () => {
  // `script` gives the command a pseudo-terminal; the server runs in its own process, so spawnSync may block here.
  const out = spawnSync('script', ['-qec', `${process.execPath} ${CLI} call ${http.url} count n=3`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout, /=+ 100% \| 3\/3 \| counted 3/, 'the bar, full');
  assert.doesNotMatch(out.stdout, /^progress \d/m, 'not the plain progress lines');
  assert.match(out.stdout, /counted to 3/);
});

test('read to stdout', async () => {
  const r = await run(['read', http.url, 'logs://archive/2026-11-20.log']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(ROOT, 'examples/logs/archive/2026-11-20.log'), 'utf8'));
});

test('--json arguments and typed key=value pairs', async () => {
  const r = await run(['call', http.url, 'echo', '--json', '{"text":"from json"}']);
  assert.equal(r.stdout, 'from json\n');
  const bad = await run(['call', http.url, 'count', 'n=abc']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^sluice: n=abc: expected a number$/m);
});

test('failures exit non-zero with one line', async () => {
  const unknown = await run(['call', http.url, 'nope']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^sluice: unknown tool "nope"; the server has: analyze_dataset, pipeline, count, echo$/m);
  const invalid = await run(['call', http.url, 'count', 'n=0']);
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /^sluice: Invalid arguments for tool "count": n must be >= 1$/m);
  const missing = await run(['read', http.url, 'logs://nope.log']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /not found/i);
  const target = await run(['call', 'ftp://x', 'count']);
  assert.equal(target.code, 2);
  const refused = await run(['call', 'http://127.0.0.1:9/mcp', 'count']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^sluice: Cannot connect to http:\/\/127\.0\.0\.1:9\/mcp/m);
});

test('a config error prints one line with file and line, exit 2', async () => {
  const file = join(tmp.dir, 'bad.yaml');
  writeFileSync(file, 'tools:\n  - name: t\n    description: d\n    command: node\n    timeout: whenever\n');
  const r = await run(['serve', file, '--port', '0']);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`^sluice: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: tools\\[0\\]\\.timeout: must be a duration`));
  const absent = await run(['serve', join(tmp.dir, 'absent.yaml')]);
  assert.equal(absent.code, 2);
  assert.match(absent.stderr, /cannot read config: ENOENT/);
});

test('mistakes on disk are found at start: a missing command exits 2 with file and line', async () => {
  const file = join(tmp.dir, 'nocommand.yaml');
  writeFileSync(file, 'tools:\n  - name: t\n    description: d\n    command: sluice-no-such-command\n');
  const r = await run(['serve', file, '--port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nocommand\.yaml:4: tools\[0\]\.command: command "sluice-no-such-command" was not found in PATH/);
});

test('a port in use prints a one-line hint to use --port', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await run(['serve', EXAMPLE_CONFIG, '--port', String(port)]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^sluice: 127\\.0\\.0\\.1:${port} is already in use; pick another port with --port N`));
  } finally {
    blocker.close();
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`${signal} shuts serve down cleanly`, async () => {
    const s = await serve([EXAMPLE_CONFIG, '--port', '0']);
    const exited = exitOf(s.child);
    s.child.kill(signal);
    assert.equal(await exited, 0);
    assert.match(s.stderr(), new RegExp(`${signal}: shutting down`));
  });
}

test('stdio serve exits when stdin closes', async () => {
  const child = spawn(process.execPath, [CLI, 'serve', EXAMPLE_CONFIG, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  await new Promise((r) => child.stderr.once('data', r));
  const exited = exitOf(child);
  child.stdin.end();
  assert.equal(await exited, 0);
  assert.equal(stdout, '', 'nothing but protocol frames on stdout');
});

test('SIGTERM cancels in-flight work: the running script is stopped and serve exits 0', async () => {
  const config = join(tmp.dir, 'sleepy.yaml');
  writeFileSync(
    config,
    `tools:\n  - name: sleepy\n    description: never ends\n    command: node\n    args: ["${join(ROOT, 'test/fixtures/scripts/sleepy.mjs')}", "{{pidfile}}"]\n    parameters: { pidfile: { type: string } }\n`,
  );
  const s = await serve([config, '--port', '0']);
  const pidfile = join(tmp.dir, 'sleepy-pids.json');
  const call = run(['call', s.url, 'sleepy', `pidfile=${pidfile}`]);
  const pids = await readPids(pidfile);
  const exited = exitOf(s.child);
  s.child.kill('SIGTERM');
  assert.equal(await exited, 0);
  await waitFor(() => !isAlive(pids.child!) && !isAlive(pids.grandchild!), 5000, 'the script and its child to stop');
  const r = await call;
  assert.equal(r.code, 1, 'the interrupted call fails');
  assert.match(r.stderr, /^sluice: tool "sleepy" failed: The server is shutting down$/m, 'and is told why');
});

test('call streams output as it arrives and does not print it twice', async () => {
  const r = await run(['call', http.url, 'pipeline', 'items=3']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'fetch: 3 items\nparse: 3 items\ntransform: 3 items\npublish: 3 items\npipeline finished: 3 items through 4 stages, checksum 804057\n');
});
