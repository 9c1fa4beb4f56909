// docs/deploy/sluice.service as systemd reads it and runs it: systemd-analyze verify finds
// nothing to say (an unknown key or a bad value is only a warning to systemd, so any output
// fails), and its ExecStart, run as the unit runs it, serves, then stops on the unit's
// KillSignal within TimeoutStopSec with exit 0 (systemd would count anything else a failure).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, waitFor } from '../helpers/processes.js';
import { CLI, EXAMPLE_CONFIG, ROOT, tempDir } from '../helpers/servers.js';

const UNIT = readFileSync(join(ROOT, 'docs/deploy/sluice.service'), 'utf8');
const setting = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(UNIT)?.[1];
/** The unit with `sluice` as this checkout runs it. */
const installed = UNIT.replace('/usr/local/bin/sluice', `${process.execPath} ${CLI}`);

test('systemd-analyze verify has nothing to say about the unit', (t) => {
  const folder = tempDir();
  try {
    const file = join(folder.dir, 'sluice.service');
    writeFileSync(file, installed);
    const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    assert.equal(result.error, undefined, 'systemd-analyze is installed (Debian: systemd; .ci/run installs it)');
    assert.equal(`${result.stdout}${result.stderr}`.trim(), '', 'no warning');
    assert.equal(result.status, 0);
    t.diagnostic('verified');
  } finally {
    folder.remove();
  }
});

test('its ExecStart serves, and stops on KillSignal within TimeoutStopSec with exit 0', async () => {
  const [command, ...args] = setting('ExecStart')!.replace('/usr/local/bin/sluice', `${process.execPath} ${CLI}`).split(' ');
  const port = await freePort();
  const argv = args.map((arg) => (arg === '/srv/sluice/sluice.yaml' ? EXAMPLE_CONFIG : arg === '3001' ? String(port) : arg));
  assert.ok(argv.includes(EXAMPLE_CONFIG) && argv.includes(String(port)), 'the config and the port are where the unit says');
  const child = spawn(command!, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_ENV: setting('Environment')!.split('=')[1] } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok === true, 15_000, 'the unit\'s server to answer');
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const stoppedAt = performance.now();
    child.kill(setting('KillSignal') as NodeJS.Signals);
    const code = await exited;
    assert.equal(code, 0, stderr);
    assert.ok(performance.now() - stoppedAt < Number(setting('TimeoutStopSec')) * 1000, 'within TimeoutStopSec');
    assert.match(stderr, /"msg":"SIGTERM: shutting down/, 'JSON lines for the journal');
  } finally {
    child.kill('SIGKILL');
  }
});
