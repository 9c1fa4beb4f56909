/**
 * Using the sluice client: stream a tool call's progress, then its result.
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
} finally {
  await client.close();
}
