/**
 * In-memory {@link SessionStore}: a map kept in order of activity (a touch
 * moves a session to the end), so the longest idle come first at no cost.
 *
 * @module
 */
import type { SessionRecord, SessionStore } from '../sessionStore.js';

export class MemorySessionStore implements SessionStore {
  readonly #records = new Map<string, SessionRecord>();

  async create(record: SessionRecord, options: { readonly max?: number } = {}): Promise<boolean> {
    if (options.max !== undefined && !this.#records.has(record.id) && this.#records.size >= options.max) return false;
    this.#records.delete(record.id);
    this.#records.set(record.id, record);
    return true;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return this.#records.get(id);
  }

  async touch(id: string, at: number): Promise<boolean> {
    const record = this.#records.get(id);
    if (record === undefined) return false;
    this.#records.delete(id);
    this.#records.set(id, { ...record, lastSeen: Math.max(record.lastSeen, at) });
    return true;
  }

  async delete(id: string): Promise<boolean> {
    return this.#records.delete(id);
  }

  async count(): Promise<number> {
    return this.#records.size;
  }

  async idle(cutoff: number, limit: number): Promise<string[]> {
    const ids: string[] = [];
    for (const record of this.#records.values()) {
      if (ids.length >= limit || record.lastSeen > cutoff) break;
      ids.push(record.id);
    }
    return ids;
  }

  async ids(): Promise<string[]> {
    return [...this.#records.keys()];
  }
}
