/**
 * A task record as each era puts it on the wire: SEP-2663 (`ttlMs`,
 * `pollIntervalMs`, results inlined on `tasks/get`) and 2025-11-25 core tasks
 * (`ttl`, `pollInterval`, results from `tasks/result`).
 *
 * @module
 */
import { ErrorCode, TASK_PROGRESS_META_KEY } from '../protocol/wire.js';
import type { TaskRecord } from '../stores/taskStore.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** A task's common fields, with each era's names for its TTL and polling interval. */
function taskFields(task: TaskRecord, names: { readonly ttl: string; readonly poll: string }): Record<string, unknown> {
  return {
    taskId: task.taskId,
    status: task.status,
    ...(task.statusMessage !== undefined && { statusMessage: task.statusMessage }),
    createdAt: iso(task.createdAt),
    lastUpdatedAt: iso(task.lastUpdatedAt),
    [names.ttl]: task.ttlMs,
    ...(task.pollIntervalMs !== undefined && { [names.poll]: task.pollIntervalMs }),
  };
}

/** SEP-2663 `Task`: what `CreateTaskResult` carries (with `resultType: "task"`). */
export function task2026(task: TaskRecord): Record<string, unknown> {
  return taskFields(task, { ttl: 'ttlMs', poll: 'pollIntervalMs' });
}

/** SEP-2663 `DetailedTask` (`tasks/get`): the task with what its status carries inlined. */
export function detailedTask2026(task: TaskRecord): Record<string, unknown> {
  return {
    ...task2026(task),
    ...(task.status === 'input_required' && { inputRequests: task.inputRequests ?? {} }),
    ...(task.status === 'completed' && { result: task.result ?? { content: [] } }),
    ...(task.status === 'failed' && { error: task.error ?? { code: ErrorCode.InternalError, message: task.statusMessage ?? 'The task failed' } }),
    ...(task.progress !== undefined && { _meta: { [TASK_PROGRESS_META_KEY]: task.progress } }),
  };
}

/** 2025-11-25 `Task` (`tasks/get`, `tasks/list`, `tasks/cancel`, `notifications/tasks/status`, inside `CreateTaskResult.task`). */
export function task2025(task: TaskRecord): Record<string, unknown> {
  return taskFields(task, { ttl: 'ttl', poll: 'pollInterval' });
}
