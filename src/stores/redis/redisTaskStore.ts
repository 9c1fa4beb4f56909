/**
 * {@link TaskStore} on Redis: every node sees, changes and cancels every
 * task (`taskScripts.ts` has the keys). A change is read, made here and
 * written back with a compare-and-set on the task's version, retried when
 * another node changed the task meanwhile: transitions stay atomic without
 * decoding JSON in Lua. Passes `test/stores/contract/taskStore.contract.ts`.
 *
 * @module
 */
import { DEFAULT_MAX_TASK_BYTES, DEFAULT_MAX_TASKS } from '../../defaults.js';
import { requireInteger } from '../../errors.js';
import { type Clock, wallClock } from '../../flow/clock.js';
import {
  TERMINAL_STATUSES,
  TaskStoreFullError,
  type AnswerOutcome,
  type NewTask,
  type TaskPage,
  type TaskRecord,
  type TaskStatus,
  type TaskStore,
  type TaskReport,
  type TaskStoreLimits,
  type TaskUpdate,
  type TransitionOutcome,
} from '../taskStore.js';
import { applyAnswer, applyReport, applyTransition } from '../taskTransitions.js';
import type { RedisLink } from './redisLink.js';
import type { TASK_SCRIPTS } from './taskScripts.js';

const encoder = new TextEncoder();
/** Compare-and-set attempts before a change gives up (each lost attempt means another node changed the task). */
const MAX_ATTEMPTS = 16;

export class RedisTaskStore implements TaskStore {
  readonly limits: TaskStoreLimits;
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #clock: Clock;

  constructor(link: RedisLink, prefix: string, limits: Partial<TaskStoreLimits> = {}, clock: Clock = wallClock) {
    this.limits = {
      maxTasks: requireInteger('tasks.maxTasks', limits.maxTasks ?? DEFAULT_MAX_TASKS, 1),
      maxBytes: requireInteger('tasks.maxBytes', limits.maxBytes ?? DEFAULT_MAX_TASK_BYTES, 1),
    };
    this.#link = link;
    this.#prefix = prefix;
    this.#clock = clock;
  }

  #run(name: keyof typeof TASK_SCRIPTS, ...args: Array<string | number>): Promise<unknown> {
    return this.#link.script(name, [`${this.#prefix}tasks:meta`], [this.#prefix, ...args]);
  }

  async create(task: NewTask): Promise<TaskRecord> {
    const now = this.#clock.now();
    const record: TaskRecord = { ...task, status: 'working', createdAt: now, lastUpdatedAt: now, runner: task.runner ?? '', cancelRequested: false };
    const json = JSON.stringify(record);
    const { maxTasks, maxBytes } = this.limits;
    const created = await this.#run('slTaskCreate', task.taskId, json, encoder.encode(json).length, task.principal, now, task.ttlMs ?? -1, maxTasks, maxBytes, record.runner);
    if (created !== 1) throw new TaskStoreFullError(`${maxTasks} tasks or ${maxBytes} bytes`);
    return record;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    return (await this.#read(taskId))?.record;
  }

  async transition(taskId: string, to: TaskStatus, update: TaskUpdate = {}): Promise<TransitionOutcome> {
    let refused: TaskRecord | undefined;
    const task = await this.#change(taskId, (record) => {
      const next = applyTransition(record, to, update, this.#clock.now());
      if (next === undefined) refused = record;
      return next;
    });
    if (task !== undefined) return { ok: true, task };
    return refused === undefined ? { ok: false, reason: 'unknown' } : { ok: false, reason: 'not-allowed', task: refused };
  }

  async requestCancel(taskId: string): Promise<TaskRecord | undefined> {
    let current: TaskRecord | undefined;
    const changed = await this.#change(taskId, (record) => {
      current = record;
      if (TERMINAL_STATUSES.has(record.status) || record.cancelRequested) return undefined;
      return { ...record, cancelRequested: true, lastUpdatedAt: this.#clock.now() };
    });
    return changed ?? current;
  }

  async assign(taskId: string, from: string, to: string): Promise<boolean> {
    const changed = await this.#change(taskId, (record) =>
      TERMINAL_STATUSES.has(record.status) || record.runner !== from ? undefined : { ...record, runner: to, lastUpdatedAt: this.#clock.now() },
    );
    return changed !== undefined;
  }

  async report(taskId: string, runner: string, report: TaskReport): Promise<boolean> {
    return (await this.#change(taskId, (record) => applyReport(record, runner, report, this.#clock.now()))) !== undefined;
  }

  async answer(taskId: string, responses: Readonly<Record<string, unknown>>): Promise<AnswerOutcome> {
    let current: TaskRecord | undefined;
    let ready = false;
    const changed = await this.#change(taskId, (record) => {
      current = record;
      const outcome = applyAnswer(record, responses, this.#clock.now());
      ready = outcome?.ready ?? false;
      return outcome?.next;
    });
    return { task: changed ?? current, ready: changed !== undefined && ready };
  }

  async sweep(): Promise<number> {
    let after = 0;
    for (;;) {
      const [next, left] = (await this.#run('slTaskSweep', this.#clock.now(), after, 500)) as [number, number];
      if (next === -1) return left;
      after = next;
    }
  }

  async unfinished(): Promise<Array<{ taskId: string; runner: string }>> {
    const flat = (await this.#run('slTaskUnfinished')) as string[];
    const out: Array<{ taskId: string; runner: string }> = [];
    for (let i = 0; i < flat.length; i += 2) out.push({ taskId: flat[i]!, runner: flat[i + 1]! });
    return out;
  }

  async list(principal: string, options: { readonly cursor?: string; readonly limit: number }): Promise<TaskPage> {
    const after = options.cursor === undefined || !/^\d+$/.test(options.cursor) ? '0' : options.cursor;
    const reply = (await this.#run('slTaskList', principal, after, options.limit, this.#clock.now())) as string[];
    const tasks: TaskRecord[] = [];
    let last = after;
    for (let i = 0; i < reply.length && tasks.length < options.limit; i += 2) {
      last = reply[i]!;
      tasks.push(JSON.parse(reply[i + 1]!) as TaskRecord);
    }
    return reply.length / 2 > options.limit ? { tasks, nextCursor: last } : { tasks };
  }

  async #read(taskId: string): Promise<{ record: TaskRecord; version: string } | undefined> {
    const [json, version] = (await this.#run('slTaskGet', taskId, this.#clock.now())) as string[];
    return json === undefined ? undefined : { record: JSON.parse(json) as TaskRecord, version: version! };
  }

  /** Applies `change` atomically (compare-and-set, retried); `undefined` when there is no task or `change` declined. */
  async #change(taskId: string, change: (record: TaskRecord) => TaskRecord | undefined): Promise<TaskRecord | undefined> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.#read(taskId);
      if (current === undefined) return undefined;
      const next = change(current.record);
      if (next === undefined) return undefined;
      const json = JSON.stringify(next);
      const ends = TERMINAL_STATUSES.has(next.status) && !TERMINAL_STATUSES.has(current.record.status) ? 1 : 0;
      const { maxTasks, maxBytes } = this.limits;
      const written = await this.#run('slTaskWrite', taskId, current.version, json, next.status, encoder.encode(json).length, ends, this.#clock.now(), maxTasks, maxBytes, next.runner);
      if (written === 'ok') return next;
      if (written === 'gone') return undefined;
    }
    throw new Error(`Task ${taskId} changed ${MAX_ATTEMPTS} times while this node tried to change it`);
  }
}
