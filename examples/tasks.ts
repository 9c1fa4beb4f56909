/**
 * A long operation as a task: `crunch` counts through `items`, reports
 * progress, keeps a checkpoint after every item, and asks the client for a
 * confirmation before it publishes. Clients that know tasks get a handle they
 * can poll, cancel and come back to; others get an ordinary streamed call.
 *
 *   PORT=3005 npx tsx examples/tasks.ts &
 *   node dist/bin/sluice.mjs call http://127.0.0.1:3005/mcp crunch items=20 --task
 *   node dist/bin/sluice.mjs task get http://127.0.0.1:3005/mcp TASK_ID
 *
 * Then, from code, the same task by its id alone (another process may have started it):
 *
 *   const client = await connect('http://127.0.0.1:3005/mcp');
 *   const result = await client.tasks.wait(taskId, { onProgress: (p) => console.log(p.progress) });
 *
 * This file is type-checked by `npm test`, so it cannot drift from the API.
 */
import { inputRequired } from '@modelcontextprotocol/server';
import { serveHttp, SluiceServer } from 'mcp-sluice';

const sluice = new SluiceServer({ name: 'tasks-example', version: '1.0.0', tasks: { ttlMs: 10 * 60_000, pollIntervalMs: 500 } });

sluice.tool<{ items: number }>({
  name: 'crunch',
  description: 'Crunches through items (a second each), then asks before it publishes',
  inputSchema: { type: 'object', properties: { items: { type: 'integer', minimum: 1, maximum: 600 } }, required: ['items'] },
  task: 'optional', // a task for clients that declare the Tasks extension; an ordinary call for the others
  resumable: true, // a task whose process was lost starts again from ctx.resumeFrom (needs a shared store)
  handler: async ({ items }, ctx) => {
    const answer = ctx.mcp.mcpReq.inputResponses?.publish as { action?: string } | undefined;
    if (answer === undefined) {
      for (let i = Number(ctx.resumeFrom ?? 0) + 1; i <= items && !ctx.signal.aborted; i++) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        ctx.progress(i, items, `item ${i}`);
        ctx.checkpoint(String(i));
      }
      // As a task, this parks it in input_required until the client answers with tasks/update.
      return inputRequired({
        inputRequests: {
          publish: {
            method: 'elicitation/create',
            params: { mode: 'form', message: `Publish ${items} items?`, requestedSchema: { type: 'object', properties: {} } },
          },
        },
      } as never);
    }
    return answer.action === 'accept' ? `Published ${items} items` : 'Kept unpublished';
  },
});

const running = await serveHttp(sluice, { port: Number(process.env.PORT ?? 3005) });
process.stderr.write(`tasks example at ${running.url}\n`);
