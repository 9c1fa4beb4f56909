/**
 * The task runtime: long tool calls as durable handles (SEP-2663 on
 * 2026-07-28, core tasks on 2025-11-25). A task is data in a {@link TaskStore};
 * this node runs the *legs* of the tasks it holds: the first, each one after a
 * client answered input requests, and one after another node (or this one, in
 * a previous life) lost the task's process. No leg waits on a user: asking for
 * input ends the leg, and the answer starts the next, on whichever node took it.
 *
 * Rules:
 * - a task is in the store before anyone hears of it (`create` resolves after the write);
 * - a cancelled task is `cancelled` in the store at once; its process is
 *   stopped here at once, or by the node running it within one sweep;
 * - a task whose process was lost is started again from its last checkpoint
 *   when its tool is resumable, else it fails with an error that says why;
 * - a task past its TTL is gone: its process is stopped too.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  DEFAULT_MAX_TASK_TTL_MS,
  DEFAULT_TASK_LIST_PAGE,
  DEFAULT_TASK_POLL_INTERVAL_MS,
  DEFAULT_TASK_REPORT_INTERVAL_MS,
  DEFAULT_TASK_SWEEP_MS,
  DEFAULT_TASK_TTL_MS,
} from '../defaults.js';
import { requireDuration } from '../errors.js';
import { type Clock, systemClock, type TimerHandle } from '../flow/clock.js';
import { ErrorCode } from '../protocol/wire.js';
import { type Cluster, singleNode } from '../stores/cluster.js';
import { MemoryTaskStore } from '../stores/memory/memoryTaskStore.js';
import { TERMINAL_STATUSES, type TaskPage, type TaskProgress, type TaskRecord, type TaskRequest, type TaskStore } from '../stores/taskStore.js';
import { TaskReporter } from './taskReporter.js';

/** A JSON-RPC error, as a failed task keeps it. */
export interface TaskError {
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

/** What one leg of a task gets to run with. */
export interface TaskLeg {
  readonly task: TaskRecord;
  readonly signal: AbortSignal;
  /** The last checkpoint of a task whose process was lost and is started again. */
  readonly resumeFrom: string | undefined;
  /** The answers of the round that ended, by the keys the tool used. */
  readonly inputResponses: Readonly<Record<string, unknown>> | undefined;
  /** The tool's sealed state of the round that ended. */
  readonly requestState: string | undefined;
  progress(progress: TaskProgress): void;
  checkpoint(token: string): void;
}

/** How a leg ended. */
export type LegOutcome =
  | { readonly kind: 'result'; readonly result: Record<string, unknown> }
  | { readonly kind: 'input'; readonly inputRequests: Record<string, unknown>; readonly requestState?: string }
  | { readonly kind: 'error'; readonly error: TaskError };

/** Runs legs: the server, which knows the tools. */
export interface TaskExecutor {
  run(leg: TaskLeg): Promise<LegOutcome>;
  /** Whether the task's tool may start again from its last checkpoint after its process was lost. */
  resumable(task: TaskRecord): boolean;
}

export interface TaskRuntimeOptions {
  /** How long a task is kept from its creation when the client asks for nothing else (ms). @defaultValue {@link DEFAULT_TASK_TTL_MS} */
  readonly ttlMs?: number;
  /** The longest TTL a client may ask for (ms). @defaultValue {@link DEFAULT_MAX_TASK_TTL_MS} */
  readonly maxTtlMs?: number;
  /** The polling interval suggested to clients (ms). @defaultValue {@link DEFAULT_TASK_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
  /** A running task's progress is written at most this often (ms). @defaultValue {@link DEFAULT_TASK_REPORT_INTERVAL_MS} */
  readonly reportIntervalMs?: number;
  /** How often this node checks its tasks for cancellation from elsewhere and looks for lost ones (ms). @defaultValue {@link DEFAULT_TASK_SWEEP_MS} */
  readonly sweepMs?: number;
}

/** What `cancel` found. */
export type CancelOutcome = { readonly outcome: 'unknown' } | { readonly outcome: 'terminal' | 'cancelled'; readonly task: TaskRecord };

type StopReason = 'cancelled' | 'lost' | 'gone' | 'shutdown';

interface Running {
  readonly controller: AbortController;
  stop?: StopReason;
}

export class TaskRuntime {
  readonly ttlMs: number;
  readonly maxTtlMs: number;
  readonly pollIntervalMs: number;
  readonly #reportIntervalMs: number;
  readonly #sweepMs: number;
  readonly #clock: Clock;
  #store: TaskStore = new MemoryTaskStore();
  #cluster: Pick<Cluster, 'nodeId' | 'nodes'> = singleNode();
  #shared = false;
  #used = false;
  #executor: TaskExecutor | undefined;
  readonly #running = new Map<string, Running>();
  readonly #legs = new Set<Promise<void>>();
  readonly #listeners = new Set<(task: TaskRecord) => void>();
  #sweepTimer: TimerHandle | undefined;
  #sweeping = false;
  #closed = false;
  /** Tasks the store held at the last sweep: sweeping goes on until they are gone. */
  #held = 0;

  constructor(options: TaskRuntimeOptions = {}, clock: Clock = systemClock) {
    this.ttlMs = requireDuration('tasks.ttlMs', options.ttlMs ?? DEFAULT_TASK_TTL_MS, 1);
    this.maxTtlMs = requireDuration('tasks.maxTtlMs', options.maxTtlMs ?? DEFAULT_MAX_TASK_TTL_MS, 1);
    this.pollIntervalMs = requireDuration('tasks.pollIntervalMs', options.pollIntervalMs ?? DEFAULT_TASK_POLL_INTERVAL_MS, 1);
    this.#reportIntervalMs = requireDuration('tasks.reportIntervalMs', options.reportIntervalMs ?? DEFAULT_TASK_REPORT_INTERVAL_MS, 0);
    this.#sweepMs = requireDuration('tasks.sweepMs', options.sweepMs ?? DEFAULT_TASK_SWEEP_MS, 1);
    this.#clock = clock;
  }

  /** The store tasks live in (memory until {@link TaskRuntime.attach}). */
  get store(): TaskStore {
    return this.#store;
  }

  /** Tasks running on this node now. */
  get running(): number {
    return this.#running.size;
  }

  /**
   * Puts tasks in a shared store (before the first task): then other nodes
   * see them, and this node adopts the tasks of nodes that died.
   */
  attach(store: TaskStore, cluster: Pick<Cluster, 'nodeId' | 'nodes'>, shared: boolean): void {
    if (this.#used) throw new Error('The task store is chosen before the first task is created');
    this.#store = store;
    this.#cluster = cluster;
    this.#shared = shared;
    if (shared) this.#arm();
    else if (store.durable === true) void this.#recover().catch(() => {});
  }

  setExecutor(executor: TaskExecutor): void {
    this.#executor = executor;
  }

  /** Hears every change this node makes to a task (for status notifications). Returns the unsubscribe function. */
  onChange(listener: (task: TaskRecord) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The TTL a task gets when its client asks for `requested` (ms; `undefined`: the default). */
  ttlFor(requested: number | null | undefined): number {
    if (typeof requested !== 'number' || !Number.isFinite(requested)) return this.ttlMs;
    return Math.min(this.maxTtlMs, Math.max(1_000, Math.floor(requested)));
  }

  /** Creates a task and starts its first leg; resolves once the task is in the store. */
  async create(init: {
    readonly request: TaskRequest;
    readonly principal: string;
    readonly ttlMs: number;
    /** The 2025-11-25 session that created it (scopes `tasks/list` without authentication). */
    readonly session?: string;
    /** Created by a 2025-11-25 request. */
    readonly legacy?: boolean;
    readonly inputResponses?: Record<string, unknown>;
  }): Promise<TaskRecord> {
    this.#used = true;
    const record = await this.#store.create({
      taskId: randomUUID(),
      ttlMs: init.ttlMs,
      principal: init.principal,
      ...(init.session !== undefined && { session: init.session }),
      ...(init.legacy === true && { legacy: true }),
      request: init.request,
      pollIntervalMs: this.pollIntervalMs,
      runner: this.#cluster.nodeId,
    });
    this.#emit(record);
    this.#startLeg(record, { inputResponses: init.inputResponses });
    return record;
  }

  /** The task, when it exists and belongs to `principal`; else `undefined` (the same answer, so ids cannot be probed). */
  async get(taskId: string, principal: string): Promise<TaskRecord | undefined> {
    const task = await this.#store.get(taskId);
    return task?.principal === principal ? task : undefined;
  }

  /** A page of `principal`'s tasks; with `session`, only that session's (a page may then hold fewer). */
  async list(principal: string, session: string | undefined, cursor: string | undefined): Promise<TaskPage> {
    const page = await this.#store.list(principal, { ...(cursor !== undefined && { cursor }), limit: DEFAULT_TASK_LIST_PAGE });
    return session === undefined ? page : { ...page, tasks: page.tasks.filter((task) => task.session === session) };
  }

  /** Cancels a task: `cancelled` in the store at once, its process stopped here or by its node within a sweep. */
  async cancel(taskId: string, principal: string): Promise<CancelOutcome> {
    const task = await this.get(taskId, principal);
    if (task === undefined) return { outcome: 'unknown' };
    if (TERMINAL_STATUSES.has(task.status)) return { outcome: 'terminal', task };
    await this.#store.requestCancel(taskId);
    const moved = await this.#store.transition(taskId, 'cancelled', { statusMessage: 'Cancelled by the client' });
    if (!moved.ok) return moved.task === undefined ? { outcome: 'unknown' } : { outcome: 'terminal', task: moved.task };
    this.#stop(taskId, 'cancelled');
    this.#emit(moved.task);
    return { outcome: 'cancelled', task: moved.task };
  }

  /** Takes answers to a task's input requests; the last one starts the next leg here. `false`: no such task. */
  async update(taskId: string, principal: string, responses: Readonly<Record<string, unknown>>): Promise<boolean> {
    if ((await this.get(taskId, principal)) === undefined) return false;
    const { task, ready } = await this.#store.answer(taskId, responses);
    if (task === undefined) return false;
    if (ready && (await this.#store.assign(taskId, '', this.#cluster.nodeId))) {
      const adopted = await this.#store.get(taskId);
      if (adopted !== undefined) {
        this.#emit(adopted);
        this.#startLeg(adopted, { inputResponses: adopted.inputResponses });
      }
    }
    return true;
  }

  /** Resolves with the task once it is terminal (2025-11-25 `tasks/result`); `undefined` when it is gone. */
  async settled(taskId: string, principal: string, signal: AbortSignal): Promise<TaskRecord | undefined> {
    for (;;) {
      const task = await this.get(taskId, principal);
      if (task === undefined || TERMINAL_STATUSES.has(task.status)) return task;
      signal.throwIfAborted();
      await this.#nextChange(taskId, signal);
    }
  }

  /** Stops every leg: tasks that may resume are left to the other nodes (shared store), the others fail. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    this.#clock.clearTimeout(this.#sweepTimer);
    for (const taskId of this.#running.keys()) this.#stop(taskId, 'shutdown');
    await Promise.allSettled([...this.#legs]);
  }

  /** This node was presumed dead and its tasks were taken over: stop them without writing (fenced). */
  lost(): void {
    for (const taskId of this.#running.keys()) this.#stop(taskId, 'lost');
  }

  /** Legs in flight, for the server's `idle()`. */
  legs(): Promise<unknown>[] {
    return [...this.#legs];
  }

  #startLeg(task: TaskRecord, from: { resumeFrom?: string; inputResponses?: Readonly<Record<string, unknown>> }): void {
    const leg = this.#runLeg(task, from).catch(() => {});
    this.#legs.add(leg);
    void leg.finally(() => this.#legs.delete(leg));
    this.#arm();
  }

  async #runLeg(task: TaskRecord, from: { resumeFrom?: string; inputResponses?: Readonly<Record<string, unknown>> }): Promise<void> {
    const executor = this.#executor;
    if (executor === undefined) throw new Error('TaskRuntime: no executor');
    const running: Running = { controller: new AbortController() };
    this.#running.set(task.taskId, running);
    const node = this.#cluster.nodeId;
    const reporter = new TaskReporter((report) => this.#store.report(task.taskId, node, report), this.#clock, this.#reportIntervalMs, () =>
      this.#stop(task.taskId, 'lost'),
    );
    let outcome: LegOutcome;
    try {
      outcome = await executor.run({
        task,
        signal: running.controller.signal,
        resumeFrom: from.resumeFrom,
        inputResponses: from.inputResponses,
        requestState: task.requestState,
        progress: (p) => reporter.progress(p),
        checkpoint: (token) => reporter.checkpoint(token),
      });
    } catch (error) {
      outcome = { kind: 'error', error: { code: ErrorCode.InternalError, message: error instanceof Error ? error.message : String(error) } };
    } finally {
      this.#running.delete(task.taskId);
    }
    await reporter.flush();
    if (running.stop === 'shutdown') return this.#leave(task, executor);
    if (running.stop !== undefined) return; // cancelled (already in the store), fenced off, or gone
    await this.#finish(task, outcome);
  }

  async #finish(task: TaskRecord, outcome: LegOutcome): Promise<void> {
    const moved =
      outcome.kind === 'result'
        ? await this.#store.transition(task.taskId, 'completed', { result: outcome.result, statusMessage: 'Completed' })
        : outcome.kind === 'error'
          ? await this.#store.transition(task.taskId, 'failed', { error: outcome.error, statusMessage: outcome.error.message })
          : await this.#askForInput(task, outcome);
    if (moved.ok) this.#emit(moved.task);
  }

  /** A new round of input requests: keys carry the round (`R.key`), so none is used twice over the task's life. */
  #askForInput(task: TaskRecord, outcome: Extract<LegOutcome, { kind: 'input' }>) {
    if (task.legacy === true) {
      // 2025-11-25 tasks have no tasks/update: a task that asks would wait until its TTL. Say so instead.
      const message = `Tool "${toolOf(task)}" asked for input, which a 2025-11-25 task cannot carry: call it without a task, or over 2026-07-28`;
      return this.#store.transition(task.taskId, 'failed', { error: { code: ErrorCode.InternalError, message, data: { reason: 'input_required' } }, statusMessage: message });
    }
    const round = (task.round ?? 0) + 1;
    const inputRequests = Object.fromEntries(Object.entries(outcome.inputRequests).map(([key, value]) => [`${round}.${key}`, value]));
    return this.#store.transition(task.taskId, 'input_required', {
      inputRequests,
      round,
      runner: '',
      statusMessage: 'Waiting for input from the client',
      ...(outcome.requestState !== undefined && { requestState: outcome.requestState }),
    });
  }

  /** Shutting down: a resumable task is left for another node; any other fails, saying why. */
  async #leave(task: TaskRecord, executor: TaskExecutor): Promise<void> {
    const node = this.#cluster.nodeId;
    if ((this.#shared || this.#store.durable === true) && executor.resumable(task) && (await this.#store.assign(task.taskId, node, ''))) return;
    const message = `The server stopped before the task finished${this.#shared || this.#store.durable === true ? `, and tool "${toolOf(task)}" is not resumable` : ''}`;
    const moved = await this.#store.transition(task.taskId, 'failed', { error: { code: ErrorCode.CallLost, message, data: { reason: 'shutdown' } }, statusMessage: message });
    if (moved.ok) this.#emit(moved.task);
  }

  #stop(taskId: string, why: StopReason): void {
    const running = this.#running.get(taskId);
    if (running === undefined || running.stop !== undefined) return;
    running.stop = why;
    running.controller.abort(new Error(STOP_MESSAGES[why]));
  }

  #emit(task: TaskRecord): void {
    for (const listener of this.#listeners) {
      try {
        listener(task);
      } catch {
        // A failing listener must not keep the others from hearing.
      }
    }
  }

  #nextChange(taskId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#clock.clearTimeout(timer);
        off();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const off = this.onChange((task) => task.taskId === taskId && done());
      const timer = this.#clock.setTimeout(done, this.pollIntervalMs); // changed on another node: poll
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Sweeps while this node runs tasks or its store holds any, and always on a shared store (other nodes' tasks may be lost). */
  #arm(): void {
    if (this.#closed || this.#sweepTimer !== undefined) return;
    this.#sweepTimer = this.#clock.setTimeout(() => {
      this.#sweepTimer = undefined;
      void this.#sweep().finally(() => {
        if (this.#running.size > 0 || this.#shared || this.#held > 0) this.#arm();
      });
    }, this.#sweepMs);
  }

  async #sweep(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      await this.#checkRunning();
      if (this.#shared) await this.#adoptLost();
      this.#held = await this.#store.sweep(); // tasks past their TTL are reclaimed even when nobody asks for them
    } catch {
      // The store is unreachable: the next sweep tries again.
    } finally {
      this.#sweeping = false;
    }
  }

  /** Cancellations asked on other nodes, TTLs that passed, tasks another node took over. */
  async #checkRunning(): Promise<void> {
    const node = this.#cluster.nodeId;
    for (const taskId of [...this.#running.keys()]) {
      const task = await this.#store.get(taskId);
      if (task === undefined) this.#stop(taskId, 'gone');
      else if (task.status === 'cancelled' || task.cancelRequested) this.#stop(taskId, 'cancelled');
      else if (task.runner !== node) this.#stop(taskId, 'lost');
    }
  }

  /** Tasks whose node died (or left them when it stopped): started again here when their tool allows it. */
  async #adoptLost(): Promise<void> {
    const executor = this.#executor;
    if (executor === undefined) return;
    const node = this.#cluster.nodeId;
    const alive = new Set(await this.#cluster.nodes());
    for (const { taskId, runner } of await this.#store.unfinished()) {
      if (runner === node || (runner !== '' && alive.has(runner))) continue;
      const task = await this.#store.get(taskId);
      if (task === undefined || task.status === 'input_required' || task.runner !== runner) continue; // waiting for its client, or taken meanwhile
      if (!(await this.#store.assign(taskId, runner, node))) continue; // another node adopted it first
      await this.#runAdopted(task, runner, executor);
    }
  }

  /**
   * A durable store on one node, at start: the unfinished tasks of this node's
   * previous life (it crashed: they still name it) or that it left when it
   * stopped ('') are this node's to resume, or to fail.
   */
  async #recover(): Promise<void> {
    const executor = this.#executor;
    if (executor === undefined) return;
    const node = this.#cluster.nodeId;
    for (const { taskId, runner } of await this.#store.unfinished()) {
      if ((runner !== node && runner !== '') || this.#running.has(taskId)) continue;
      const task = await this.#store.get(taskId);
      if (task === undefined || task.status === 'input_required' || !(await this.#store.assign(taskId, runner, node))) continue;
      this.#used = true;
      await this.#runAdopted(task, runner, executor);
    }
    this.#arm();
  }

  /** A task this node just took over from `runner`: its next round, its resumption from the checkpoint, or its failure. */
  async #runAdopted(task: TaskRecord, runner: string, executor: TaskExecutor): Promise<void> {
    const adopted = { ...task, runner: this.#cluster.nodeId };
    if (runner === '' && task.inputResponses !== undefined) this.#startLeg(adopted, { inputResponses: task.inputResponses });
    else if (executor.resumable(task)) this.#startLeg(adopted, { ...(task.checkpoint !== undefined && { resumeFrom: task.checkpoint }) });
    else await this.#failLost(task);
  }

  async #failLost(task: TaskRecord): Promise<void> {
    const message = `The process running this task was lost (its server stopped), and tool "${toolOf(task)}" is not resumable: start it again`;
    const moved = await this.#store.transition(task.taskId, 'failed', { error: { code: ErrorCode.CallLost, message, data: { reason: 'owner_lost' } }, statusMessage: message });
    if (moved.ok) this.#emit(moved.task);
  }
}

const STOP_MESSAGES: Record<StopReason, string> = {
  cancelled: 'The task was cancelled',
  lost: 'The task was taken over by another node',
  gone: 'The task expired (its TTL passed)',
  shutdown: 'The server is shutting down',
};

function toolOf(task: TaskRecord): string {
  return String(task.request.params.name ?? task.request.method);
}
