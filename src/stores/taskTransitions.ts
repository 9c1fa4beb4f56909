/**
 * The allowed task status transitions, in one place for every store (the
 * Redis store's Lua script is generated from this table).
 *
 * @module
 */
import type { TaskStatus } from './taskStore.js';

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
