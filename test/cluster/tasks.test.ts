// Tasks on Redis, over real sluice processes: a task created on node A is polled, cancelled
// and completed through node B; a resumable task survives A's death (SIGKILL) and a restart
// (SIGTERM, start again), continuing from its last checkpoint with progress that never goes
// back; a task whose tool is not resumable fails, saying why.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { connect, type SluiceClient } from '../../src/client/connect.js';
import type { RemoteError } from '../../src/errors.js';
import { type Cluster, type ClusterNode, startCluster, startNode } from '../helpers/cluster.js';
import { isRunning, readPids, waitFor } from '../helpers/processes.js';
import { ROOT } from '../helpers/servers.js';

const script = (name: string) => join(ROOT, 'test/fixtures/scripts', name);
const CONFIG = `
progress: { perSecond: 0 }
tools:
  - name: count
    description: counts slowly, with checkpoints; resumable
    command: node
    args: ["${script('checkpointed.mjs')}", "{{count}}", "{{delay}}", "{{starts}}"]
    parameters: { count: { type: integer }, delay: { type: integer }, starts: { type: string } }
    task: optional
    resumable: true
  - name: once
    description: counts slowly; not resumable
    command: node
    args: ["${script('checkpointed.mjs')}", "{{count}}", "{{delay}}"]
    parameters: { count: { type: integer }, delay: { type: integer } }
    task: optional
  - name: sleepy
    description: runs until stopped
    command: node
    args: ["${script('sleepy.mjs')}", "{{pidFile}}"]
    parameters: { pidFile: { type: string } }
    task: optional
`;

let cluster: Cluster;
let extra: ClusterNode | undefined;

before(async () => {
  cluster = await startCluster({ count: 2, config: CONFIG, storeExtra: 'nodeTimeout: 1s' });
});

after(async () => {
  await extra?.stop();
  await cluster.close();
});

/** Starts a task on `client` and resolves with its id (the client may go away afterwards). */
function startTask(client: SluiceClient, tool: string, args: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = client.callToolStream(tool, args, { task: true, onTask: (task) => resolve(task.taskId) });
    call.result.then(() => reject(new Error(`${tool} ran without a task`)), () => {});
  });
}

const textOf = (result: { content: Array<{ type: string; text?: string }> }) => result.content.map((c) => c.text ?? '').join('');

test('a task created on A is polled, cancelled and completed through B', async () => {
  const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
  const onA = await connect(a.url, { era: 'modern' });
  const onB = await connect(b.url, { era: 'modern' });
  const counting = await startTask(onA, 'count', { count: 6, delay: 60, starts: join(cluster.dir, 'plain.starts') });
  assert.ok(['working', 'completed'].includes((await onB.tasks.get(counting)).status), 'B sees it at once');
  assert.match(textOf(await onB.tasks.wait(counting)), /line 6\ndone at 6/);

  const pidFile = join(cluster.dir, 'sleepy.json');
  const sleeping = await startTask(onA, 'sleepy', { pidFile });
  const pids = await readPids(pidFile);
  await onB.tasks.cancel(sleeping);
  assert.equal((await onA.tasks.get(sleeping)).status, 'cancelled', 'cancelled at once, for every node');
  await waitFor(() => !isRunning(pids.child!) && !isRunning(pids.grandchild!), 5_000, 'A to stop the process group within a sweep');
  await Promise.all([onA.close(), onB.close()]);
});

test('A dies (SIGKILL): its resumable task goes on from its checkpoint on B; a task that is not resumable fails, saying why', async () => {
  const [a, b] = cluster.nodes as [ClusterNode, ClusterNode];
  const onA = await connect(a.url, { era: 'modern' });
  const onB = await connect(b.url, { era: 'modern' });
  const starts = join(cluster.dir, 'death.starts');
  const resumable = await startTask(onA, 'count', { count: 25, delay: 100, starts });
  const plain = await startTask(onA, 'once', { count: 100, delay: 100 });
  await waitFor(async () => ((await onB.tasks.get(resumable)).progress?.progress ?? 0) >= 4, 10_000, 'some progress');
  a.process.kill('SIGKILL');
  await onA.close().catch(() => {});

  const seen: number[] = [];
  const result = await onB.tasks.wait(resumable, { onProgress: (event) => seen.push(event.progress) });
  const lines = readFileSync(starts, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2, 'started twice: on A, then on B');
  const resumedFrom = Number(lines[1]!.split(' ')[1]);
  assert.ok(resumedFrom >= 4, `resumed from its checkpoint (${resumedFrom})`);
  assert.match(textOf(result), new RegExp(`resumed from ${resumedFrom}\\n(.|\\n)*line 25\\ndone at 25`));
  assert.deepEqual(seen, [...seen].sort((x, y) => x - y), 'progress never went back');

  const failed = await onB.tasks.wait(plain).then(
    () => undefined,
    (error: RemoteError) => error,
  );
  assert.ok(failed !== undefined, 'the task that is not resumable fails');
  assert.equal(failed.remoteCode, -32012);
  assert.match(failed.message, /tool "once" is not resumable/);
  await onB.close();
});

test('restart (SIGTERM, start again): a resumable task continues from its checkpoint', async () => {
  const b = cluster.nodes[1]!;
  const onB = await connect(b.url, { era: 'modern' });
  const starts = join(cluster.dir, 'restart.starts');
  const taskId = await startTask(onB, 'count', { count: 15, delay: 100, starts });
  await waitFor(async () => ((await onB.tasks.get(taskId)).progress?.progress ?? 0) >= 3, 10_000, 'some progress');
  await onB.close();
  await b.stop(); // SIGTERM: the task is left for whoever serves next
  extra = await startNode({ config: join(cluster.dir, 'sluice.yaml') });
  const again = await connect(extra.url, { era: 'modern' });
  const result = await again.tasks.wait(taskId);
  const lines = readFileSync(starts, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  assert.ok(Number(lines[1]!.split(' ')[1]) >= 3, `continued from its checkpoint (${lines[1]})`);
  assert.match(textOf(result), /done at 15/);
  await again.close();
});
