/**
 * The sluice server for the session and resumption measurements: `burst`
 * sends COUNT log notifications as fast as the stream takes them; `tick`
 * sends one every EVERY ms for MS ms, its stream closed every 250 ms
 * (SSE polling) so the client must resume. Usage:
 * sessions.ts [--ttl-ms N] [--hibernate-ms N] [--retry-ms N] [--store redis://…]; prints its URL.
 * `tock` is `tick` without polling (a proxy's cut makes the client resume).
 */
import { serveHttp, SluiceServer, type ToolContext } from '../../src/index.js';
import { redisStores } from '../../src/redis.js';

const arg = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : Number(process.argv[at + 1]);
};

const sluice = new SluiceServer({ name: 'sessions-bench', version: '1.0.0', capabilities: { logging: {} } })
  .tool<{ count: number }>({
    name: 'burst',
    description: 'log notifications as fast as the stream takes them',
    inputSchema: { type: 'object', properties: { count: { type: 'integer' } }, required: ['count'] },
    handler: async ({ count }, ctx) => {
      for (let seq = 0; seq < count; seq++) await ctx.mcp.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: { seq } } });
      return `sent ${count}`;
    },
  })
  .tool<{ ms: number; every: number }>({
    name: 'tock',
    description: 'tick without SSE polling: only a cut connection makes the client resume',
    inputSchema: { type: 'object', properties: { ms: { type: 'integer' }, every: { type: 'integer' } }, required: ['ms', 'every'] },
    handler: (args, ctx) => ticks(args, ctx),
  })
  .tool<{ ms: number; every: number }>({
    name: 'tick',
    description: 'a log notification every `every` ms for `ms` ms',
    closeStreamAfterMs: 250,
    inputSchema: { type: 'object', properties: { ms: { type: 'integer' }, every: { type: 'integer' } }, required: ['ms', 'every'] },
    handler: (args, ctx) => ticks(args, ctx),
  });

async function ticks({ ms, every }: { ms: number; every: number }, ctx: ToolContext): Promise<string> {
  const end = Date.now() + ms;
  for (let seq = 0; Date.now() < end && !ctx.signal.aborted; seq++) {
    await ctx.mcp.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: { seq, at: Date.now() } } });
    await new Promise((resolve) => setTimeout(resolve, every));
  }
  return 'done';
}

const ttlMs = arg('--ttl-ms');
const hibernateMs = arg('--hibernate-ms');
const retryMs = arg('--retry-ms');
const store = process.argv.indexOf('--store');
const stores = store === -1 ? undefined : await redisStores(process.argv[store + 1]!);
const running = await serveHttp(sluice, {
  port: 0,
  ...(stores !== undefined && { stores }),
  sessions: { ...(ttlMs !== undefined && { ttlMs }), ...(hibernateMs !== undefined && { hibernateMs }) },
  ...(retryMs !== undefined && { retryMs }),
});
process.stdout.write(`${running.url}\n`);
