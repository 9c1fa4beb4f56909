// `sluice call --task` prints the task id and waits with progress; `sluice task get|wait|cancel|list`
// reach a task by its id from another process. Runs the built CLI against a real server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { CLI, ROOT, startConfig, tempDir } from '../helpers/servers.js';

let server: RunningHttpServer & { sluice: SluiceServer };
let tmp: ReturnType<typeof tempDir>;

before(async () => {
  tmp = tempDir();
  server = await startConfig(
    `
progress: { perSecond: 0 }
tools:
  - name: count
    description: counts slowly
    command: node
    args: ["${join(ROOT, 'test/fixtures/scripts/checkpointed.mjs')}", "{{count}}", "{{delay}}"]
    parameters: { count: { type: integer }, delay: { type: integer } }
    timeout: 10m
`,
    tmp.dir,
  );
});

after(async () => {
  await server.close();
  tmp.remove();
});

function sluice(args: string[], until?: (stderr: string) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (until?.(stderr) === true) child.kill('SIGINT');
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('sluice call --task: prints the task id, waits for the result; sluice task get|wait find it from another process', async () => {
  const call = await sluice(['call', server.url, 'count', 'count=3', 'delay=30', '--task']);
  assert.equal(call.code, 0, call.stderr);
  const taskId = /task ([0-9a-f-]{36})/.exec(call.stderr)?.[1];
  assert.ok(taskId !== undefined, call.stderr);
  assert.match(call.stdout, /done at 3/);
  const got = await sluice(['task', 'get', server.url, taskId]);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(JSON.parse(got.stdout).status, 'completed');
  const waited = await sluice(['task', 'wait', server.url, taskId]);
  assert.equal(waited.code, 0, waited.stderr);
  assert.match(waited.stdout, /done at 3/);
});

test('Ctrl-C leaves a task running; sluice task cancel stops it; list on 2025-11-25; bad use is exit 2', async () => {
  const detached = await sluice(['call', server.url, 'count', 'count=100', 'delay=50', '--task'], (stderr) => /task [0-9a-f-]{36}/.test(stderr));
  assert.equal(detached.code, 130);
  const taskId = /task ([0-9a-f-]{36})/.exec(detached.stderr)![1]!;
  assert.match(detached.stderr, /keeps running/);
  assert.equal((await server.sluice.tasks.get(taskId, ''))?.status, 'working', 'still running after the client left');
  const cancelled = await sluice(['task', 'cancel', server.url, taskId]);
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.equal((await server.sluice.tasks.get(taskId, ''))?.status, 'cancelled');
  const waited = await sluice(['task', 'wait', server.url, taskId]);
  assert.equal(waited.code, 130, 'waiting on a cancelled task says so');
  const listed = await sluice(['task', 'list', server.url, '--era', 'legacy']);
  assert.equal(listed.code, 0, listed.stderr);
  const modernList = await sluice(['task', 'list', server.url, '--era', 'modern']);
  assert.equal(modernList.code, 1);
  assert.match(modernList.stderr, /tasks\/list does not exist on 2026-07-28/);
  assert.equal((await sluice(['task', 'get', server.url])).code, 2);
  assert.equal((await sluice(['task', 'nope', server.url, taskId])).code, 2);
  const unknown = await sluice(['task', 'get', server.url, 'no-such-task']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /Task not found/);
});
