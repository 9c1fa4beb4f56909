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
  /** The node running it now ('' when none: created, lost, or finished). */
  readonly runner: string;
  readonly cancelRequested: boolean;
  /** The last `::checkpoint` token of its script. */
  readonly checkpoint?: string;
  readonly request: TaskRequest;
  /** Outstanding server-to-client requests while `input_required`. */
  readonly inputRequests?: Readonly<Record<string, unknown>>;
  /** The final result (`completed`). */
  readonly result?: Readonly<Record<string, unknown>>;
  /** The JSON-RPC error (`failed`). */
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
}

export type NewTask = Pick<TaskRecord, 'taskId' | 'ttlMs' | 'principal' | 'request'> & Partial<Pick<TaskRecord, 'pollIntervalMs' | 'statusMessage' | 'runner'>>;

/** What a transition changes besides the status. */
export type TaskUpdate = Partial<Pick<TaskRecord, 'statusMessage' | 'inputRequests' | 'result' | 'error' | 'runner'>>;

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
  /** Keeps a script's last checkpoint token, while the task runs on `runner`; whether it was kept. */
  checkpoint(taskId: string, token: string, runner: string): Promise<boolean>;
  /** The tasks of one principal, oldest first, `limit` per page. */
  list(principal: string, options: { readonly cursor?: string; readonly limit: number }): Promise<TaskPage>;
}
