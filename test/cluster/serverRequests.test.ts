// A request the server sends the client mid-call (elicitation) on node A,
// answered by the client through node B: the answer finds its way back to
// A (the request's id names its node) and the call completes. The stock SDK
// v2 client does the same through the round-robin proxy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { type Cluster, inSession, startCluster } from '../helpers/cluster.js';
import { ROOT } from '../helpers/servers.js';

let cluster: Cluster;
before(async () => {
  cluster = await startCluster({ count: 2, script: join(ROOT, 'test/fixtures/servers/burst.ts') });
});
after(async () => {
  await cluster?.close();
});

test('an elicitation sent on A and answered on B completes the call on A', async () => {
  const [a, b] = cluster.nodes as [Cluster['nodes'][number], Cluster['nodes'][number]];
  const init = await fetch(a.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: { elicitation: {} }, clientInfo: { name: 'raw', version: '0' } } }),
  });
  await init.text();
  const session = init.headers.get('mcp-session-id')!;
  await (await inSession(b.url, session, { jsonrpc: '2.0', method: 'notifications/initialized' })).text();
  const call = await inSession(a.url, session, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'ask', arguments: {} } });
  const reader = call.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/elicitation\/create/.test(text)) text += decoder.decode((await reader.read()).value, { stream: true });
  const request = JSON.parse(/data: (\{.*elicitation\/create.*\})/.exec(text)![1]!) as { id: string };
  assert.match(String(request.id), /^sluice:.+:\d+$/, 'the id names the node that asked');
  const answer = await inSession(b.url, session, { jsonrpc: '2.0', id: request.id, result: { action: 'accept', content: { name: 'Ada' } } });
  assert.equal(answer.status, 202);
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
  assert.match(text, /hello Ada/);
});

test('the stock SDK v2 client answers elicitations through the round-robin proxy', async () => {
  const client = new Client({ name: 'stock', version: '0' }, { capabilities: { elicitation: {} }, versionNegotiation: { mode: 'legacy' } });
  client.setRequestHandler('elicitation/create', async () => ({ action: 'accept', content: { name: 'Grace' } }));
  await client.connect(new StreamableHTTPClientTransport(new URL(cluster.url)));
  try {
    for (let i = 0; i < 4; i++) {
      const result = await client.callTool({ name: 'ask', arguments: {} });
      assert.match(JSON.stringify(result.content), /hello Grace/);
    }
  } finally {
    await client.close();
  }
});
