/**
 * `sluice task get|wait|cancel|list TARGET [ID]`: a task by its id alone, from
 * any process (the one that started it may be long gone).
 *
 * @module
 */
import type { Era } from '../client/connect.js';
import type { TaskView } from '../client/tasks.js';
import { printResult } from './callCommand.js';
import { CliError, log } from './cliError.js';
import { connectOrFail } from './connectTarget.js';
import { createProgressView } from './progressView.js';

export interface TaskOptions {
  readonly era?: Era;
}

export async function taskCommand(action: string, target: string, taskId: string | undefined, options: TaskOptions): Promise<void> {
  if (!['get', 'wait', 'cancel', 'list'].includes(action)) throw new CliError(`unknown task action "${action}": use get, wait, cancel or list`, 2);
  if (action !== 'list' && taskId === undefined) throw new CliError(`sluice task ${action} needs a task id: sluice task ${action} TARGET ID`, 2);
  const view = await createProgressView();
  const client = await connectOrFail(target, options.era, (line) => view.interrupt(() => log(line)));
  try {
    if (action === 'get') process.stdout.write(`${JSON.stringify(await client.tasks.get(taskId!), null, 2)}\n`);
    else if (action === 'cancel') {
      await client.tasks.cancel(taskId!);
      log(`asked to cancel task ${taskId}`);
    } else if (action === 'list') await listAll(client.tasks.list.bind(client.tasks));
    else {
      // Ctrl-C stops waiting; the task keeps running.
      const stop = new AbortController();
      const onSigint = () => stop.abort(new Error('stopped waiting (Ctrl-C); the task keeps running'));
      process.once('SIGINT', onSigint);
      try {
        const result = await client.tasks.wait(taskId!, { signal: stop.signal, onProgress: (event) => view.update(event) });
        view.stop();
        printResult(result, false);
        if (result.isError === true) throw new CliError(`task ${taskId} ended with a tool error`, 1);
      } finally {
        process.off('SIGINT', onSigint);
      }
    }
  } finally {
    view.stop();
    await client.close().catch(() => {});
  }
}

async function listAll(list: (cursor?: string) => Promise<{ tasks: TaskView[]; nextCursor?: string }>): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    for (const task of page.tasks) process.stdout.write(`${task.taskId}\t${task.status}\t${task.createdAt}\t${task.statusMessage ?? ''}\n`);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
}
