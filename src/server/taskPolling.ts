/**
 * Tasks for clients that know none: the polling pattern. A tool declared with
 * `polling: true` also gets a `<tool>_start` tool that starts it as a task and
 * answers at once with the task id and a link to `tasks://<id>`; any client
 * reads that resource (`resources/read`) for the task's status and progress,
 * and, once it ended, its result.
 *
 * @module
 */
import { ResourceNotFoundError, type ServerContext } from '@modelcontextprotocol/server';
import { TERMINAL_STATUSES, type TaskRecord } from '../stores/taskStore.js';
import { principalOf } from './taskCalls.js';
import type { TaskRuntime } from './taskRuntime.js';
import { detailedTask2026 } from './taskWire.js';
import type { ResourceTemplateDefinition, ToolDefinition } from './types.js';

/** The scheme of task resources. */
export const TASK_RESOURCE_SCHEME = 'tasks://';

export function taskUri(taskId: string): string {
  return `${TASK_RESOURCE_SCHEME}${taskId}`;
}

/** `<tool>_start`: starts `tool` as a task and answers with where to follow it. */
export function startTool(tool: ToolDefinition, runtime: TaskRuntime): ToolDefinition {
  return {
    name: `${tool.name}_start`,
    description: `Starts "${tool.name}" in the background and answers at once with a task id. Read the resource tasks://<id> to see its status and progress, and its result once it ended. (${tool.description})`,
    ...(tool.inputSchema !== undefined && { inputSchema: tool.inputSchema }),
    handler: async (args, ctx) => {
      const task = await runtime.create({
        request: { method: 'tools/call', params: { name: tool.name, arguments: args } },
        principal: principalOf(ctx.mcp),
        ttlMs: runtime.ttlMs,
      });
      const uri = taskUri(task.taskId);
      return {
        content: [
          { type: 'text', text: `Started task ${task.taskId}. Read ${uri} for its status; it holds the result once the status is completed.` },
          { type: 'resource_link', uri, name: `${tool.name} task`, mimeType: 'application/json' },
        ],
        structuredContent: { taskId: task.taskId, uri, status: task.status },
      };
    },
  };
}

/** `tasks://{taskId}`: a task's state as JSON, its result included once it ended. */
export function taskResourceTemplate(runtime: TaskRuntime): ResourceTemplateDefinition {
  return {
    uriTemplate: `${TASK_RESOURCE_SCHEME}{taskId}`,
    name: 'task',
    description: 'A task started with a <tool>_start tool: its status and progress, and its result once it ended',
    mimeType: 'application/json',
    read: async (uri, variables, ctx) => {
      const taskId = String(variables.taskId);
      const task = await runtime.get(taskId, ctx.mcp === undefined ? '' : principalOf(ctx.mcp as ServerContext));
      if (task === undefined) throw new ResourceNotFoundError(uri);
      return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(taskState(task), null, 2) }] };
    },
  };
}

/** What `tasks://ID` says: the SEP-2663 task with its result inlined, `done` once it ended, and its progress. */
function taskState(task: TaskRecord): Record<string, unknown> {
  const { _meta: _, ...detailed } = detailedTask2026(task);
  return { ...detailed, done: TERMINAL_STATUSES.has(task.status), ...(task.progress !== undefined && { progress: task.progress }) };
}
