/**
 * One node of a service on Redis: start it twice (two ports, one Redis) and
 * either node serves any request of any session, a stream dropped on one
 * resumes on the other, and a cancellation reaches the node running the call.
 * docs/cluster.md has the rest (balancer, keys, failures).
 *
 *   redis-server --port 6380 --save '' &
 *   SLUICE_STATE_KEY=an-example-key-of-32-bytes-or-more PORT=3003 npx tsx examples/cluster.ts &
 *   SLUICE_STATE_KEY=an-example-key-of-32-bytes-or-more PORT=3004 npx tsx examples/cluster.ts &
 *   node dist/bin/sluice.mjs call http://127.0.0.1:3003/mcp count_to n=5
 *
 * This file is type-checked by `npm test`, so it cannot drift from the API.
 */
import { serveHttp, SluiceServer } from 'mcp-sluice';
import { redisStores } from 'mcp-sluice/redis';

const sluice = new SluiceServer({
  name: 'cluster-example',
  version: '1.0.0',
  // Every node seals 2026-07-28 multi-round-trip state with the same key.
  ...(process.env.SLUICE_STATE_KEY !== undefined && { requestStateKey: process.env.SLUICE_STATE_KEY }),
});

sluice.tool<{ n: number }>({
  name: 'count_to',
  description: 'Counts to n, one number a second, as progress',
  inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 600 } }, required: ['n'] },
  handler: async ({ n }, ctx) => {
    for (let i = 1; i <= n && !ctx.signal.aborted; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      ctx.progress(i, n, `counted ${i}`);
    }
    return ctx.signal.aborted ? 'stopped' : `counted to ${n}`;
  },
});

const stores = await redisStores(process.env.REDIS_URL ?? 'redis://127.0.0.1:6380', { nodeTimeoutMs: 10_000 });
const server = await serveHttp(sluice, { port: Number(process.env.PORT ?? 3003), stores });
process.stderr.write(`node ${stores.cluster.nodeId} serving ${server.url}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Its calls are cancelled and answered; its sessions stay in Redis for the other nodes.
    void server.close().then(() => stores.close()).then(() => process.exit(0));
  });
}
