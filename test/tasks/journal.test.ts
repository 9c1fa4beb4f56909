// One node, no Redis: with `tasks: { journal }` a resumable task survives the server dying
// (SIGKILL) and continues from its checkpoint when the server is started again.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { connect } from '../../src/client/connect.js';
import { type ClusterNode, startNode } from '../helpers/cluster.js';
import { waitFor } from '../helpers/processes.js';
import { ROOT, tempDir } from '../helpers/servers.js';

const tmp = tempDir();
let node: ClusterNode | undefined;
after(async () => {
  await node?.stop();
  tmp.remove();
});

test('a journaled task survives the server’s death and continues from its checkpoint after a restart', async () => {
  const config = join(tmp.dir, 'sluice.yaml');
  const starts = join(tmp.dir, 'starts');
  writeFileSync(
    config,
    `tasks: { journal: ./tasks.jsonl }
progress: { perSecond: 0 }
tools:
  - name: count
    description: counts slowly, with checkpoints
    command: node
    args: ["${join(ROOT, 'test/fixtures/scripts/checkpointed.mjs')}", "{{count}}", "{{delay}}", "${starts}"]
    parameters: { count: { type: integer }, delay: { type: integer } }
    task: optional
    resumable: true
`,
  );
  node = await startNode({ config });
  assert.match(node.stderr(), /tasks in .*tasks\.jsonl/);
  const first = await connect(node.url, { era: 'modern' });
  const taskId = await new Promise<string>((resolve) => {
    first.callToolStream('count', { count: 15, delay: 100 }, { task: true, onTask: (task) => resolve(task.taskId) }).result.catch(() => {});
  });
  await waitFor(async () => ((await first.tasks.get(taskId)).progress?.progress ?? 0) >= 3, 10_000, 'some progress');
  node.process.kill('SIGKILL');
  await first.close().catch(() => {});
  node = await startNode({ config });
  const again = await connect(node.url, { era: 'modern' });
  const seen: number[] = [];
  const result = await again.tasks.wait(taskId, { onProgress: (event) => seen.push(event.progress) });
  const lines = readFileSync(starts, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2, 'started again once');
  const from = Number(lines[1]!.split(' ')[1]);
  assert.ok(from >= 3, `from its checkpoint (${from})`);
  assert.match(result.content.map((c) => (c.type === 'text' ? c.text : '')).join(''), new RegExp(`resumed from ${from}(.|\\n)*done at 15`));
  assert.ok(seen.every((p) => p >= 3), 'progress did not go back');
  await again.close();
});
