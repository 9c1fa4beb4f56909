/**
 * The sluice server for the session and resumption measurements: `burst`
 * sends COUNT log notifications as fast as the stream takes them; `tick`
 * sends one every EVERY ms for MS ms, its stream closed every 250 ms
 * (SSE polling) so the client must resume. Usage:
 * sessions.ts [--ttl-ms N] [--retry-ms N]; prints its URL.
 */
import { serveHttp, SluiceServer } from '../../src/index.js';

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
    name: 'tick',
    description: 'a log notification every `every` ms for `ms` ms',
    closeStreamAfterMs: 250,
    inputSchema: { type: 'object', properties: { ms: { type: 'integer' }, every: { type: 'integer' } }, required: ['ms', 'every'] },
    handler: async ({ ms, every }, ctx) => {
      const end = Date.now() + ms;
      for (let seq = 0; Date.now() < end && !ctx.signal.aborted; seq++) {
        await ctx.mcp.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: { seq, at: Date.now() } } });
        await new Promise((resolve) => setTimeout(resolve, every));
      }
      return 'done';
    },
  });

const ttlMs = arg('--ttl-ms');
const retryMs = arg('--retry-ms');
const running = await serveHttp(sluice, {
  port: 0,
  ...(ttlMs !== undefined && { sessions: { ttlMs } }),
  ...(retryMs !== undefined && { retryMs }),
});
process.stdout.write(`${running.url}\n`);
