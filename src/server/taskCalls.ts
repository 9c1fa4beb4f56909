/**
 * Tasks on the wire, for both eras: whether a `tools/call` becomes a task,
 * whose tasks a request may see, and the `tasks/*` handlers on an SDK server.
 *
 * - 2026-07-28 (SEP-2663): the client declares `io.modelcontextprotocol/tasks`
 *   in its per-request capabilities; the server alone decides; `tasks/get`
 *   inlines the result; `tasks/update` answers input requests; `tasks/cancel`
 *   is an empty ack; `tasks/result` and `tasks/list` do not exist (-32601).
 * - 2025-11-25 (core tasks): the client asks with `params.task`; `tasks/result`
 *   blocks until the task ends; `tasks/list` pages; `tasks/cancel` answers the
 *   cancelled task and refuses a finished one (-32602).
 *
 * Whose tasks: with authentication, the caller's identity (a hash of its
 * client id and subject), checked on every `tasks/*` request; without it,
 * whoever holds the unguessable task id (so a client that restarted can wait
 * again on its task). 2025-11-25 `tasks/list` without authentication lists
 * only the tasks of the session asking: ids are never handed to strangers.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { CLIENT_CAPABILITIES_META_KEY, ProtocolError, type Server, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { ErrorCode, Method, RELATED_TASK_META_KEY, STATELESS_PROTOCOL_VERSION, TASKS_EXTENSION, type TaskSupport } from '../protocol/wire.js';
import { TERMINAL_STATUSES, type TaskRecord } from '../stores/taskStore.js';
import type { TaskRuntime } from './taskRuntime.js';
import { detailedTask2026, task2025, task2026 } from './taskWire.js';

/** Whether an SDK server instance serves 2026-07-28 (or later). */
export function servesModernEra(server: Server): boolean {
  const version = server.getNegotiatedProtocolVersion();
  return version !== undefined && version >= STATELESS_PROTOCOL_VERSION;
}

/** Whose tasks a request may see (see the module comment): '' without authentication. */
export function principalOf(ctx: ServerContext): string {
  const auth = ctx.http?.authInfo;
  if (auth === undefined) return '';
  const subject = typeof auth.extra?.sub === 'string' ? auth.extra.sub : '';
  return `auth:${createHash('sha256').update(`${auth.clientId}\0${subject}`).digest('hex').slice(0, 32)}`;
}

/** Whether a 2026-07-28 request declares the Tasks extension. */
export function declaresTasks(ctx: ServerContext): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as { extensions?: Record<string, unknown> } | undefined;
  return capabilities?.extensions?.[TASKS_EXTENSION] !== undefined;
}

function missingTasksCapability(what: string): ProtocolError {
  return new ProtocolError(ErrorCode.MissingClientCapability, `Missing required client capability: ${what} needs the ${TASKS_EXTENSION} extension`, {
    requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } },
  });
}

/**
 * How a `tools/call` runs: as a task, or in its request. Throws for a call the
 * tool cannot serve (a required task for a client without tasks; a task of a
 * tool that never runs as one, on 2025-11-25).
 */
export function taskDecision(tool: string, support: TaskSupport, ctx: ServerContext, modern: boolean, taskParam: unknown): 'task' | 'request' {
  if (modern) {
    // SEP-2663: the server decides; a 2025-style `task` param is ignored.
    if (support === 'never') return 'request';
    if (declaresTasks(ctx)) return 'task';
    if (support === 'required') throw missingTasksCapability(`tool "${tool}" runs only as a task, so it`);
    return 'request';
  }
  const asked = taskParam !== undefined && taskParam !== null && typeof taskParam === 'object';
  if (asked && support === 'never') throw new ProtocolError(ErrorCode.MethodNotFound, `Tool "${tool}" does not run as a task (execution.taskSupport is "forbidden")`);
  if (!asked && support === 'required') throw new ProtocolError(ErrorCode.MethodNotFound, `Tool "${tool}" runs only as a task: call it with params.task`);
  return asked ? 'task' : 'request';
}

/** What `tools/call` answers when it created a task. */
export function createTaskResult(task: TaskRecord, modern: boolean): Record<string, unknown> {
  return modern ? { resultType: 'task', ...task2026(task) } : { task: task2025(task) };
}

/** How `tools/list` says a tool runs as a task (2025-11-25 `execution.taskSupport`; read by 2026 clients too). */
export function executionListing(support: TaskSupport): { execution?: { taskSupport: 'optional' | 'required' } } {
  return support === 'never' ? {} : { execution: { taskSupport: support } };
}

const taskIdParams = z.looseObject({ taskId: z.string().min(1) });
// The SDK lifts `inputResponses` out of the params into `ctx.mcpReq.inputResponses` (SEP-2322), checked there.
const updateParams = z.looseObject({ taskId: z.string().min(1) });
const listParams = z.looseObject({ cursor: z.string().optional() });

function unknownTask(taskId: string): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, `Failed to retrieve task: Task not found (${taskId}: never created, expired, or not yours)`, { taskId });
}

/** Registers `tasks/*` on an SDK server instance, answering in the era it serves. */
export function registerTaskHandlers(server: Server, runtime: TaskRuntime): void {
  const scope = (ctx: ServerContext, method: string) => {
    const modern = servesModernEra(server);
    if (modern && !declaresTasks(ctx)) throw missingTasksCapability(method);
    return { modern, principal: principalOf(ctx) };
  };
  server.setRequestHandler(Method.TasksGet, { params: taskIdParams }, async ({ taskId }, ctx) => {
    const { modern, principal } = scope(ctx, Method.TasksGet);
    const task = await runtime.get(taskId, principal);
    if (task === undefined) throw unknownTask(taskId);
    return (modern ? { resultType: 'complete', ...detailedTask2026(task) } : task2025(task)) as never;
  });
  server.setRequestHandler(Method.TasksCancel, { params: taskIdParams }, async ({ taskId }, ctx) => {
    const { modern, principal } = scope(ctx, Method.TasksCancel);
    const cancelled = await runtime.cancel(taskId, principal);
    if (cancelled.outcome === 'unknown') throw unknownTask(taskId);
    if (modern) return { resultType: 'complete' } as never; // an ack, idempotent on finished tasks
    if (cancelled.outcome === 'terminal') {
      throw new ProtocolError(ErrorCode.InvalidParams, `Cannot cancel task ${taskId}: it is already ${cancelled.task.status}`, { taskId, status: cancelled.task.status });
    }
    return task2025(cancelled.task) as never;
  });
  server.setRequestHandler(Method.TasksUpdate, { params: updateParams }, async ({ taskId }, ctx) => {
    const { modern, principal } = scope(ctx, Method.TasksUpdate);
    if (!modern) throw new ProtocolError(ErrorCode.MethodNotFound, 'Method not found: tasks/update is part of the 2026-07-28 Tasks extension');
    const inputResponses = ctx.mcpReq.inputResponses;
    if (inputResponses === undefined) throw new ProtocolError(ErrorCode.InvalidParams, 'Invalid params for tasks/update: inputResponses must be an object of responses by key');
    if (!(await runtime.update(taskId, principal, inputResponses))) throw unknownTask(taskId);
    return { resultType: 'complete' } as never;
  });
  // On 2026-07-28 the SDK answers these two with -32601 before they get here (SEP-2663 removed them).
  server.setRequestHandler(Method.TasksResult, { params: taskIdParams }, async ({ taskId }, ctx) => {
    const { principal } = scope(ctx, Method.TasksResult);
    const task = await runtime.settled(taskId, principal, ctx.mcpReq.signal);
    if (task === undefined) throw unknownTask(taskId);
    return taskOutcome(task) as never;
  });
  server.setRequestHandler(Method.TasksList, { params: listParams }, async ({ cursor }, ctx) => {
    const { principal } = scope(ctx, Method.TasksList);
    const page = await runtime.list(principal, principal === '' ? (ctx.sessionId ?? '') : undefined, cursor);
    return { tasks: page.tasks.map(task2025), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) } as never;
  });
}

/** 2025-11-25 `tasks/result`: exactly what the call would have answered, related to its task. */
function taskOutcome(task: TaskRecord): Record<string, unknown> {
  const related = { [RELATED_TASK_META_KEY]: { taskId: task.taskId } };
  if (task.status === 'failed') {
    const error = task.error ?? { code: ErrorCode.InternalError, message: task.statusMessage ?? 'The task failed' };
    throw new ProtocolError(error.code, error.message, error.data);
  }
  if (task.status === 'cancelled') return { content: [{ type: 'text', text: task.statusMessage ?? 'The task was cancelled' }], isError: true, _meta: related };
  if (!TERMINAL_STATUSES.has(task.status)) throw new ProtocolError(ErrorCode.InternalError, `Task ${task.taskId} has not ended`);
  const result = (task.result ?? { content: [] }) as Record<string, unknown>;
  return { ...result, _meta: { ...(result._meta as object | undefined), ...related } };
}
