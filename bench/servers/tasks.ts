/**
 * A sluice server for the tasks bench: `quick` answers at once with about 1 KiB
 * of text (a finished task kept with its result), `hold` runs until cancelled
 * (a task to poll). Both run as tasks for clients that declare the extension;
 * `heap` answers the heap in use after a full collection (started with --expose-gc).
 * `--store redis://…` puts the tasks in Redis.
 */
import { serveHttp, SluiceServer } from '../../src/index.js';

const TEXT = 'x'.repeat(1024);
const sluice = new SluiceServer({ name: 'tasks', version: '1.0.0' })
  .tool({ name: 'quick', description: 'answers at once', task: 'optional', handler: () => TEXT })
  .tool({
    name: 'heap',
    description: 'the heap in use after a full collection (bytes)',
    handler: () => {
      (globalThis as { gc?: () => void }).gc?.();
      return String(process.memoryUsage().heapUsed);
    },
  })
  .tool({
    name: 'hold',
    description: 'runs until cancelled',
    task: 'optional',
    handler: (_args, ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve('cancelled'), { once: true })),
  });

const store = process.argv.indexOf('--store');
const stores = store === -1 ? undefined : await (await import('../../src/redis.js')).redisStores(process.argv[store + 1]!);
const running = await serveHttp(sluice, { port: 0, ...(stores !== undefined && { stores }) });
process.stdout.write(`${running.url}\n`);
