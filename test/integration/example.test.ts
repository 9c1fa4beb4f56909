// The bundled example teaches what it shows. Guards against: an example whose
// last `::progress` line never reaches a client (a value that does not
// increase is dropped), and SSE polling configured on a call that ends before
// its stream could ever be closed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { RunningHttpServer } from '../../src/transports/http/nodeServer.js';
import { startExample, v2Client } from '../helpers/servers.js';

let server: RunningHttpServer;
let resumptions = 0;
before(async () => {
  server = await startExample();
  const observe = server.handler.onrequest;
  server.handler.onrequest = (o) => {
    if (o.method === 'GET') resumptions++;
    observe?.(o);
  };
});
after(() => server.close());

test('analyze_dataset: the final progress line reaches the client, value equal to the total', async () => {
  const client = await v2Client(server.url, 'modern');
  try {
    const progress: Array<{ progress: number; total?: number; message?: string }> = [];
    await client.callTool({ name: 'analyze_dataset', arguments: { dataset: 'sales.csv' } }, { onprogress: (p) => progress.push(p) });
    const last = progress.at(-1)!;
    assert.equal(last.progress, last.total, 'the last value is the total');
    assert.match(last.message ?? '', /^done: 5000 rows read$/);
  } finally {
    await client.close();
  }
});

test('pipeline: its stream is closed by SSE polling and resumed while it runs, and nothing is lost', async () => {
  const client = await v2Client(server.url, 'legacy');
  try {
    const before = resumptions;
    const progress: number[] = [];
    const result = await client.callTool({ name: 'pipeline', arguments: { items: 100 } }, { onprogress: (p) => progress.push(p.progress) });
    assert.ok(resumptions - before >= 1, `the stream was resumed (${resumptions - before} times)`);
    assert.equal(progress.at(-1), 400, 'the final progress arrived');
    assert.match((result.content[0] as { text: string }).text, /pipeline finished: 100 items through 4 stages/);
  } finally {
    await client.close();
  }
});
