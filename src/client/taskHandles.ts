/**
 * Task handles in `tools/call` answers, past the SDK client.
 *
 * The SDK v2 client rejects a 2026-07-28 `CreateTaskResult`
 * (`resultType: "task"`: "Unsupported result type", typescript-sdk #2189) and
 * parses a 2025-11-25 one (`{ task }`) as a tool result without content. This
 * tap, on the transport, turns either into a plain result that carries the
 * task under `_meta["dev.sluice/task"]`, which `callToolStream` then follows.
 *
 * @module
 */
import type { CallToolResult, Transport } from '@modelcontextprotocol/client';
import { TASK_HANDLE_META_KEY } from '../protocol/wire.js';

/** A task a call was answered with. */
export interface TaskHandle {
  readonly taskId: string;
  readonly status: string;
  readonly statusMessage?: string;
  readonly pollIntervalMs?: number;
  readonly ttlMs?: number | null;
}

/** Wraps `transport.onmessage` (call after `client.connect(transport)`). */
export function tapTaskHandles(transport: Transport): void {
  const deliver = transport.onmessage;
  if (deliver === undefined) return;
  transport.onmessage = (message, extra) => deliver(rewrite(message), extra);
}

function rewrite<M>(message: M): M {
  const result = (message as { result?: Record<string, unknown> }).result;
  if (result === undefined || result === null || typeof result !== 'object') return message;
  const handle = handleIn(result);
  if (handle === undefined) return message;
  const carried = { resultType: 'complete', content: [], _meta: { ...(result._meta as object | undefined), [TASK_HANDLE_META_KEY]: handle } };
  return { ...message, result: carried };
}

/** The task in a 2026 (`resultType: "task"`, flat) or 2025 (`{ task }`) `CreateTaskResult`. */
function handleIn(result: Record<string, unknown>): TaskHandle | undefined {
  const task = result.resultType === 'task' ? result : !('content' in result) && isTask(result.task) ? (result.task as Record<string, unknown>) : undefined;
  if (task === undefined || !isTask(task)) return undefined;
  const interval = task.pollIntervalMs ?? task.pollInterval;
  const ttl = 'ttlMs' in task ? task.ttlMs : task.ttl;
  return {
    taskId: String(task.taskId),
    status: String(task.status),
    ...(typeof task.statusMessage === 'string' && { statusMessage: task.statusMessage }),
    ...(typeof interval === 'number' && { pollIntervalMs: interval }),
    ...((typeof ttl === 'number' || ttl === null) && { ttlMs: ttl }),
  };
}

function isTask(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { taskId?: unknown }).taskId === 'string';
}

/** The task a result stands for, if the server answered with one. */
export function taskHandleOf(result: CallToolResult): TaskHandle | undefined {
  return (result._meta as Record<string, unknown> | undefined)?.[TASK_HANDLE_META_KEY] as TaskHandle | undefined;
}
