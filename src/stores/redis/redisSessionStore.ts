/**
 * {@link SessionStore} on Redis: one hash per session and one sorted set by
 * activity, so the count, the idle order and the cap are the cluster's
 * (`sessionScripts.ts` has the keys). Passes
 * `test/stores/contract/sessionStore.contract.ts` unchanged.
 *
 * @module
 */
import type { SessionRecord, SessionStore } from '../sessionStore.js';
import type { RedisLink } from './redisLink.js';

export class RedisSessionStore implements SessionStore {
  readonly #link: RedisLink;
  readonly #prefix: string;
  readonly #index: string;

  constructor(link: RedisLink, prefix: string) {
    this.#link = link;
    this.#prefix = prefix;
    this.#index = `${prefix}sessions`;
  }

  #key(id: string): string {
    return `${this.#prefix}s:{${id}}`;
  }

  async create(record: SessionRecord, options: { readonly max?: number } = {}): Promise<boolean> {
    const { lastSeen, ...rest } = record;
    const created = await this.#link.script('slSessionCreate', [this.#key(record.id)], [this.#index, record.id, JSON.stringify(rest), lastSeen, options.max ?? 0]);
    return created === 1;
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const [json, lastSeen] = await this.#link.commands.hmget(this.#key(id), 'r', 't');
    if (json == null || lastSeen == null) return undefined;
    return { ...(JSON.parse(json) as Omit<SessionRecord, 'lastSeen'>), lastSeen: Number(lastSeen) };
  }

  async touch(id: string, at: number): Promise<boolean> {
    return (await this.#link.script('slSessionTouch', [this.#key(id)], [this.#index, id, at])) === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#link.script('slSessionDelete', [this.#key(id)], [this.#index, id])) === 1;
  }

  async count(): Promise<number> {
    return this.#link.commands.zcard(this.#index);
  }

  async idle(cutoff: number, limit: number): Promise<string[]> {
    return this.#link.commands.zrangebyscore(this.#index, '-inf', cutoff, 'LIMIT', 0, limit);
  }

  async ids(): Promise<string[]> {
    return this.#link.commands.zrange(this.#index, '0', '-1');
  }
}
