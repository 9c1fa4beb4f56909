// The per-request authorization check of SEP-2663: behind `authenticate`, a task is seen, waited
// for and cancelled only by the caller that created it, on both eras; another caller is told it
// does not exist (-32602), the same answer as for an id that never was.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { taskHandleOf, tapTaskHandles } from '../../src/client/taskHandles.js';
import { SluiceServer } from '../../src/server/sluiceServer.js';
import { serveHttp } from '../../src/transports/http/nodeServer.js';

const TASKS = { extensions: { 'io.modelcontextprotocol/tasks': {} } };
const any = z.looseObject({});

async function clientAs(url: string, who: string, era: 'legacy' | 'modern'): Promise<Client> {
  const client = new Client({ name: who, version: '0' }, { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' }, capabilities: TASKS as never });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { authorization: `Bearer ${who}` } } });
  await client.connect(transport);
  tapTaskHandles(transport); // the stock client refuses task answers (see src/client/taskHandles.ts)
  return client;
}

test('behind authentication a task is its creator’s alone, on both eras', async () => {
  const sluice = new SluiceServer({ name: 'auth', version: '1' });
  let seen: unknown;
  sluice.tool({
    name: 'slow',
    description: 'runs until cancelled',
    task: 'optional',
    handler: (_args, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('stopped'), { once: true })),
  });
  sluice.tool({ name: 'whoami', description: 'who calls', handler: (_args, ctx) => ((seen = ctx.mcp.http?.authInfo?.clientId), 'ok') });
  const running = await serveHttp(sluice, {
    port: 0,
    authenticate: (request) => {
      const token = /^Bearer (\w+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      return token === undefined ? undefined : { token, clientId: token, scopes: [] };
    },
  });
  try {
  for (const era of ['modern', 'legacy'] as const) {
    const alice = await clientAs(running.url, 'alice', era);
    const mallory = await clientAs(running.url, 'mallory', era);
    await alice.callTool({ name: 'whoami', arguments: {} });
    assert.equal(seen, 'alice', `${era}: handlers see who calls`);
    const meta = era === 'modern' ? { _meta: { 'io.modelcontextprotocol/clientCapabilities': TASKS } } : { task: {} };
    const created = await alice.request({ method: 'tools/call', params: { name: 'slow', arguments: {}, ...meta } } as never, any);
    const taskId = taskHandleOf(created as never)!.taskId;
    const ask = (client: Client, method: string) => client.request({ method, params: { taskId } } as never, any);
    assert.equal(((await ask(alice, 'tasks/get')) as { status: string }).status, 'working');
    for (const method of ['tasks/get', 'tasks/cancel', ...(era === 'legacy' ? ['tasks/result'] : [])]) {
      await assert.rejects(ask(mallory, method), (error: { code?: number }) => error.code === -32602, `${era}: ${method} by another caller`);
    }
    if (era === 'legacy') {
      const listed = (await mallory.request({ method: 'tasks/list', params: {} } as never, any)) as { tasks: Array<{ taskId: string }> };
      assert.ok(!listed.tasks.some((t) => t.taskId === taskId), 'not listed for another caller');
      const own = (await alice.request({ method: 'tasks/list', params: {} } as never, any)) as { tasks: Array<{ taskId: string }> };
      assert.ok(own.tasks.some((t) => t.taskId === taskId), 'listed for its creator');
    }
    assert.equal(((await ask(alice, 'tasks/get')) as { status: string }).status, 'working', `${era}: untouched by the other caller`);
    await ask(alice, 'tasks/cancel');
    assert.equal(((await ask(alice, 'tasks/get')) as { status: string }).status, 'cancelled');
    await Promise.all([alice.close(), mallory.close()]);
  }
  } finally {
    await running.close();
  }
});
