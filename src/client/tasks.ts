/**
 * Tasks from the client's side, on both eras: read one, wait for one (polling
 * at the interval the server suggests, with its progress), cancel one, list
 * them (2025-11-25 only: SEP-2663 has no `tasks/list`). Waiting needs only the
 * task id, so a process that restarted picks up where the last one left off.
 *
 * @module
 */
import { CLIENT_CAPABILITIES_META_KEY, type CallToolResult, type Client } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { DEFAULT_TASK_POLL_INTERVAL_MS } from '../defaults.js';
import { CancelledError, RemoteError, SluiceError } from '../errors.js';
import { Method, TASK_PROGRESS_META_KEY, TASKS_EXTENSION } from '../protocol/wire.js';
import type { ProgressEvent } from './callStream.js';
import { remote } from './remote.js';

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** A task as the server reported it, the same on both eras. */
export interface TaskView {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly ttlMs: number | null;
  readonly pollIntervalMs?: number;
  /** The furthest progress (sluice servers). */
  readonly progress?: ProgressEvent;
  /** Outstanding input requests (`input_required`, 2026-07-28). */
  readonly inputRequests?: Record<string, unknown>;
}

export interface TaskWaitOptions {
  readonly signal?: AbortSignal;
  /** Every status the wait saw, in order. */
  readonly onStatus?: (task: TaskView) => void;
  /** Progress as it moved (from the task's reports). */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Answers a task's input requests (2026-07-28 `input_required`), by key:
   * sent with `tasks/update`, and the wait goes on. Without it, a task that
   * asks for input fails the wait with an error that names the keys.
   */
  readonly answer?: (inputRequests: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);
const anyResult = z.looseObject({});

/** Task operations on a connected SDK client; `modern()` says which era it speaks. */
export class TaskOps {
  readonly #client: Client;
  readonly #modern: () => boolean;
  readonly #capabilities: Record<string, unknown>;

  constructor(client: Client, modern: () => boolean, capabilities: Record<string, unknown>) {
    this.#client = client;
    this.#modern = modern;
    this.#capabilities = capabilities;
  }

  /** Per-request capabilities that declare the Tasks extension (2026-07-28; the 2025 era ignores them). */
  declaring(): Record<string, unknown> {
    return { [CLIENT_CAPABILITIES_META_KEY]: { ...this.#capabilities, extensions: { [TASKS_EXTENSION]: {} } } };
  }

  async get(taskId: string): Promise<TaskView> {
    return viewOf(await this.#request(Method.TasksGet, { taskId }));
  }

  /** Resolves with the tool's result once the task ends; a failed task throws `RemoteError`, a cancelled one `CancelledError`. */
  async wait(taskId: string, options: TaskWaitOptions = {}): Promise<CallToolResult> {
    let last = -1;
    const answered = new Set<string>(); // the same outstanding keys are answered once (the server may not have caught up yet)
    for (;;) {
      options.signal?.throwIfAborted();
      const raw = await this.#request(Method.TasksGet, { taskId });
      const task = viewOf(raw);
      options.onStatus?.(task);
      if (task.progress !== undefined && task.progress.progress > last) {
        last = task.progress.progress;
        options.onProgress?.(task.progress);
      }
      if (TERMINAL.has(task.status)) return this.#outcome(task, raw);
      if (task.status === 'input_required' && this.#modern() && options.answer !== undefined && !answered.has(Object.keys(task.inputRequests ?? {}).join())) {
        answered.add(Object.keys(task.inputRequests ?? {}).join());
        await this.#request(Method.TasksUpdate, { taskId, inputResponses: await options.answer(task.inputRequests ?? {}) });
        continue;
      }
      if (task.status === 'input_required' && this.#modern() && options.answer === undefined) {
        throw new SluiceError('SLUICE_REMOTE', `Task ${taskId} is waiting for input (${Object.keys(task.inputRequests ?? {}).join(', ')}): answer it with tasks/update`);
      }
      await delay(task.pollIntervalMs ?? DEFAULT_TASK_POLL_INTERVAL_MS, options.signal);
    }
  }

  /** Asks the server to cancel (an ack on 2026-07-28; the cancelled task on 2025-11-25). */
  async cancel(taskId: string): Promise<void> {
    await this.#request(Method.TasksCancel, { taskId });
  }

  async list(cursor?: string): Promise<{ tasks: TaskView[]; nextCursor?: string }> {
    if (this.#modern()) throw new SluiceError('SLUICE_REMOTE', 'tasks/list does not exist on 2026-07-28 (SEP-2663): keep the ids of the tasks you start');
    const page = (await this.#request(Method.TasksList, cursor === undefined ? {} : { cursor })) as { tasks?: unknown[]; nextCursor?: string };
    return { tasks: (page.tasks ?? []).map((t) => viewOf(t as Record<string, unknown>)), ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }) };
  }

  async #outcome(task: TaskView, raw: Record<string, unknown>): Promise<CallToolResult> {
    if (task.status === 'cancelled') throw new CancelledError(task.statusMessage ?? `Task ${task.taskId} was cancelled`);
    if (task.status === 'failed' && this.#modern()) {
      const error = (raw.error ?? {}) as { code?: number; message?: string };
      throw new RemoteError(error.message ?? task.statusMessage ?? 'The task failed', error.code);
    }
    if (this.#modern()) return raw.result as CallToolResult;
    return (await this.#request(Method.TasksResult, { taskId: task.taskId })) as CallToolResult; // a failed task's error is thrown here
  }

  #request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const meta = this.#modern() ? { _meta: this.declaring() } : {};
    return remote(this.#client.request({ method, params: { ...params, ...meta } } as never, anyResult) as Promise<Record<string, unknown>>);
  }
}

/** A task in either era's spelling (`ttl`/`pollInterval` on 2025-11-25). */
function viewOf(raw: Record<string, unknown>): TaskView {
  const interval = raw.pollIntervalMs ?? raw.pollInterval;
  const ttl = 'ttlMs' in raw ? raw.ttlMs : raw.ttl;
  const progress = (raw._meta as Record<string, unknown> | undefined)?.[TASK_PROGRESS_META_KEY] as ProgressEvent | undefined;
  return {
    taskId: String(raw.taskId),
    status: raw.status as TaskStatus,
    ...(typeof raw.statusMessage === 'string' && { statusMessage: raw.statusMessage }),
    createdAt: String(raw.createdAt),
    lastUpdatedAt: String(raw.lastUpdatedAt),
    ttlMs: typeof ttl === 'number' ? ttl : null,
    ...(typeof interval === 'number' && { pollIntervalMs: interval }),
    ...(progress !== undefined && { progress }),
    ...(raw.inputRequests !== undefined && { inputRequests: raw.inputRequests as Record<string, unknown> }),
  };
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
