// Nothing a script starts outlives it. Guards against: descendants that left
// the process group (setsid, double fork) surviving timeout, cancellation,
// normal exit and shutdown; a timeout that is not answered while a descendant
// holds stdout; scripts running on silently after the server was SIGKILLed.
// Also: concurrent script processes are capped, with a bounded queue and a
// clear "busy" answer past it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect } from '../../src/client/index.js';
import { CancelledError } from '../../src/errors.js';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { isAlive, readPids, waitFor } from '../helpers/processes.js';
import { CLI, ROOT, startConfig, tempDir } from '../helpers/servers.js';

const SCRIPTS = join(ROOT, 'test/fixtures/scripts');
const tmp = tempDir();
let server: RunningHttpServer & { sluice: SluiceServer };

const escapeTool = (name: string, mode: string, timeout: string) => `
  - name: ${name}
    description: leaves descendants outside its process group
    command: node
    args: ["${SCRIPTS}/escape.mjs", "{{pidfile}}", "${mode}"]
    parameters: { pidfile: { type: string } }
    timeout: ${timeout}`;

before(async () => {
  server = await startConfig(
    `tools:${escapeTool('escape_wait', 'wait', '1s')}${escapeTool('escape_long', 'wait', '5m')}${escapeTool('escape_exit', 'exit', '5m')}
`,
    tmp.dir,
  );
});
after(async () => {
  await server.close();
  tmp.remove();
});

const allGone = (pids: Record<string, number>) => Object.values(pids).every((pid) => !isAlive(pid));

test('a timeout kills descendants that left the group, and is answered on time although they hold stdout', async () => {
  const client = await connect(server.url, { era: 'legacy' });
  const pidfile = join(tmp.dir, 'timeout.json');
  const started = performance.now();
  const result = await client.callTool('escape_wait', { pidfile });
  const elapsed = performance.now() - started;
  assert.equal(result.isError, true);
  assert.match((result.content[0] as { text: string }).text, /timed out after 1s/);
  assert.ok(elapsed < 4000, `answered ${Math.round(elapsed)} ms after the call, for a 1 s timeout`);
  const pids = await readPids(pidfile);
  await waitFor(() => allGone(pids), 5000, 'the script and its escaped descendants to be gone');
  await client.close();
});

test('a cancellation kills escaped descendants too', async () => {
  const client = await connect(server.url, { era: 'modern' });
  const pidfile = join(tmp.dir, 'cancel.json');
  const controller = new AbortController();
  const call = client.callTool('escape_long', { pidfile }, { signal: controller.signal });
  const pids = await readPids(pidfile);
  assert.ok(isAlive(pids.session!) && isAlive(pids.orphan!), 'the descendants are running');
  controller.abort(new Error('changed my mind'));
  await assert.rejects(call, CancelledError);
  await waitFor(() => allGone(pids), 5000, 'every descendant to be gone');
  await client.close();
});

test('a script that exits leaves nothing behind, and its answer does not wait for what held stdout', async () => {
  const client = await connect(server.url, { era: 'modern' });
  const pidfile = join(tmp.dir, 'exit.json');
  const started = performance.now();
  const result = await client.callTool('escape_exit', { pidfile });
  assert.equal(result.isError, undefined);
  assert.match((result.content[0] as { text: string }).text, /descendants started/);
  assert.ok(performance.now() - started < 5000, 'answered without waiting for the descendants');
  const pids = await readPids(pidfile);
  await waitFor(() => allGone(pids), 5000, 'the descendants to be gone');
  await client.close();
});

test('shutdown kills escaped descendants of running calls', async () => {
  const tmp2 = tempDir();
  const other = await startConfig(`tools:${escapeTool('escape_long', 'wait', '5m')}\n`, tmp2.dir);
  const client = await connect(other.url, { era: 'legacy' });
  const pidfile = join(tmp2.dir, 'shutdown.json');
  const call = client.callTool('escape_long', { pidfile }).catch(() => undefined);
  const pids = await readPids(pidfile);
  await other.close();
  await waitFor(() => allGone(pids), 8000, 'every descendant to be gone after shutdown');
  await call;
  await client.close().catch(() => {});
  tmp2.remove();
});

test('after the server is killed with SIGKILL, its scripts do not run on', async () => {
  const tmp2 = tempDir();
  const config = join(tmp2.dir, 'sluice.yaml');
  writeFileSync(config, `tools:${escapeTool('escape_long', 'wait', '5m')}\n`);
  const child = spawn(process.execPath, [CLI, 'serve', config, '--port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  await waitFor(() => /http:\/\/\S+\/mcp/.test(stderr), 15_000, 'the server to print its URL');
  const url = /(http:\/\/\S+\/mcp)/.exec(stderr)![1]!;
  const client = await connect(url, { era: 'modern' });
  const pidfile = join(tmp2.dir, 'killed.json');
  const call = client.callTool('escape_long', { pidfile }).catch(() => undefined);
  const pids = await readPids(pidfile);
  child.kill('SIGKILL');
  await waitFor(() => allGone(pids), 10_000, 'the orphaned script and its descendants to be stopped');
  await call;
  await client.close().catch(() => {});
  tmp2.remove();
});

test('concurrent script processes are capped; calls wait in a bounded queue, past it a clear busy error', async () => {
  const tmp2 = tempDir();
  const running = join(tmp2.dir, 'running');
  mkdirSync(running);
  const release = join(tmp2.dir, 'release');
  const gate = (name: string, extra = '') => `
  - name: ${name}
    description: waits for the release file
    command: node
    args: ["${SCRIPTS}/gate.mjs", "${running}", "${release}"]${extra}`;
  const other = await startConfig(`scripts: { maxConcurrent: 2, maxQueued: 1 }\ntools:${gate('gate')}\n`, tmp2.dir);
  const client = await connect(other.url, { era: 'modern' });
  try {
    const calls = [client.callTool('gate', {}), client.callTool('gate', {})];
    await waitFor(() => readdirSync(running).length === 2, 10_000, 'two scripts to run');
    calls.push(client.callTool('gate', {})); // waits: the limit is 2
    const busy = await client.callTool('gate', {}); // the queue (1) is full
    assert.equal(busy.isError, true);
    assert.match((busy.content[0] as { text: string }).text, /Tool "gate" is busy: 2 running and 1 waiting/);
    assert.equal(readdirSync(running).length, 2, 'never more than two processes');
    writeFileSync(release, '');
    const results = await Promise.all(calls);
    assert.deepEqual(results.map((r) => (r.content[0] as { text: string }).text), ['released', 'released', 'released']);
    assert.equal(readdirSync(running).length, 3, 'the queued call ran once a slot was free');
  } finally {
    writeFileSync(release, '');
    await client.close();
    await other.close();
    tmp2.remove();
  }
});

test('a tool with concurrency: 1 runs one process at a time, with the server-wide limit still free', async () => {
  const tmp2 = tempDir();
  const running = join(tmp2.dir, 'running');
  mkdirSync(running);
  const release = join(tmp2.dir, 'release');
  const other = await startConfig(
    `scripts: { maxQueued: 1 }\ntools:\n  - name: solo\n    description: one at a time\n    command: node\n    args: ["${SCRIPTS}/gate.mjs", "${running}", "${release}"]\n    concurrency: 1\n`,
    tmp2.dir,
  );
  const client = await connect(other.url, { era: 'modern' });
  try {
    const first = client.callTool('solo', {});
    await waitFor(() => readdirSync(running).length === 1, 10_000, 'the first run to start');
    const second = client.callTool('solo', {}); // waits for the tool's one slot
    const busy = await client.callTool('solo', {});
    assert.match((busy.content[0] as { text: string }).text, /Tool "solo" is busy: 1 running and 1 waiting/);
    assert.equal(readdirSync(running).length, 1, 'the second run has not started');
    writeFileSync(release, '');
    assert.deepEqual([(await first).content[0], (await second).content[0]], [{ type: 'text', text: 'released' }, { type: 'text', text: 'released' }]);
    assert.equal(readdirSync(running).length, 2);
  } finally {
    writeFileSync(release, '');
    await client.close();
    await other.close();
    tmp2.remove();
  }
});

