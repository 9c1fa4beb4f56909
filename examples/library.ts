/**
 * Using sluice as a library: define a tool that streams progress and honours
 * cancellation, and resources of any size, then serve them over HTTP (both
 * protocol eras on one endpoint).
 *
 *   npx tsx examples/library.ts
 *   node dist/bin/sluice.mjs call http://127.0.0.1:3002/mcp slow_sum numbers='[1,2,3]'
 *   node dist/bin/sluice.mjs read http://127.0.0.1:3002/mcp report://numbers | tail -3
 *
 * This file is type-checked by `npm test`, so it cannot drift from the API.
 */
import { fileURLToPath } from 'node:url';
import { fileBody, serveHttp, SluiceServer } from 'mcp-sluice';

const sluice = new SluiceServer({ name: 'library-example', version: '1.0.0' });

sluice.tool<{ numbers: number[] }>({
  name: 'slow_sum',
  description: 'Adds numbers slowly, reporting progress after each one',
  inputSchema: {
    type: 'object',
    properties: { numbers: { type: 'array', items: { type: 'number' }, maxItems: 1000 } },
    required: ['numbers'],
  },
  timeoutMs: 60_000,
  handler: async ({ numbers }, ctx) => {
    // Runs once if the call is cancelled (client, timeout or shutdown), before the call ends.
    ctx.onAbort(() => {
      process.stderr.write(`slow_sum cancelled: ${String(ctx.signal.reason)}\n`);
    });
    let sum = 0;
    for (const [i, n] of numbers.entries()) {
      // Throttled to 5 per second by default; the last value always arrives before the result.
      ctx.progress(i + 1, numbers.length, `added ${n}`);
      sum += n;
      // Stream output as it is produced. Awaiting it holds this loop back while the client reads slowly.
      await ctx.partial(`running total: ${sum}\n`);
      // Stop the moment nobody listens: the signal aborts on client cancel, timeout or shutdown.
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, 200);
        ctx.signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(ctx.signal.reason);
        });
      });
    }
    return `sum = ${sum}`;
  },
});

// A sequential resource: generated as it is read, never held whole. sluice reads it in windows
// (resources/read) or as one raw stream (resources/stream), only as fast as the client takes it.
sluice.resource({
  uri: 'report://numbers',
  name: 'numbers',
  description: 'One million numbered lines, generated on the fly',
  mimeType: 'text/plain',
  streamed: true,
  read: (_uri, ctx) => ({
    stream: (async function* () {
      for (let i = 0; i < 1_000_000 && !ctx.signal.aborted; i += 1000) {
        let lines = '';
        for (let j = i; j < i + 1000; j++) lines += `line ${j}\n`;
        yield lines; // a string is sent as its UTF-8 bytes
      }
    })(),
  }),
});

// A random-access resource: a file read at the offset each window asks for.
const csv = fileURLToPath(new URL('data/sales.csv', import.meta.url));
sluice.resource({
  uri: 'data://sales.csv',
  name: 'sales',
  mimeType: 'text/csv',
  streamed: true,
  read: () => fileBody(csv, { mimeType: 'text/csv' }),
});

const running = await serveHttp(sluice, { port: 3002 });
process.stderr.write(`listening on ${running.url}\n`);
process.once('SIGINT', () => void running.close());
