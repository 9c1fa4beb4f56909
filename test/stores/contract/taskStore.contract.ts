// The contract every TaskStore implementation passes unchanged (memory now, Redis next):
// strongly consistent creation, atomic transitions by one table, cancellation asked for once,
// TTLs on the store's clock, count and byte bounds that take the oldest finished tasks first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TaskStoreFullError, type NewTask, type TaskStore, type TaskStoreLimits } from '../../../src/stores/taskStore.js';
import { FakeClock } from '../../helpers/fakeClock.js';

export type TaskStoreFactory = (limits: Partial<TaskStoreLimits>, clock: FakeClock) => TaskStore | Promise<TaskStore>;

const task = (taskId: string, extra: Partial<NewTask> = {}): NewTask => ({
  taskId,
  ttlMs: 60_000,
  principal: 'alice',
  request: { method: 'tools/call', params: { name: 'slow', arguments: { n: 1 } } },
  ...extra,
});

export function taskStoreContract(name: string, make: TaskStoreFactory): void {
  describe(`TaskStore contract: ${name}`, () => {
    const open = async (limits: Partial<TaskStoreLimits> = {}) => {
      const clock = new FakeClock();
      clock.advance(1_000_000);
      return { store: await make(limits, clock), clock };
    };

    test('a created task is there at once, working, as it was created', async () => {
      const { store, clock } = await open();
      const created = await store.create(task('t1', { pollIntervalMs: 500, runner: 'node-a' }));
      assert.equal(created.status, 'working');
      assert.equal(created.createdAt, clock.now());
      assert.deepEqual(await store.get('t1'), created);
      assert.equal((await store.get('t1'))!.runner, 'node-a');
      assert.deepEqual((await store.get('t1'))!.request, task('t1').request);
      assert.equal(await store.get('nobody'), undefined);
    });

    test('transitions follow the table; a terminal status is final; an unknown task says so', async () => {
      const { store, clock } = await open();
      await store.create(task('t'));
      clock.advance(5);
      const asking = await store.transition('t', 'input_required', { inputRequests: { q: { method: 'elicitation/create' } } });
      assert.ok(asking.ok);
      assert.deepEqual(asking.task.inputRequests, { q: { method: 'elicitation/create' } });
      assert.equal(asking.task.lastUpdatedAt, clock.now());
      const back = await store.transition('t', 'working');
      assert.ok(back.ok);
      assert.equal(back.task.inputRequests, undefined, 'answered: nothing outstanding any more');
      const done = await store.transition('t', 'completed', { result: { content: [{ type: 'text', text: 'ok' }] } });
      assert.ok(done.ok);
      assert.deepEqual((await store.get('t'))!.result, { content: [{ type: 'text', text: 'ok' }] });
      const again = await store.transition('t', 'failed', { error: { code: -32603, message: 'late' } });
      assert.deepEqual([again.ok, !again.ok && again.reason], [false, 'not-allowed']);
      assert.equal((await store.get('t'))!.status, 'completed');
      const unknown = await store.transition('missing', 'completed');
      assert.deepEqual([unknown.ok, !unknown.ok && unknown.reason], [false, 'unknown']);
    });

    test('of two racing transitions out of one status, exactly one wins', async () => {
      const { store } = await open();
      for (let i = 0; i < 20; i++) {
        await store.create(task(`r${i}`));
        const outcomes = await Promise.all([store.transition(`r${i}`, 'completed', { result: { content: [] } }), store.transition(`r${i}`, 'cancelled')]);
        assert.equal(outcomes.filter((o) => o.ok).length, 1, `race ${i}`);
        const final = (await store.get(`r${i}`))!.status;
        assert.equal(final, outcomes[0]!.ok ? 'completed' : 'cancelled');
      }
    });

    test('cancellation is asked for once and leaves a finished task as it is', async () => {
      const { store } = await open();
      await store.create(task('c'));
      assert.equal((await store.requestCancel('c'))!.cancelRequested, true);
      assert.equal((await store.requestCancel('c'))!.cancelRequested, true, 'idempotent');
      assert.equal((await store.get('c'))!.status, 'working', 'asking is not stopping');
      await store.create(task('d'));
      await store.transition('d', 'completed', { result: { content: [] } });
      const finished = await store.requestCancel('d');
      assert.equal(finished!.status, 'completed');
      assert.equal(finished!.cancelRequested, false);
      assert.equal(await store.requestCancel('none'), undefined);
    });

    test('TTL on the store’s clock: kept for ttlMs from creation, then gone; null keeps it', async () => {
      const { store, clock } = await open();
      await store.create(task('short', { ttlMs: 1000 }));
      await store.create(task('kept', { ttlMs: null }));
      clock.advance(999);
      assert.ok(await store.get('short'));
      clock.advance(1);
      assert.equal(await store.get('short'), undefined);
      assert.deepEqual((await store.list('alice', { limit: 10 })).tasks.map((t) => t.taskId), ['kept']);
      clock.advance(10_000_000);
      assert.ok(await store.get('kept'));
    });

    test('count bound: the oldest finished task goes first; with every task running, a new one is refused', async () => {
      const { store } = await open({ maxTasks: 3 });
      for (const id of ['a', 'b', 'c']) await store.create(task(id));
      await assert.rejects(store.create(task('d')), TaskStoreFullError);
      await store.transition('b', 'completed', { result: { content: [] } });
      await store.transition('a', 'failed', { error: { code: -32603, message: 'x' } });
      await store.create(task('d'));
      assert.equal(await store.get('b'), undefined, 'b ended first, so it went first');
      assert.ok(await store.get('a'));
      assert.ok(await store.get('c'), 'a running task is never dropped');
    });

    test('byte bound: finished tasks give way, oldest first, results counted', async () => {
      const { store } = await open({ maxBytes: 6000 });
      const big = { content: [{ type: 'text', text: 'x'.repeat(1500) }] };
      for (let i = 0; i < 6; i++) {
        await store.create(task(`b${i}`));
        await store.transition(`b${i}`, 'completed', { result: big });
      }
      assert.equal(await store.get('b0'), undefined);
      assert.ok(await store.get('b5'));
      const kept = (await store.list('alice', { limit: 10 })).tasks.map((t) => t.taskId);
      assert.ok(kept.length >= 2 && kept.length < 6, `kept the newest (${kept.join(', ')})`);
      assert.deepEqual(kept, [...kept].sort(), 'the oldest went');
    });

    test('a checkpoint is kept while the task runs on the node that writes it; one node wins a hand-over', async () => {
      const { store } = await open();
      await store.create(task('k', { runner: 'node-a' }));
      assert.equal(await store.report('k', 'node-a', { checkpoint: 'step-1' }), true);
      assert.equal(await store.report('k', 'node-b', { checkpoint: 'step-x' }), false, 'another node does not run it');
      assert.equal((await store.get('k'))!.checkpoint, 'step-1');
      const handed = await Promise.all([store.assign('k', 'node-a', 'node-b'), store.assign('k', 'node-a', 'node-c')]);
      assert.deepEqual(handed.filter(Boolean).length, 1, 'of two nodes taking it over, one wins');
      const to = handed[0] ? 'node-b' : 'node-c';
      assert.equal(await store.report('k', to, { checkpoint: 'step-2' }), true, `it moved to ${to}`);
      assert.equal(await store.report('k', 'node-a', { checkpoint: 'step-y' }), false, 'the old runner is fenced off');
      await store.transition('k', 'completed', { result: { content: [] } });
      assert.equal(await store.report('k', to, { checkpoint: 'step-3' }), false, 'finished');
      assert.equal(await store.assign('k', '', 'node-d'), false, 'a finished task is not picked up');
      assert.equal((await store.get('k'))!.checkpoint, 'step-2');
    });

    test('reported progress never goes back, even from a runner that started again', async () => {
      const { store } = await open();
      await store.create(task('p', { runner: 'node-a' }));
      assert.equal(await store.report('p', 'node-a', { progress: { progress: 40, total: 100, message: 'item 40' }, statusMessage: '40/100' }), true);
      await store.report('p', 'node-a', { progress: { progress: 10, total: 100 } });
      assert.deepEqual((await store.get('p'))!.progress, { progress: 40, total: 100, message: 'item 40' });
      assert.equal((await store.get('p'))!.statusMessage, '40/100');
      await store.report('p', 'node-a', { progress: { progress: 41, total: 100 } });
      assert.equal((await store.get('p'))!.progress!.progress, 41);
    });

    test('answers: unknown keys ignored, partial answers kept, the last one makes the task ready to run again', async () => {
      const { store } = await open();
      await store.create(task('a', { runner: 'node-a' }));
      await store.transition('a', 'input_required', { inputRequests: { '1.x': { method: 'elicitation/create' }, '1.y': { method: 'elicitation/create' } }, round: 1 });
      const ignored = await store.answer('a', { nope: { action: 'accept' } });
      assert.deepEqual([ignored.ready, Object.keys(ignored.task!.inputRequests!)], [false, ['1.x', '1.y']]);
      const partial = await store.answer('a', { '1.x': { action: 'accept', content: { v: 1 } } });
      assert.equal(partial.ready, false);
      assert.equal(partial.task!.status, 'input_required');
      assert.deepEqual(Object.keys(partial.task!.inputRequests!), ['1.y'], 'only the pending key is left');
      const twice = await Promise.all([store.answer('a', { '1.y': { action: 'decline' } }), store.answer('a', { '1.y': { action: 'decline' } })]);
      assert.equal(twice.filter((o) => o.ready).length, 1, 'one answer completes the round');
      const ready = (await store.get('a'))!;
      assert.deepEqual([ready.status, ready.runner, ready.inputRequests], ['working', '', undefined]);
      assert.deepEqual(ready.inputResponses, { '1.x': { action: 'accept', content: { v: 1 } }, '1.y': { action: 'decline' } });
      assert.equal((await store.answer('gone', {})).task, undefined);
      await store.transition('a', 'input_required', { inputRequests: { '2.x': {} }, round: 2 });
      assert.equal((await store.get('a'))!.inputResponses, undefined, 'a new round gathers new answers');
    });

    test('sweep drops every task past its TTL, finished or not, and says how many are left', async () => {
      const { store, clock } = await open();
      await store.create(task('s1', { ttlMs: 1_000 }));
      await store.create(task('s2', { ttlMs: 1_000 }));
      await store.transition('s2', 'completed', { result: { content: [] } });
      await store.create(task('s3', { ttlMs: null }));
      await store.create(task('s4', { ttlMs: 5_000 }));
      assert.equal(await store.sweep(), 4);
      clock.advance(1_000);
      assert.equal(await store.sweep(), 2);
      assert.deepEqual((await store.unfinished()).map((u) => u.taskId).sort(), ['s3', 's4']);
    });

    test('unfinished: every task still running, with its runner; finished ones leave', async () => {
      const { store } = await open();
      await store.create(task('u1', { runner: 'node-a' }));
      await store.create(task('u2'));
      await store.create(task('u3', { runner: 'node-b' }));
      await store.assign('u2', '', 'node-c');
      await store.transition('u3', 'completed', { result: { content: [] } });
      const rows = (await store.unfinished()).sort((x, y) => x.taskId.localeCompare(y.taskId));
      assert.deepEqual(rows, [
        { taskId: 'u1', runner: 'node-a' },
        { taskId: 'u2', runner: 'node-c' },
      ]);
    });

    test('list: one principal’s tasks, oldest first, page by page', async () => {
      const { store, clock } = await open();
      for (let i = 0; i < 5; i++) {
        await store.create(task(`l${i}`));
        await store.create(task(`m${i}`, { principal: 'mallory' }));
        clock.advance(1);
      }
      const first = await store.list('alice', { limit: 2 });
      assert.deepEqual(first.tasks.map((t) => t.taskId), ['l0', 'l1']);
      const second = await store.list('alice', { limit: 2, cursor: first.nextCursor });
      assert.deepEqual(second.tasks.map((t) => t.taskId), ['l2', 'l3']);
      const last = await store.list('alice', { limit: 2, cursor: second.nextCursor });
      assert.deepEqual(last.tasks.map((t) => t.taskId), ['l4']);
      assert.equal(last.nextCursor, undefined);
      assert.ok((await store.list('mallory', { limit: 10 })).tasks.every((t) => t.principal === 'mallory'));
    });
  });
}
