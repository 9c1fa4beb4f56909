/**
 * In-memory {@link TaskStore}: one process. Tasks in creation order (for
 * listing), terminal ones also in the order they ended (the oldest go first
 * to the bounds); every change is synchronous, so each is atomic.
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

interface Stored {
  record: TaskRecord;
  bytes: number;
  /** Creation order, for list cursors. */
  readonly seq: number;
}

const encoder = new TextEncoder();
const sizeOf = (record: TaskRecord) => encoder.encode(JSON.stringify(record)).length;

export class MemoryTaskStore implements TaskStore {
  readonly limits: TaskStoreLimits;
  readonly #clock: Clock;
  /** Insertion order is creation order. */
  readonly #tasks = new Map<string, Stored>();
  /** Terminal tasks, in the order they ended: the first is the first to go. */
  readonly #ended = new Set<string>();
  #bytes = 0;
  #nextSeq = 0;

  constructor(limits: Partial<TaskStoreLimits> = {}, clock: Clock = wallClock) {
    this.limits = {
      maxTasks: requireInteger('tasks.maxTasks', limits.maxTasks ?? DEFAULT_MAX_TASKS, 1),
      maxBytes: requireInteger('tasks.maxBytes', limits.maxBytes ?? DEFAULT_MAX_TASK_BYTES, 1),
    };
    this.#clock = clock;
  }

  /** Tasks held, and their bytes. */
  get size(): number {
    return this.#tasks.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  async create(task: NewTask): Promise<TaskRecord> {
    const now = this.#clock.now();
    const record: TaskRecord = {
      ...task,
      status: 'working',
      createdAt: now,
      lastUpdatedAt: now,
      runner: task.runner ?? '',
      cancelRequested: false,
    };
    const bytes = sizeOf(record);
    if (this.#tasks.size + 1 > this.limits.maxTasks || this.#bytes + bytes > this.limits.maxBytes) this.#pruneExpired(now); // expired ones go before finished ones
    this.#makeRoom(1, bytes);
    this.#tasks.set(record.taskId, { record, bytes, seq: this.#nextSeq++ });
    this.#bytes += bytes;
    return record;
  }

  async get(taskId: string): Promise<TaskRecord | undefined> {
    return this.#live(taskId)?.record;
  }

  async transition(taskId: string, to: TaskStatus, update: TaskUpdate = {}): Promise<TransitionOutcome> {
    const stored = this.#live(taskId);
    if (stored === undefined) return { ok: false, reason: 'unknown' };
    const next = applyTransition(stored.record, to, update, this.#clock.now());
    if (next === undefined) return { ok: false, reason: 'not-allowed', task: stored.record };
    const terminal = TERMINAL_STATUSES.has(to);
    this.#replace(stored, next);
    if (terminal) {
      this.#ended.add(taskId);
      this.#makeRoom(0, 0, taskId);
    }
    return { ok: true, task: stored.record };
  }

  async requestCancel(taskId: string): Promise<TaskRecord | undefined> {
    const stored = this.#live(taskId);
    if (stored === undefined) return undefined;
    if (!TERMINAL_STATUSES.has(stored.record.status) && !stored.record.cancelRequested) {
      this.#replace(stored, { ...stored.record, cancelRequested: true, lastUpdatedAt: this.#clock.now() });
    }
    return stored.record;
  }

  async assign(taskId: string, from: string, to: string): Promise<boolean> {
    const stored = this.#live(taskId);
    if (stored === undefined || TERMINAL_STATUSES.has(stored.record.status) || stored.record.runner !== from) return false;
    this.#replace(stored, { ...stored.record, runner: to, lastUpdatedAt: this.#clock.now() });
    return true;
  }

  async report(taskId: string, runner: string, report: TaskReport): Promise<boolean> {
    const stored = this.#live(taskId);
    const next = stored && applyReport(stored.record, runner, report, this.#clock.now());
    if (next === undefined) return false;
    this.#replace(stored!, next);
    return true;
  }

  async answer(taskId: string, responses: Readonly<Record<string, unknown>>): Promise<AnswerOutcome> {
    const stored = this.#live(taskId);
    if (stored === undefined) return { task: undefined, ready: false };
    const outcome = applyAnswer(stored.record, responses, this.#clock.now());
    if (outcome === undefined) return { task: stored.record, ready: false };
    this.#replace(stored, outcome.next);
    return { task: outcome.next, ready: outcome.ready };
  }

  async sweep(): Promise<number> {
    this.#pruneExpired(this.#clock.now());
    return this.#tasks.size;
  }

  /** Every task held, in creation order (for a journal's compaction). */
  records(): TaskRecord[] {
    return [...this.#tasks.values()].map((stored) => stored.record);
  }

  /** Puts back a task as it was (a journal replayed at start); a later record of the same task replaces it. */
  restore(record: TaskRecord): void {
    this.#drop(record.taskId);
    if (expired(record, this.#clock.now())) return;
    const bytes = sizeOf(record);
    this.#tasks.set(record.taskId, { record, bytes, seq: this.#nextSeq++ });
    this.#bytes += bytes;
    if (TERMINAL_STATUSES.has(record.status)) this.#ended.add(record.taskId);
  }

  async unfinished(): Promise<Array<{ taskId: string; runner: string }>> {
    this.#pruneExpired(this.#clock.now());
    const out: Array<{ taskId: string; runner: string }> = [];
    for (const [taskId, { record }] of this.#tasks) if (!TERMINAL_STATUSES.has(record.status)) out.push({ taskId, runner: record.runner });
    return out;
  }

  async list(principal: string, options: { readonly cursor?: string; readonly limit: number }): Promise<TaskPage> {
    this.#pruneExpired(this.#clock.now());
    const after = options.cursor === undefined ? -1 : Number(options.cursor);
    const tasks: TaskRecord[] = [];
    let last = -1;
    for (const stored of this.#tasks.values()) {
      if (stored.seq <= after || stored.record.principal !== principal) continue;
      if (tasks.length === options.limit) return { tasks, nextCursor: String(last) };
      tasks.push(stored.record);
      last = stored.seq;
    }
    return { tasks };
  }

  /** A task that is held and not past its TTL. */
  #live(taskId: string): Stored | undefined {
    const stored = this.#tasks.get(taskId);
    if (stored === undefined) return undefined;
    if (expired(stored.record, this.#clock.now())) {
      this.#drop(taskId);
      return undefined;
    }
    return stored;
  }

  #replace(stored: Stored, record: TaskRecord): void {
    const bytes = sizeOf(record);
    this.#bytes += bytes - stored.bytes;
    stored.record = record;
    stored.bytes = bytes;
  }

  /**
   * Room for `tasks` more tasks of `bytes`: the oldest terminal tasks go
   * (never `keep`, the one that just ended). Throws when only running ones are left.
   */
  #makeRoom(tasks: number, bytes: number, keep?: string): void {
    const over = () => this.#tasks.size + tasks > this.limits.maxTasks || this.#bytes + bytes > this.limits.maxBytes;
    for (const taskId of this.#ended) {
      if (!over()) return;
      if (taskId !== keep) this.#drop(taskId);
    }
    if (!over() || tasks === 0) return; // a result larger than what is left is kept: its task is the newest to end
    throw new TaskStoreFullError(this.#tasks.size + tasks > this.limits.maxTasks ? `${this.limits.maxTasks} tasks` : `${this.limits.maxBytes} bytes`);
  }

  #pruneExpired(now: number): void {
    for (const [taskId, stored] of this.#tasks) if (expired(stored.record, now)) this.#drop(taskId);
  }

  #drop(taskId: string): void {
    const stored = this.#tasks.get(taskId);
    if (stored === undefined) return;
    this.#tasks.delete(taskId);
    this.#ended.delete(taskId);
    this.#bytes -= stored.bytes;
  }
}

function expired(record: TaskRecord, now: number): boolean {
  return record.ttlMs !== null && now >= record.createdAt + record.ttlMs;
}
