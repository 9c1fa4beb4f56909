/**
 * Using the sluice client: stream a tool call's progress, then its result;
 * then read a resource of any size line by line, in bounded memory.
 *
 *   npm start                       # in another terminal
 *   npx tsx examples/client.ts
 *
 * Type-checked by `npm test`, so it cannot drift from the API.
 */
import { CancelledError, connect } from 'mcp-sluice/client';

const client = await connect(process.argv[2] ?? 'http://127.0.0.1:3001/mcp');
const controller = new AbortController();
process.once('SIGINT', () => controller.abort('interrupted'));
try {
  for await (const event of client.callToolStream('pipeline', { items: 100 }, { signal: controller.signal })) {
    if (event.type === 'progress') {
      process.stderr.write(`${event.progress}/${event.total ?? '?'} ${event.message ?? ''}\n`);
    } else if (event.type === 'partial') {
      for (const item of event.content) if (item.type === 'text') process.stdout.write(item.text);
    } else {
      process.stderr.write(`done${event.result.isError === true ? ' (failed)' : ''}\n`);
    }
  }
} catch (error) {
  if (error instanceof CancelledError) process.stderr.write(`${error.message}\n`);
  else throw error;
}

try {
  // Chunks arrive only as fast as this loop takes them; breaking out frees the server side at once.
  const stream = client.readResourceStream('data://sales.csv', { chunkSize: 16 * 1024, signal: controller.signal });
  let rows = 0;
  for await (const line of stream.lines()) if (line !== '') rows++;
  const { bytesPerSecond, peakQueueDepth } = stream.stats();
  process.stderr.write(`${rows} lines via ${stream.mode}, ${Math.round(bytesPerSecond / 1024)} KiB/s, at most ${peakQueueDepth} chunks ahead\n`);
} finally {
  await client.close();
}
