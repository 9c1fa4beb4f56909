/**
 * The same tools served by sluice (both eras on one endpoint, 2025 with
 * sessions; `--stdio` for stdio). `flood_progress` is unthrottled here so the
 * flood compares raw delivery; `flood_output` streams partial results;
 * `stream_for` streams both at a steady pace, each stamped with the time it
 * was produced.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { serveHttp, serveStdio, SluiceServer } from '../../src/index.js';
import { CHUNK_TEXT, ECHO_DESCRIPTION, echo, epochMs } from './echoTool.js';

let lastAbortAt = 0;
const sluice = new SluiceServer({ name: 'sluice', version: '1.0.0' })
  .tool<{ text: string }>({
    name: 'echo',
    description: ECHO_DESCRIPTION,
    inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
    handler: ({ text }) => echo(text),
  })
  .tool<{ count: number }>({
    name: 'flood_progress',
    description: 'progress flood',
    progressPerSecond: 0,
    inputSchema: { type: 'object', properties: { count: { type: 'number' } }, required: ['count'] },
    handler: ({ count }, ctx) => {
      for (let i = 1; i <= count; i++) ctx.progress(i, count);
      return echo('done');
    },
  })
  .tool<{ chunks: number }>({
    name: 'flood_output',
    description: 'output flood',
    inputSchema: { type: 'object', properties: { chunks: { type: 'number' } }, required: ['chunks'] },
    handler: async ({ chunks }, ctx) => {
      for (let i = 1; i <= chunks && !ctx.signal.aborted; i++) await ctx.partial(CHUNK_TEXT);
      return echo('done');
    },
  })
  .tool({
    name: 'wait',
    description: 'runs until cancelled',
    handler: (_args, ctx) =>
      new Promise((resolve) => {
        ctx.progress(1);
        ctx.signal.addEventListener('abort', () => {
          lastAbortAt = epochMs();
          resolve(echo('cancelled'));
        });
      }),
  })
  .tool<{ seconds: number; everyMs: number }>({
    name: 'stream_for',
    description: 'a progress notification and a partial result every everyMs for seconds; each carries the epoch ms it was produced at',
    progressPerSecond: 0,
    inputSchema: { type: 'object', properties: { seconds: { type: 'number' }, everyMs: { type: 'number' } }, required: ['seconds', 'everyMs'] },
    handler: async ({ seconds, everyMs }, ctx) => {
      const ticks = Math.round((seconds * 1000) / everyMs);
      for (let tick = 1; tick <= ticks && !ctx.signal.aborted; tick++) {
        await sleep(everyMs);
        ctx.progress(tick, ticks, String(epochMs()));
        await ctx.partial(String(epochMs()));
      }
      return echo(String(ticks));
    },
  })
  .tool({ name: 'last_abort', description: 'when wait was last cancelled', handler: () => echo(String(lastAbortAt)) });

if (process.argv.includes('--stdio')) {
  serveStdio(sluice);
} else {
  // `--store redis://…`: one node of a cluster on that Redis.
  const store = process.argv.indexOf('--store');
  const stores = store === -1 ? undefined : await (await import('../../src/redis.js')).redisStores(process.argv[store + 1]!);
  // WebSocket on too (the small-calls rows over WebSocket); it costs HTTP nothing but an upgrade listener.
  const running = await serveHttp(sluice, { port: 0, websocket: true, ...(stores !== undefined && { stores }) });
  process.stdout.write(`${running.url}\n`);
}
