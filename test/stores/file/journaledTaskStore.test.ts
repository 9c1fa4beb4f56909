// The journaled task store passes the task store contract, and a second store opened on the same
// journal (the server started again) finds every task as the first left it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { JournaledTaskStore } from '../../../src/stores/file/journaledTaskStore.js';
import { FakeClock } from '../../helpers/fakeClock.js';
import { tempDir } from '../../helpers/servers.js';
import { taskStoreContract } from '../contract/taskStore.contract.js';

const tmp = tempDir();
after(() => tmp.remove());
let cases = 0;

taskStoreContract('journaled', (limits, clock) => new JournaledTaskStore(join(tmp.dir, `c${++cases}.jsonl`), limits, clock));

test('opened again on its journal, the store has every task as it was left; expired ones are gone and the journal is compact', async () => {
  const clock = new FakeClock();
  clock.advance(1_000_000);
  const path = join(tmp.dir, 'restart.jsonl');
  const first = new JournaledTaskStore(path, {}, clock);
  const request = { method: 'tools/call', params: { name: 'count', arguments: {} } };
  await first.create({ taskId: 'running', ttlMs: 60_000, principal: '', request, runner: 'local' });
  await first.report('running', 'local', { checkpoint: '7', progress: { progress: 7, total: 10 } });
  await first.create({ taskId: 'done', ttlMs: 60_000, principal: '', request });
  await first.transition('done', 'completed', { result: { content: [{ type: 'text', text: 'ok' }] } });
  await first.create({ taskId: 'short', ttlMs: 1_000, principal: '', request });
  clock.advance(1_000);
  const second = new JournaledTaskStore(path, {}, clock);
  const running = await second.get('running');
  assert.deepEqual([running?.checkpoint, running?.progress?.progress, running?.runner], ['7', 7, 'local']);
  assert.equal((await second.get('done'))?.status, 'completed');
  assert.equal(await second.get('short'), undefined, 'past its TTL');
  assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 2, 'rewritten with the live tasks only');
});
