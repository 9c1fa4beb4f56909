/**
 * Tasks that survive a restart of a single node, without Redis: the memory
 * store, with every change appended to a journal file (one JSON line per
 * record as it became) before the change resolves. At start the journal is
 * replayed (the last line of a task wins; tasks past their TTL are left out)
 * and rewritten compactly; it is compacted again whenever it holds more than
 * twice the live tasks. Writes are synchronous appends: in order, and in the
 * file before `create` answers, which is when a `CreateTaskResult` goes out.
 *
 * @module
 */
import { appendFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Clock } from '../../flow/clock.js';
import { MemoryTaskStore } from '../memory/memoryTaskStore.js';
import type { AnswerOutcome, NewTask, TaskPage, TaskRecord, TaskReport, TaskStatus, TaskStore, TaskStoreLimits, TaskUpdate, TransitionOutcome } from '../taskStore.js';

/** Lines over live tasks past which the journal is rewritten. */
const COMPACT_FACTOR = 2;

export class JournaledTaskStore implements TaskStore {
  readonly durable = true;
  readonly #memory: MemoryTaskStore;
  readonly #path: string;
  #lines = 0;

  constructor(path: string, limits: Partial<TaskStoreLimits> = {}, clock?: Clock) {
    this.#memory = new MemoryTaskStore(limits, clock);
    this.#path = path;
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          this.#memory.restore(JSON.parse(line) as TaskRecord);
        } catch {
          // A line cut by a crash mid-write: the record before it stands.
        }
      }
    }
    this.#compact();
  }

  get size(): number {
    return this.#memory.size;
  }

  async create(task: NewTask): Promise<TaskRecord> {
    return this.#keep(await this.#memory.create(task));
  }

  get(taskId: string): Promise<TaskRecord | undefined> {
    return this.#memory.get(taskId);
  }

  async transition(taskId: string, to: TaskStatus, update?: TaskUpdate): Promise<TransitionOutcome> {
    const outcome = await this.#memory.transition(taskId, to, update);
    if (outcome.ok) this.#keep(outcome.task);
    return outcome;
  }

  async requestCancel(taskId: string): Promise<TaskRecord | undefined> {
    const task = await this.#memory.requestCancel(taskId);
    return task === undefined ? undefined : this.#keep(task);
  }

  async assign(taskId: string, from: string, to: string): Promise<boolean> {
    const moved = await this.#memory.assign(taskId, from, to);
    if (moved) this.#keep((await this.#memory.get(taskId))!);
    return moved;
  }

  async report(taskId: string, runner: string, report: TaskReport): Promise<boolean> {
    const kept = await this.#memory.report(taskId, runner, report);
    if (kept) this.#keep((await this.#memory.get(taskId))!);
    return kept;
  }

  async answer(taskId: string, responses: Readonly<Record<string, unknown>>): Promise<AnswerOutcome> {
    const outcome = await this.#memory.answer(taskId, responses);
    if (outcome.task !== undefined) this.#keep(outcome.task);
    return outcome;
  }

  list(principal: string, options: { readonly cursor?: string; readonly limit: number }): Promise<TaskPage> {
    return this.#memory.list(principal, options);
  }

  async sweep(): Promise<number> {
    const left = await this.#memory.sweep();
    if (this.#lines > COMPACT_FACTOR * left + 100) this.#compact();
    return left;
  }

  unfinished(): Promise<Array<{ readonly taskId: string; readonly runner: string }>> {
    return this.#memory.unfinished();
  }

  #keep(record: TaskRecord): TaskRecord {
    appendFileSync(this.#path, `${JSON.stringify(record)}\n`);
    this.#lines++;
    return record;
  }

  /** Rewrites the journal with the live tasks only (to a new file, then renamed over the old one). */
  #compact(): void {
    const records = this.#memory.records();
    writeFileSync(`${this.#path}.new`, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    renameSync(`${this.#path}.new`, this.#path);
    this.#lines = records.length;
  }
}
