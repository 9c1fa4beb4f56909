/**
 * The task store: long operations as durable handles (the Tasks extension,
 * SEP-2663, and the 2025-11-25 core tasks). A task is data: its status, what
 * it answered, what it asks for, the last checkpoint of its script, and the
 * call it runs, so that another node (or this one after a restart) can poll,
 * cancel or resume it.
 *
 * Rules every implementation keeps (`test/stores/contract/taskStore.contract.ts`):
 * - **strongly consistent**: `get` right after `create` resolves, from any node;
 * - **atomic transitions**: `working ⇄ input_required`, either of them →
 *   `completed | failed | cancelled`; a terminal status is final, and of two
 *   racing transitions out of one status exactly one wins;
 * - **TTL**: a task is kept `ttlMs` from its creation, then it is gone
 *   (`get` answers `undefined`); `null` keeps it until the bounds take it;
 * - **bounds**: count and bytes; past them the oldest terminal tasks go
 *   first, and a task still running is never dropped (a new one is refused).
 *
 * @module
 */

export type TaskStatus = 'working' | 'input_required' | 'completed' | 'failed' | 'cancelled';

/** Statuses a task never leaves. */
export const TERMINAL_STATUSES: ReadonlySet<TaskStatus> = new Set(['completed', 'failed', 'cancelled']);

/** What a task runs: enough to start it again (a resumable script whose node was lost). */
export interface TaskRequest {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface TaskRecord {
  readonly taskId: string;
  readonly status: TaskStatus;
  readonly statusMessage?: string;
  /** ms since the epoch (the store's clock). */
  readonly createdAt: number;
  readonly lastUpdatedAt: number;
  /** Kept this long after creation; `null`: until the bounds take it. */
  readonly ttlMs: number | null;
  readonly pollIntervalMs?: number;
  /** Whom the task belongs to (a hash of the principal, '' when there is none): only they may see it. */
  readonly principal: string;
  /** The 2025-11-25 session that created it, if any. */
  readonly session?: string;
  /** Created by a 2025-11-25 request (core tasks: no `tasks/update`, so no input rounds). */
  readonly legacy?: boolean;
  /** The node running it now ('' when none: created, lost, or finished). */
  readonly runner: string;
  readonly cancelRequested: boolean;
  /** The last `::checkpoint` token of its script. */
  readonly checkpoint?: string;
  /** The furthest progress it reported (never goes back, across restarts too). */
  readonly progress?: TaskProgress;
  readonly request: TaskRequest;
  /** Outstanding server-to-client requests while `input_required`, by key (unique over the task's life). */
  readonly inputRequests?: Readonly<Record<string, unknown>>;
  /** Answers gathered for the current round, by the same keys; handed to the tool when every key is answered. */
  readonly inputResponses?: Readonly<Record<string, unknown>>;
  /** Rounds of input asked for so far (keys carry the round, so none is reused). */
  readonly round?: number;
  /** The tool's sealed multi-round-trip state of the last round. */
  readonly requestState?: string;
  /** The final result (`completed`). */
  readonly result?: Readonly<Record<string, unknown>>;
  /** The JSON-RPC error (`failed`). */
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

export type NewTask = Pick<TaskRecord, 'taskId' | 'ttlMs' | 'principal' | 'request'> & Partial<Pick<TaskRecord, 'pollIntervalMs' | 'statusMessage' | 'runner' | 'session' | 'legacy'>>;

/** What a transition changes besides the status. */
export type TaskUpdate = Partial<Pick<TaskRecord, 'statusMessage' | 'inputRequests' | 'result' | 'error' | 'runner' | 'round' | 'requestState'>>;

export interface TaskProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** What a running task reports (see {@link TaskStore.report}). */
export interface TaskReport {
  readonly checkpoint?: string;
  readonly progress?: TaskProgress;
  readonly statusMessage?: string;
}

/** The outcome of {@link TaskStore.answer}. */
export interface AnswerOutcome {
  /** The task after the answers; `undefined` when there is none. */
  readonly task: TaskRecord | undefined;
  /** Every outstanding key is answered: the task is `working` again with no runner, for the next round to be run. */
  readonly ready: boolean;
}

/** The outcome of {@link TaskStore.transition}: the task after it, or why nothing changed. */
export type TransitionOutcome =
  | { readonly ok: true; readonly task: TaskRecord }
  | { readonly ok: false; readonly reason: 'unknown' | 'not-allowed'; readonly task?: TaskRecord };

/** A page of {@link TaskStore.list}, oldest first. */
export interface TaskPage {
  readonly tasks: TaskRecord[];
  readonly nextCursor?: string;
}

/** Bounds of a task store. */
export interface TaskStoreLimits {
  /** Tasks held. @defaultValue {@link DEFAULT_MAX_TASKS} */
  readonly maxTasks: number;
  /** Serialized bytes held over all tasks (results included). @defaultValue {@link DEFAULT_MAX_TASK_BYTES} */
  readonly maxBytes: number;
}

/** A task store cannot take one more task: every task it holds is still running. */
export class TaskStoreFullError extends Error {
  constructor(limit: string) {
    super(`Too many tasks: ${limit}, and every one of them is still running`);
    this.name = 'TaskStoreFullError';
  }
}

export interface TaskStore {
  /** Whether its tasks outlive the process (a journal, Redis): then a lost task may be resumed. */
  readonly durable?: boolean;
  /** Stores a new task (`working`) and resolves once it is durable; throws {@link TaskStoreFullError}. */
  create(task: NewTask): Promise<TaskRecord>;
  /** The task, or `undefined` when there is none (never created, past its TTL, or dropped by the bounds). */
  get(taskId: string): Promise<TaskRecord | undefined>;
  /** Moves a task to `to` atomically when the rules allow it (see the module comment). */
  transition(taskId: string, to: TaskStatus, update?: TaskUpdate): Promise<TransitionOutcome>;
  /** Marks that cancellation was asked for (idempotent; a terminal task is left as it is). */
  requestCancel(taskId: string): Promise<TaskRecord | undefined>;
  /**
   * Hands a running task to another node atomically: only when its runner is
   * `from` now ('' for a task whose node was lost) and it has not ended.
   * Of two nodes picking up one lost task, one wins.
   */
  assign(taskId: string, from: string, to: string): Promise<boolean>;
  /**
   * Keeps what a task running on `runner` reports: its last checkpoint token,
   * its progress (only when further than the stored one) and status message.
   * Whether the task still runs there (a fenced-off runner is refused).
   */
  report(taskId: string, runner: string, report: TaskReport): Promise<boolean>;
  /**
   * Takes answers to outstanding input requests atomically: keys not
   * outstanding are ignored; answered keys leave `inputRequests`. When none is
   * left, the task is `working` again with no runner (`ready`).
   */
  answer(taskId: string, responses: Readonly<Record<string, unknown>>): Promise<AnswerOutcome>;
  /** Drops every task past its TTL; resolves with how many tasks are left. */
  sweep(): Promise<number>;
  /** Every task not yet finished, with the node running it ('' for none): for adopting lost ones. */
  unfinished(): Promise<Array<{ readonly taskId: string; readonly runner: string }>>;
  /** The tasks of one principal, oldest first, `limit` per page. */
  list(principal: string, options: { readonly cursor?: string; readonly limit: number }): Promise<TaskPage>;
}
