/**
 * The connections a node keeps to Redis, and nothing else: one for commands
 * (auto-pipelined, so commands issued in order run in order) and one for
 * pub/sub wake-ups, with reference-counted channel subscriptions. Both
 * reconnect by themselves; while they are down, commands wait in ioredis's
 * offline queue (bounded by the callers: each producer waits for its own
 * append) and {@link RedisLink.ready} is false, so requests are refused with
 * 503 instead of hanging.
 *
 * Client: ioredis 6 (see the README's "Several nodes on Redis" for why).
 *
 * @module
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InvalidOptionError } from '../../errors.js';
import { EVENT_LOG_SCRIPTS } from './eventLogScripts.js';
import { CLUSTER_SCRIPTS } from './clusterScripts.js';
import { SESSION_SCRIPTS } from './sessionScripts.js';
import { TASK_SCRIPTS } from './taskScripts.js';

type Listener = (message: string) => void;
/** How long closing waits for Redis to acknowledge (ms); an unreachable Redis is not waited for at all. */
const CLOSE_WAIT_MS = 1000;
type Reply = unknown;
/** A script defined on the command connection: keys first, then arguments. */
export type ScriptCall = (name: ScriptName, keys: readonly string[], args: ReadonlyArray<string | number>) => Promise<Reply>;

const SCRIPTS = { ...EVENT_LOG_SCRIPTS, ...SESSION_SCRIPTS, ...CLUSTER_SCRIPTS, ...TASK_SCRIPTS };
export type ScriptName = keyof typeof SCRIPTS;

/** `redis://HOST:PORT[/DB]` (also `rediss://`, user and password allowed) → ioredis options. */
export function parseRedisUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidOptionError('store', 'must be a redis://HOST:PORT[/DB] URL', url);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new InvalidOptionError('store', 'must be a redis://HOST:PORT[/DB] URL', url);
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new InvalidOptionError('store', 'names its database by number (redis://HOST:PORT/DB)', url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: db === '' ? 0 : Number(db),
    ...(parsed.username !== '' && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password !== '' && { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' && { tls: {} }),
  };
}

export class RedisLink {
  readonly #commands: Redis;
  readonly #subscriber: Redis;
  readonly #channels = new Map<string, Set<Listener>>();
  /** Listeners told when the link comes back (everything waiting re-reads). */
  readonly #onReady = new Set<() => void>();
  #closed = false;
  #wasReady = false;
  /** The last connection error, for `/healthz`. */
  lastError: string | undefined;

  constructor(options: RedisOptions) {
    const common: RedisOptions = {
      ...options,
      lazyConnect: false,
      maxRetriesPerRequest: null,
      // Reconnect quickly, never give up: service returns by itself when Redis is back.
      retryStrategy: (attempt) => Math.min(100 * attempt, 1000),
    };
    this.#commands = new Redis({ ...common, enableAutoPipelining: true, connectionName: `sluice-${process.pid}` });
    // Named by process, so an operator (or a test) can tell the nodes apart in CLIENT LIST.
    this.#subscriber = new Redis({ ...common, connectionName: `sluice-sub-${process.pid}` });
    for (const [name, lua] of Object.entries(SCRIPTS)) this.#commands.defineCommand(name, { numberOfKeys: 1, lua });
    const noteError = (error: Error) => {
      this.lastError = error.message;
    };
    this.#commands.on('error', noteError);
    this.#subscriber.on('error', noteError);
    this.#subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.#channels.get(channel) ?? []) listener(message);
    });
    const ready = () => {
      if (!this.ready) return;
      const again = this.#wasReady;
      this.#wasReady = true;
      this.lastError = undefined;
      if (again) for (const listener of this.#onReady) listener();
    };
    this.#commands.on('ready', ready);
    this.#subscriber.on('ready', ready);
  }

  /** Whether both connections are up. */
  get ready(): boolean {
    return !this.#closed && this.#commands.status === 'ready' && this.#subscriber.status === 'ready';
  }

  /** Resolves once both connections are up (the first time a node starts). */
  async connected(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ready) {
      if (Date.now() > deadline) throw new Error(`Redis is not reachable: ${this.lastError ?? 'no answer'}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Runs one of sluice's scripts (loaded once per connection by ioredis, EVALSHA after). */
  readonly script: ScriptCall = (name, keys, args) => {
    const command = (this.#commands as unknown as Record<string, (...a: Array<string | number>) => Promise<Reply>>)[name]!;
    return command.call(this.#commands, ...keys, ...args);
  };

  /** The command connection, for plain commands. */
  get commands(): Redis {
    return this.#commands;
  }

  /**
   * Listens on a channel until the returned function is called. `subscribed`
   * runs once the subscription stands: whatever was published before it must
   * be re-read from the store.
   */
  watch(channel: string, listener: Listener, subscribed?: () => void): () => void {
    let listeners = this.#channels.get(channel);
    if (listeners === undefined) {
      this.#channels.set(channel, (listeners = new Set()));
      this.#subscriber.subscribe(channel).then(() => subscribed?.(), () => subscribed?.());
    } else queueMicrotask(() => subscribed?.());
    listeners.add(listener);
    return () => {
      const current = this.#channels.get(channel);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#channels.delete(channel);
      if (!this.#closed) this.#subscriber.unsubscribe(channel).catch(() => {});
    };
  }

  /** Calls `listener` each time the link is back after a loss. */
  onReconnect(listener: () => void): () => void {
    this.#onReady.add(listener);
    return () => this.#onReady.delete(listener);
  }

  /** Closes both connections: politely when Redis answers (within a second), at once when it does not. */
  async close(): Promise<void> {
    if (this.#closed) return;
    const ready = this.ready;
    this.#closed = true;
    if (ready) {
      const polite = Promise.allSettled([this.#commands.quit(), this.#subscriber.quit()]);
      await Promise.race([polite, new Promise((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref())]);
    }
    this.#commands.disconnect();
    this.#subscriber.disconnect();
  }
}
