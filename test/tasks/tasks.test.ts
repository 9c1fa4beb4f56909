// Tasks on one node, over real HTTP with real script processes: a task outlives the client
// that started it; cancel stops the script's process group; a task past its TTL is gone
// (-32602); clients that know no tasks get ordinary calls; 2,000 abandoned tasks are reclaimed.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { connect } from '../../src/client/connect.js';
import { CancelledError, RemoteError } from '../../src/errors.js';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import { MemoryTaskStore } from '../../src/stores/memory/memoryTaskStore.js';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { isRunning, readPids, waitFor } from '../helpers/processes.js';
import { CLI, ROOT, startConfig, tempDir, v2Client } from '../helpers/servers.js';

const script = (name: string) => join(ROOT, 'test/fixtures/scripts', name);
let server: RunningHttpServer & { sluice: SluiceServer };
let tmp: ReturnType<typeof tempDir>;

before(async () => {
  tmp = tempDir();
  server = await startConfig(
    `
progress: { perSecond: 0 }
tools:
  - name: count
    description: counts slowly, with checkpoints
    command: node
    args: ["${script('checkpointed.mjs')}", "{{count}}", "{{delay}}"]
    parameters: { count: { type: integer }, delay: { type: integer } }
    task: optional
    polling: true
  - name: sleepy
    description: runs until stopped
    command: node
    args: ["${script('sleepy.mjs')}", "{{pidFile}}"]
    parameters: { pidFile: { type: string } }
    timeout: 10m
  - name: batch
    description: runs only as a task
    command: node
    args: ["${script('checkpointed.mjs')}", "2", "10"]
    task: required
  - name: quick
    description: never a task
    command: node
    args: ["${script('checkpointed.mjs')}", "1", "1"]
`,
    tmp.dir,
  );
});

after(async () => {
  await server.close();
  tmp.remove();
});

test('a task outlives its client: started by one, its result fetched by another, with progress that only goes up', async () => {
  const first = await connect(server.url, { era: 'modern' });
  const created = new Promise<string>((resolve) => {
    const call = first.callToolStream('count', { count: 6, delay: 80 }, { task: true, onTask: (task) => resolve(task.taskId) });
    call.result.catch(() => {}); // the client goes away while it waits
  });
  const taskId = await created;
  assert.equal((await first.tasks.get(taskId)).taskId, taskId, 'visible at once');
  await first.close();

  const second = await connect(server.url, { era: 'modern' });
  const seen: number[] = [];
  const result = await second.tasks.wait(taskId, { onProgress: (event) => seen.push(event.progress) });
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
  assert.match(text, /line 6\ndone at 6/);
  assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'progress never goes back');
  assert.equal((await second.tasks.get(taskId)).status, 'completed');
  await second.close();
});

test('cancel stops the script’s process group; the task stays cancelled; both eras say what the spec says', async () => {
  const legacy = await connect(server.url, { era: 'legacy' });
  const pidFile = join(tmp.dir, 'cancel.json');
  let taskId: string | undefined;
  const waiting = legacy.callTool('sleepy', { pidFile }, { task: true, onTask: (task) => (taskId = task.taskId) });
  const pids = await readPids(pidFile);
  assert.ok(taskId !== undefined);
  assert.equal((await legacy.tasks.get(taskId)).status, 'working');
  await legacy.tasks.cancel(taskId);
  await assert.rejects(waiting, CancelledError, 'the waiting call ends with the cancellation');
  await waitFor(() => !isRunning(pids.child!) && !isRunning(pids.grandchild!), 10_000, 'the process group to stop');
  assert.equal((await legacy.tasks.get(taskId)).status, 'cancelled');
  // 2025-11-25: cancelling a finished task is -32602; 2026-07-28 (SEP-2663): the same empty ack.
  await assert.rejects(legacy.tasks.cancel(taskId), (error: RemoteError) => error.remoteCode === -32602);
  await legacy.close();
});

test('a task past its TTL is gone: tasks/get answers -32602 and tasks/list no longer lists it', async () => {
  const legacy = await connect(server.url, { era: 'legacy' });
  let taskId = '';
  const result = await legacy.callTool('count', { count: 1, delay: 1 }, { task: { ttlMs: 3_000 }, onTask: (task) => (taskId = task.taskId) });
  assert.match(result.content.map((c) => (c.type === 'text' ? c.text : '')).join(''), /done at 1/);
  assert.equal((await legacy.tasks.get(taskId)).ttlMs, 3_000);
  assert.ok((await legacy.tasks.list()).tasks.some((t) => t.taskId === taskId), 'listed while it lives');
  await waitFor(
    () => legacy.tasks.get(taskId).then(() => false, (error: RemoteError) => error.remoteCode === -32602),
    10_000,
    'the task to expire',
  );
  assert.ok(!(await legacy.tasks.list()).tasks.some((t) => t.taskId === taskId));
  await legacy.close();
});

test('clients that know no tasks get ordinary calls with progress; a task-only tool refuses them by era', async () => {
  for (const era of ['modern', 'legacy'] as const) {
    const stock = await v2Client(server.url, era);
    const progress: number[] = [];
    const result = await stock.callTool({ name: 'count', arguments: { count: 3, delay: 20 } }, { onprogress: (p) => progress.push(p.progress) });
    assert.match(JSON.stringify(result.content), /done at 3/, era);
    assert.deepEqual(progress, [1, 2, 3], `${era}: progress streams as for any call`);
    const refused = await stock.callTool({ name: 'batch', arguments: {} }).then(
      () => undefined,
      (error: { code?: number }) => error.code,
    );
    assert.equal(refused, era === 'modern' ? -32021 : -32601, `${era}: a task-only tool`);
    await stock.close();
  }
  const ours = await connect(server.url, { era: 'legacy' });
  await assert.rejects(ours.callTool('quick', {}, { task: true }), (error: RemoteError) => error.remoteCode === -32601, 'a never-task tool asked for a task (2025)');
  const modern = await connect(server.url, { era: 'modern' });
  let asTask = false;
  const quick = await modern.callTool('quick', {}, { task: true, onTask: () => (asTask = true) });
  assert.equal(asTask, false, '2026: the server decides, and this tool runs in its request');
  assert.match(JSON.stringify(quick.content), /done at 1/);
  await Promise.all([ours.close(), modern.close()]);
});

test('2,000 tasks created and abandoned are reclaimed once their TTL passes', async () => {
  const { SluiceServer } = await import('../../src/server/sluiceServer.js');
  const { serveHttp } = await import('../../src/transports/http/nodeServer.js');
  const sluice = new SluiceServer({ name: 'many', version: '1', tasks: { sweepMs: 100 } });
  sluice.tool({ name: 'echo', description: 'answers at once', task: 'optional', handler: () => 'ok' });
  const running = await serveHttp(sluice, { port: 0 });
  const client = await connect(running.url, { era: 'legacy' });
  const store = sluice.tasks.store as MemoryTaskStore;
  let created = 0;
  for (let batch = 0; batch < 40; batch++) {
    await Promise.all(
      Array.from({ length: 50 }, () =>
        client.sdk.request({ method: 'tools/call', params: { name: 'echo', arguments: {}, task: { ttl: 1_000 } } } as never, z.looseObject({})).then(() => created++),
      ),
    );
  }
  assert.equal(created, 2_000);
  assert.ok(store.size > 0, 'held while they live');
  await waitFor(() => store.size === 0, 15_000, 'every abandoned task to be reclaimed');
  assert.equal(store.bytes, 0);
  await client.close();
  await running.close();
});

test('the polling pattern for clients that know no tasks: <tool>_start, then read tasks://ID until it holds the result', async () => {
  for (const era of ['modern', 'legacy'] as const) {
    const stock = await v2Client(server.url, era);
    const started = await stock.callTool({ name: 'count_start', arguments: { count: 3, delay: 30 } });
    const { taskId, uri } = started.structuredContent as { taskId: string; uri: string };
    assert.equal(uri, `tasks://${taskId}`);
    let state: { done: boolean; status: string; result?: { content: Array<{ text: string }> } } = { done: false, status: '' };
    await waitFor(
      async () => {
        const read = await stock.readResource({ uri });
        state = JSON.parse((read.contents[0] as { text: string }).text);
        return state.done;
      },
      10_000,
      `${era}: the task to end`,
    );
    assert.equal(state.status, 'completed');
    assert.match(state.result!.content[0]!.text, /done at 3/);
    await assert.rejects(stock.readResource({ uri: 'tasks://no-such-task' }), `${era}: an unknown task is not found`);
    await stock.close();
  }
});

test('2025-11-25: the creating session hears notifications/tasks/status; another session gets the task by id but does not list it', async () => {
  const stock = await v2Client(server.url, 'legacy');
  assert.deepEqual(stock.getServerCapabilities()?.tasks, { list: {}, cancel: {}, requests: { tools: { call: {} } } });
  const listed = Object.fromEntries((await stock.listTools()).tools.map((t) => [t.name, (t as { execution?: { taskSupport?: string } }).execution?.taskSupport]));
  assert.deepEqual([listed.count, listed.batch, listed.quick, listed.sleepy], ['optional', 'required', undefined, 'optional'], 'execution.taskSupport; a 10m timeout makes a script a task by default');
  const statuses: string[] = [];
  const completed = new Promise<void>((resolve) =>
    stock.setNotificationHandler('notifications/tasks/status' as never, (n: { params: unknown }) => {
      statuses.push(String((n.params as { status: string }).status));
      if ((n.params as { status: string }).status === 'completed') resolve();
    }),
  );
  const created = (await stock.request({ method: 'tools/call', params: { name: 'count', arguments: { count: 2, delay: 20 }, task: {} } } as never, z.looseObject({}))) as {
    task: { taskId: string; status: string; ttl: number; pollInterval: number };
  };
  assert.equal(created.task.status, 'working');
  assert.equal(typeof created.task.ttl, 'number');
  await completed;
  assert.deepEqual(statuses.at(-1), 'completed');
  const result = (await stock.request({ method: 'tasks/result', params: { taskId: created.task.taskId } } as never, z.looseObject({}))) as Record<string, unknown>;
  assert.match(JSON.stringify(result.content), /done at 2/);
  assert.deepEqual((result._meta as Record<string, unknown>)['io.modelcontextprotocol/related-task'], { taskId: created.task.taskId });
  const other = await connect(server.url, { era: 'legacy' });
  assert.equal((await other.tasks.get(created.task.taskId)).status, 'completed', 'the id is the handle');
  assert.ok(!(await other.tasks.list()).tasks.some((t) => t.taskId === created.task.taskId), 'listing shows only the session’s own');
  await Promise.all([stock.close(), other.close()]);
});

test('input_required: the task parks, tasks/update answers in rounds with keys never reused, and the wait goes on', async () => {
  const { SluiceServer } = await import('../../src/server/sluiceServer.js');
  const { serveHttp } = await import('../../src/transports/http/nodeServer.js');
  const { inputRequired } = await import('@modelcontextprotocol/server');
  const ask = (message: string) => ({ method: 'elicitation/create', params: { mode: 'form', message, requestedSchema: { type: 'object', properties: {} } } });
  const sluice = new SluiceServer({ name: 'asks', version: '1', tasks: { pollIntervalMs: 20 } });
  sluice.tool({
    name: 'two_rounds',
    description: 'asks twice',
    task: 'optional',
    handler: (_args, ctx) => {
      const answers = ctx.mcp.mcpReq.inputResponses ?? {};
      if ('second' in answers) return `second: ${JSON.stringify(answers.second)}`;
      if ('first' in answers) return inputRequired({ inputRequests: { second: ask('again?') } } as never);
      return inputRequired({ inputRequests: { first: ask('sure?') } } as never);
    },
  });
  const running = await serveHttp(sluice, { port: 0 });
  const client = await connect(running.url, { era: 'modern' });
  const keys: string[] = [];
  let taskId = '';
  const unanswered = await client.callTool('two_rounds', {}, { task: true, onTask: (task) => (taskId = task.taskId) }).catch((error: Error) => error);
  assert.ok(unanswered instanceof Error && /waiting for input \(1\.first\)/.test(unanswered.message), 'a wait that cannot answer says so');
  const result = await client.tasks.wait(taskId, {
    answer: async (requests) => {
      keys.push(...Object.keys(requests));
      return Object.fromEntries(Object.keys(requests).map((key) => [key, { action: 'accept', content: { key } }]));
    },
  });
  assert.deepEqual(keys, ['1.first', '2.second'], 'each round its own keys');
  // 2025-11-25 has no tasks/update: a task that asks fails at once, saying why, instead of waiting out its TTL.
  const legacy = await connect(running.url, { era: 'legacy' });
  await assert.rejects(legacy.callTool('two_rounds', {}, { task: true }), /asked for input, which a 2025-11-25 task cannot carry/);
  await legacy.close();
  assert.equal((result.content[0] as { text: string }).text, 'second: {"action":"accept","content":{"key":"2.second"}}');
  await client.close();
  await running.close();
});

test('tasks over stdio, on both eras: created, waited for, cancelled', async () => {
  const config = join(tmp.dir, 'stdio.yaml');
  writeFileSync(
    config,
    `tools:
  - name: count
    description: counts slowly
    command: node
    args: ["${script('checkpointed.mjs')}", "{{count}}", "{{delay}}"]
    parameters: { count: { type: integer }, delay: { type: integer } }
    task: optional
`,
  );
  for (const era of ['modern', 'legacy'] as const) {
    const client = await connect(`stdio:${process.execPath} ${CLI} serve ${config} --stdio`, { era });
    let taskId = '';
    const result = await client.callTool('count', { count: 3, delay: 10 }, { task: true, onTask: (task) => (taskId = task.taskId) });
    assert.notEqual(taskId, '', `${era}: a task`);
    assert.match(JSON.stringify(result.content), /done at 3/);
    let running = '';
    const waiting = client.callTool('count', { count: 1000, delay: 50 }, { task: true, onTask: (task) => (running = task.taskId) });
    await waitFor(() => running !== '', 5_000, 'the second task');
    await client.tasks.cancel(running);
    await assert.rejects(waiting, CancelledError);
    assert.equal((await client.tasks.get(running)).status, 'cancelled');
    await client.close();
  }
});
