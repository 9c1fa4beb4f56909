/**
 * How a task record changes, in one place for every store: the allowed
 * status transitions, and each change as a pure function of the record (a
 * store applies it atomically: synchronously in memory, by compare-and-set
 * in Redis). `undefined` means the change does not apply.
 *
 * @module
 */
import { TERMINAL_STATUSES, type TaskRecord, type TaskReport, type TaskStatus, type TaskUpdate } from './taskStore.js';

/** From each status, where a task may go. Terminal statuses go nowhere. */
export const TASK_TRANSITIONS: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  working: ['input_required', 'completed', 'failed', 'cancelled'],
  input_required: ['working', 'completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

export function transitionAllowed(from: TaskStatus, to: TaskStatus): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** The record after moving to `to`, or `undefined` when the table does not allow it. */
export function applyTransition(record: TaskRecord, to: TaskStatus, update: TaskUpdate, now: number): TaskRecord | undefined {
  if (!transitionAllowed(record.status, to)) return undefined;
  const next: Record<string, unknown> = { ...record, ...update, status: to, lastUpdatedAt: now };
  // What it asked for is answered or moot once it runs again or ends; a new round gathers new answers.
  if (to !== 'input_required') delete next.inputRequests;
  delete next.inputResponses;
  if (TERMINAL_STATUSES.has(to)) next.runner = '';
  return next as unknown as TaskRecord;
}

/** A running task's report, kept only while it runs on `runner`; progress never goes back. */
export function applyReport(record: TaskRecord, runner: string, report: TaskReport, now: number): TaskRecord | undefined {
  if (TERMINAL_STATUSES.has(record.status) || record.runner !== runner) return undefined;
  const further = report.progress !== undefined && (record.progress === undefined || report.progress.progress >= record.progress.progress);
  return {
    ...record,
    ...(report.checkpoint !== undefined && { checkpoint: report.checkpoint }),
    ...(further && { progress: report.progress }),
    // A message that goes with progress that went back (a restarted script counting again) goes too.
    ...(report.statusMessage !== undefined && (report.progress === undefined || further) && { statusMessage: report.statusMessage }),
    lastUpdatedAt: now,
  };
}

/** Answers to outstanding input requests; `ready` when none is left (then `working`, no runner). */
export function applyAnswer(record: TaskRecord, responses: Readonly<Record<string, unknown>>, now: number): { next: TaskRecord; ready: boolean } | undefined {
  if (record.status !== 'input_required' || record.inputRequests === undefined) return undefined;
  const outstanding = { ...record.inputRequests };
  const answered = { ...record.inputResponses };
  let taken = 0;
  for (const [key, value] of Object.entries(responses)) {
    if (!(key in outstanding)) continue; // never issued, already answered, or superseded: ignored
    delete outstanding[key];
    answered[key] = value;
    taken++;
  }
  if (taken === 0) return undefined;
  if (Object.keys(outstanding).length > 0) {
    return { next: { ...record, inputRequests: outstanding, inputResponses: answered, lastUpdatedAt: now }, ready: false };
  }
  const next: Record<string, unknown> = { ...record, status: 'working', runner: '', inputResponses: answered, lastUpdatedAt: now };
  delete next.inputRequests;
  return { next: next as unknown as TaskRecord, ready: true };
}
