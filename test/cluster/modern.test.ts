// 2026-07-28 requests on any node: they keep nothing in the stores, and the
// state the SDK seals into a multi-round-trip request (`requestState`) is
// sealed with one key shared by every node (SLUICE_STATE_KEY), so the next
// round may land anywhere. A node with another key refuses it (-32602).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Cluster, startCluster } from '../helpers/cluster.js';
import { messagesOf, modernToolCall, post, ROOT } from '../helpers/servers.js';

const SHARED = 'the-same-key-on-every-node-0123456789';
let cluster: Cluster;
before(async () => {
  cluster = await startCluster({
    count: 3,
    script: join(ROOT, 'test/fixtures/servers/burst.ts'),
    // Nodes 0 and 1 share the key; node 2 has one of its own.
    env: (i) => ({ SLUICE_STATE_KEY: i < 2 ? SHARED : 'a-different-key-on-this-one-node-987' }),
  });
});
after(async () => {
  await cluster?.close();
});

/** The second round of `steps`: the same call with the state the first round returned. */
function secondRound(url: string, requestState: string): Promise<Response> {
  return post(
    url,
    {
      jsonrpc: '2.0',
      id: 2,
      method: 'tools/call',
      params: {
        name: 'steps',
        arguments: {},
        requestState,
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    },
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'steps' },
  );
}

test('a 2026-07-28 call works on every node through the round-robin proxy', async () => {
  for (let i = 0; i < 3; i++) {
    const messages = await messagesOf(await modernToolCall(cluster.url, 'burst', { args: { tag: 'm', events: 3 } }));
    assert.equal(messages.length, 4, 'three events, then the result');
    assert.match(JSON.stringify(messages.at(-1)), /sent 3/);
  }
  assert.equal(cluster.proxy.served.size, 3, 'every node answered one');
});

test('multi-round-trip state minted on one node is accepted on another with the same key, refused with another key', async () => {
  const [a, b, c] = cluster.nodes as [Cluster['nodes'][number], Cluster['nodes'][number], Cluster['nodes'][number]];
  const [first] = await messagesOf(await modernToolCall(a.url, 'steps'));
  const result = first!.result as { resultType: string; requestState: string };
  assert.equal(result.resultType, 'input_required');
  const [resumed] = await messagesOf(await secondRound(b.url, result.requestState));
  assert.match(JSON.stringify(resumed), /resumed at step 1/, 'B read the state A sealed');
  const [refused] = await messagesOf(await secondRound(c.url, result.requestState));
  assert.equal((refused!.error as { code: number }).code, -32602, 'a node with another key cannot read it');
});
