/**
 * What a task's tool call runs with when no request carries it: the channel
 * its progress goes to (the task's record, not a stream) and a stand-in for
 * the SDK's request context. Also the 2025-11-25 status notifications of a
 * session's tasks.
 *
 * @module
 */
import type { Server, ServerContext } from '@modelcontextprotocol/server';
import { Method } from '../protocol/wire.js';
import { TERMINAL_STATUSES } from '../stores/taskStore.js';
import type { CallChannel } from './outbound.js';
import type { TaskLeg, TaskRuntime } from './taskRuntime.js';
import { task2025 } from './taskWire.js';

/** The progress token a task's calls report with: their progress goes to the task. */
const TASK_PROGRESS_TOKEN = 'sluice-task';

/** A task's call reports progress to its task; nothing else it sends has anywhere to go. */
export function legChannel(leg: TaskLeg, mcp: ServerContext): CallChannel {
  return {
    signal: leg.signal,
    meta: { progressToken: TASK_PROGRESS_TOKEN },
    notify: async ({ method, params }) => {
      if (method !== Method.ProgressNotification) return;
      const { progress, total, message } = params as { progress: number; total?: number; message?: string };
      leg.progress({ progress, ...(total !== undefined && { total }), ...(message !== undefined && { message }) });
    },
    outbound: undefined,
    mcp,
  };
}

/**
 * The request context a task's handler sees: the answers of the round that
 * ended in `mcpReq.inputResponses` (by the tool's own keys), its signal, and
 * no way to send requests: a task asks for input by returning `inputRequired(...)`.
 */
export function legContext(leg: TaskLeg): ServerContext {
  const refuse = async () => {
    throw new Error('A task cannot send requests to its client: ask for input by returning inputRequired({ inputRequests })');
  };
  return {
    mcpReq: {
      id: `task:${leg.task.taskId}`,
      method: Method.ToolsCall,
      _meta: undefined,
      ...(leg.inputResponses !== undefined && { inputResponses: ownKeys(leg.inputResponses) }),
      requestState: () => undefined,
      signal: leg.signal,
      send: refuse,
      notify: async () => {},
    },
  } as unknown as ServerContext;
}

/** Answers keyed `ROUND.key` on the wire, by the keys the tool asked with. */
function ownKeys(responses: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(responses).map(([key, value]) => [key.replace(/^\d+\./, ''), value]));
}

/** 2025-11-25: tells the session that created a task each time it changes here, until it ends or the session closes. */
export function notifyStatus(server: Server, runtime: TaskRuntime, taskId: string): void {
  const off = runtime.onChange((task) => {
    if (task.taskId !== taskId) return;
    server.notification({ method: Method.TaskStatusNotification, params: task2025(task) } as Parameters<Server['notification']>[0]).catch(() => {});
    if (TERMINAL_STATUSES.has(task.status)) off();
  });
  const closed = server.onclose;
  server.onclose = () => {
    off();
    closed?.();
  };
}
