/**
 * {@link EventLog} on Redis Streams: the same contract as the memory log
 * (`test/stores/contract/eventLog.contract.ts`), for streams that any node
 * reads and that a producer on one node appends to. Every change is one Lua
 * script (`eventLogScripts.ts`); wake-ups travel on pub/sub, and anything
 * waiting also re-reads once a second and after a reconnect, so a lost
 * message costs latency, never an event.
 *
 * Fencing: a request stream records the node that opened it. When that node
 * is presumed dead, another node takes the stream over (`takeOver`): it
 * appends a final JSON-RPC error and ends it. An append from the old owner
 * is then refused, returns `undefined` like any append to a stream that is
 * gone, and the owner learns it lost the stream.
 *
 * The producer's view of a stream ({@link StreamPressure}) is kept locally
 * from the scripts' answers and the published snapshots, so `full` and
 * `stalledFor` answer at once, and a reader on another node that delivers
 * makes room for a producer here.
 *
 * @module
 */
import { DEFAULT_STREAM_HIGH_WATER_BYTES } from '../../defaults.js';
import { requireInteger } from '../../errors.js';
import { type Clock, wallClock } from '../../flow/clock.js';
import { Deque } from '../../flow/deque.js';
import {
  CursorCutError,
  EventsLostError,
  type AppendOptions,
  type EventLog,
  type EventLogLimits,
  type EventLogOptions,
  type LogCursor,
  type OpenStreamOptions,
  type LogEvent,
  type ReplayVerdict,
  type StreamPressure,
} from '../eventLog.js';
import { eventIdOf, parseEventId } from '../eventId.js';
import { eventLogLimits } from '../eventLogLimits.js';
import type { RedisLink } from './redisLink.js';

/** How often anything waiting re-reads the store on its own (ms): the bound on a lost wake-up. */
const REREAD_MS = 1000;
/** Events a cursor reads per round trip. */
const READ_BATCH = 64;
/** Log keys outlive their last write by this much (ms), so a log nobody cleared (its whole cluster died) goes by itself. */
export const LOG_KEY_TTL_MS = 24 * 60 * 60 * 1000;
const textEncoder = new TextEncoder();

/** The producer's local view of one stream. */
interface View {
  unreadBytes: number;
  unreadCount: number;
  cuts: number;
  ended: boolean;
  version: number;
  fullSince: number | undefined;
  /** Events this node appended that are still unread: seq, ordinal, cumulative bytes. */
  readonly unread: Deque<{ seq: number; n: number; c: number }>;
  appendedN: number;
  appendedC: number;
  waiters: Array<() => void>;
  unwatch: () => void;
  /** Resolves once the state was read from the store. */
  ready: Promise<void>;
}

export interface RedisEventLogOptions extends Partial<EventLogOptions> {
  /** Key prefix shared by every node of one service. */
  readonly prefix: string;
  /** This node's id now (the fencing token of the streams it opens). */
  readonly owner: () => string;
  /** Told when a stream this node produced was taken over by another node. */
  readonly onFenced?: (scope: string, streamId: string) => void;
}

export class RedisEventLog implements EventLog {
  readonly #link: RedisLink;
  readonly #key: string;
  readonly #scope: string;
  readonly #limits: EventLogLimits;
  readonly #highWaterBytes: number;
  readonly #highWaterEvents: number;
  readonly #keepDelivered: boolean;
  readonly #clock: Clock;
  readonly #options: RedisEventLogOptions;
  readonly #views = new Map<string, View>();
  /** Cursors of this node waiting on a stream. */
  readonly #readers = new Map<string, Set<() => void>>();
  /** Streams followed by cursors of this node. */
  readonly #follows = new Map<string, Follow>();

  constructor(link: RedisLink, scope: string, options: RedisEventLogOptions, clock: Clock = wallClock) {
    this.#link = link;
    this.#scope = scope;
    this.#key = `${options.prefix}l:{${scope}}`;
    this.#limits = eventLogLimits(options.limits);
    this.#highWaterBytes = requireInteger('streamHighWaterBytes', options.highWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES, 1);
    this.#highWaterEvents = Math.max(1, Math.floor(this.#limits.maxEvents / 2));
    this.#keepDelivered = options.keepDelivered ?? true;
    this.#clock = clock;
    this.#options = options;
  }

  #run(name: Parameters<RedisLink['script']>[0], ...args: Array<string | number>): Promise<unknown> {
    return this.#link.script(name, [this.#key], [LOG_KEY_TTL_MS, ...args]);
  }

  async openStream(options: OpenStreamOptions = {}): Promise<string> {
    const lossy = options.lossy === true;
    // Lossy and shared streams have many producers: nobody fences them.
    const owner = lossy ? '' : this.#options.owner();
    return (await this.#run('slOpen', lossy ? 1 : 0, options.shared ?? '', owner, this.#limits.maxStreams)) as string;
  }

  async append(streamId: string, data: string, options: AppendOptions = {}): Promise<string | undefined> {
    if (options.wait === true && !(await this.#room(streamId))) return undefined;
    const { maxEvents, maxAgeMs, maxBytes, maxSessionBytes } = this.#limits;
    // Every append carries the node's id: a stream it no longer owns refuses it (lossy streams have no owner).
    const owner = this.#options.owner();
    const reply = (await this.#run('slAppend', streamId, data, this.#clock.now(), owner, maxEvents, maxAgeMs, maxBytes, maxSessionBytes)) as Array<string | number>;
    if (reply[0] !== 'ok') {
      this.#refused(streamId, reply[0] === 'fenced');
      return undefined;
    }
    const [, seq = 0, unreadBytes = 0, unreadCount = 0, cuts = 0, version = 0, n = 0, c = 0] = reply.map(Number);
    const view = this.#view(streamId, false);
    view.unread.push({ seq, n, c });
    view.appendedN = n;
    view.appendedC = c;
    this.#apply(view, { unreadBytes, unreadCount, cuts, ended: false, version });
    this.#wakeReaders(streamId);
    return eventIdOf(streamId, seq);
  }

  /** Waits while the stream is at its high-water mark; false when the reader was given up on meanwhile (the message is dropped). */
  async #room(streamId: string): Promise<boolean> {
    const view = this.#view(streamId);
    // The cut count as of this call: a cut from now on drops this message (a fresh view learns it from the store).
    const known = view.version === -1 ? undefined : view.cuts;
    await view.ready;
    const cuts = known ?? view.cuts;
    while (!view.ended && this.#isFull(view)) {
      await this.#waitOn(view, streamId);
      if (view.cuts !== cuts) return false;
    }
    return true;
  }

  /** An append was refused: fenced off, or the stream is gone while this node still produced it (a stream it ended has no view): taken from it. */
  #refused(streamId: string, fenced: boolean): void {
    const taken = fenced || this.#views.has(streamId);
    this.#forget(streamId);
    if (!taken) return;
    if (fenced) this.#options.onFenced?.(this.#scope, streamId);
    this.#options.onLost?.(streamId);
  }

  /** The stream's producer is presumed dead: fence it off, end the stream with `data` as its last event. Whether this call did it. */
  async takeOver(streamId: string, previousOwner: string, data: string): Promise<boolean> {
    const done = (await this.#run('slTakeOver', streamId, previousOwner, this.#options.owner(), data, this.#clock.now())) === 1;
    this.#wakeReaders(streamId);
    return done;
  }

  async end(streamId: string): Promise<void> {
    const { maxEvents, maxBytes, maxSessionBytes } = this.#limits;
    const pending = this.#run('slEnd', streamId, maxEvents, maxBytes, maxSessionBytes);
    this.#forget(streamId);
    await pending;
    this.#wakeReaders(streamId);
  }

  async check(lastEventId: string): Promise<ReplayVerdict> {
    const parsed = parseEventId(lastEventId);
    if (parsed === undefined) return 'malformed';
    return (await this.#run('slCheck', parsed.streamId, parsed.seq, this.#clock.now(), this.#limits.maxAgeMs)) as ReplayVerdict;
  }

  streamOf(eventId: string): string | undefined {
    return parseEventId(eventId)?.streamId;
  }

  async lastEventId(streamId: string): Promise<string | undefined> {
    const entries = await this.#link.commands.xrevrange(`${this.#key}:e:${streamId}`, '+', '-', 'COUNT', 1);
    const id = entries[0]?.[0];
    return id === undefined ? undefined : eventIdOf(streamId, Number(id.slice(id.indexOf('-') + 1)));
  }

  cursor(streamId: string, afterEventId: string | undefined): LogCursor {
    return new RedisCursor(this, streamId, afterEventId === undefined ? '' : String(parseEventId(afterEventId)?.seq ?? -1));
  }

  pressure(streamId: string): StreamPressure {
    const view = this.#view(streamId);
    const isFull = (v: View) => this.#isFull(v);
    return {
      get full() {
        return !view.ended && isFull(view);
      },
      get unreadBytes() {
        return view.unreadBytes;
      },
      room: async () => {
        const cuts = view.cuts;
        while (!view.ended && view.cuts === cuts && this.#isFull(view)) await this.#waitOn(view, streamId);
      },
      stalledFor: () => (view.fullSince === undefined || !this.#isFull(view) ? 0 : this.#clock.now() - view.fullSince),
      cut: (reason: string) => {
        const pending = this.#run('slCut', streamId, reason);
        view.cuts++;
        wake(view);
        this.#wakeReaders(streamId);
        pending.catch(() => {});
      },
    };
  }

  async clear(): Promise<void> {
    const pending = this.#run('slClear');
    for (const streamId of [...this.#views.keys()]) this.#forget(streamId);
    await pending;
    for (const streamId of [...this.#readers.keys()]) this.#wakeReaders(streamId);
  }

  // --- for cursors ---------------------------------------------------------

  /** One round trip: the stream's state and up to a batch of events after `after` ('' = its start). */
  async read(streamId: string, after: string, count = READ_BATCH): Promise<ReadResult> {
    const reply = (await this.#run('slRead', streamId, after, count)) as Array<string | number>;
    if (reply[0] !== 'ok') return { gone: true, ended: false, cuts: 0, why: '', evicted: 0, last: 0, after: 0, events: [] };
    const events: Array<{ seq: number; data: string }> = [];
    for (let i = 7; i < reply.length; i += 2) events.push({ seq: Number(reply[i]), data: String(reply[i + 1]) });
    const [, ended, cuts, why, evicted, last, start] = reply;
    return { gone: false, ended: Number(ended) === 1, cuts: Number(cuts), why: String(why), evicted: Number(evicted), last: Number(last), after: Number(start), events };
  }

  /** A reader passed `seq` on: the stream's unread part shrinks, here and for its producer wherever it runs. */
  delivered(streamId: string, seq: number): void {
    const pending = this.#run('slDeliver', streamId, seq, this.#keepDelivered ? 1 : 0);
    const view = this.#views.get(streamId);
    if (view !== undefined) {
      // The producer is here: its view changes at once (the script's answer confirms it).
      let passed: { n: number; c: number } | undefined;
      while (view.unread.peek() !== undefined && view.unread.peek()!.seq <= seq) passed = view.unread.shift();
      if (passed !== undefined) {
        view.unreadBytes = Math.max(0, view.appendedC - passed.c);
        view.unreadCount = Math.max(0, view.appendedN - passed.n);
        this.#afterDelivery(view);
      }
    }
    pending.then(
      (snapshot) => {
        const current = this.#views.get(streamId);
        if (current !== undefined && typeof snapshot === 'string') this.#onSnapshot(current, snapshot);
      },
      () => {},
    );
  }

  /** Counts changes seen on a stream: a cursor notes it before a read, and a wait returns at once if it moved since. */
  changeMark(streamId: string): number {
    return this.#follows.get(streamId)?.changes ?? 0;
  }

  /**
   * A cursor follows a stream while it lives: one subscription per stream
   * and node, however many cursors; once it stands, followers re-read (what
   * was published before it was not heard).
   */
  follow(streamId: string): () => void {
    let follow = this.#follows.get(streamId);
    if (follow === undefined) {
      const created: Follow = { followers: 0, changes: 0, unwatch: () => {}, unreconnect: () => {} };
      this.#follows.set(streamId, (follow = created));
      const changed = () => this.#wakeReaders(streamId);
      created.unwatch = this.#link.watch(this.#channel(streamId), changed, changed);
      created.unreconnect = this.#link.onReconnect(changed);
    }
    follow.followers++;
    const current = follow;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--current.followers > 0 || this.#follows.get(streamId) !== current) return;
      this.#follows.delete(streamId);
      current.unwatch();
      current.unreconnect();
    };
  }

  /** Waits until the stream changed after `mark` (an append, an end, a cut, a reconnect), or a re-read is due. */
  waitForChange(streamId: string, mark: number, abort: { wake?: () => void }): Promise<void> {
    if (this.changeMark(streamId) !== mark) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let readers = this.#readers.get(streamId);
      if (readers === undefined) this.#readers.set(streamId, (readers = new Set()));
      const done = () => {
        clearTimeout(timer);
        readers!.delete(done);
        if (readers!.size === 0 && this.#readers.get(streamId) === readers) this.#readers.delete(streamId);
        abort.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, REREAD_MS);
      readers.add(done);
      abort.wake = done;
    });
  }

  // --- producer views ------------------------------------------------------

  #channel(streamId: string): string {
    return `${this.#key}:w:${streamId}`;
  }

  /** The view of a stream, made on first use; `fetch` reads its state (a stream this node has not appended to yet). */
  #view(streamId: string, fetch = true): View {
    let view = this.#views.get(streamId);
    if (view !== undefined) return view;
    view = {
      unreadBytes: 0,
      unreadCount: 0,
      cuts: 0,
      ended: false,
      version: -1,
      fullSince: undefined,
      unread: new Deque(),
      appendedN: 0,
      appendedC: 0,
      waiters: [],
      unwatch: () => {},
      ready: Promise.resolve(),
    };
    const created = view;
    this.#views.set(streamId, view);
    view.unwatch = this.#link.watch(this.#channel(streamId), (message) => this.#onSnapshot(created, message));
    if (fetch) {
      view.ready = this.#run('slState', streamId).then(
        (snapshot) => this.#onSnapshot(created, String(snapshot)),
        () => {},
      );
    }
    return view;
  }

  #isFull(view: View): boolean {
    return view.unreadBytes >= this.#highWaterBytes || view.unreadCount >= this.#highWaterEvents;
  }

  #onSnapshot(view: View, message: string): void {
    if (message === 'x') {
      view.ended = true;
      wake(view);
      return;
    }
    const [unreadBytes, unreadCount, cuts, ended, version, delivered] = message.split(' ').map(Number) as number[];
    while (view.unread.peek() !== undefined && view.unread.peek()!.seq <= delivered!) view.unread.shift();
    this.#apply(view, { unreadBytes: unreadBytes!, unreadCount: unreadCount!, cuts: cuts!, ended: ended === 1, version: version! });
  }

  /** Takes a snapshot newer than what the view holds. */
  #apply(view: View, state: { unreadBytes: number; unreadCount: number; cuts: number; ended: boolean; version: number }): void {
    if (state.version <= view.version) return;
    const cutNow = state.cuts > view.cuts;
    view.version = state.version;
    view.unreadBytes = state.unreadBytes;
    view.unreadCount = state.unreadCount;
    view.cuts = Math.max(view.cuts, state.cuts);
    view.ended ||= state.ended;
    if (cutNow || view.ended) wake(view);
    this.#afterDelivery(view);
  }

  #afterDelivery(view: View): void {
    if (this.#isFull(view)) view.fullSince ??= this.#clock.now();
    else {
      view.fullSince = undefined;
      wake(view);
    }
  }

  /** Parks a producer until the view changes, a re-read is due (it then refreshes the view) or the link is back. */
  async #waitOn(view: View, streamId: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const woken = await new Promise<boolean>((resolve) => {
      view.waiters.push(() => resolve(true));
      timer = setTimeout(() => resolve(false), REREAD_MS);
    });
    clearTimeout(timer);
    if (woken) return;
    // No word for a while (a wake-up lost with the link): read the state instead.
    const snapshot = await this.#run('slState', streamId).catch(() => undefined);
    if (typeof snapshot === 'string') this.#onSnapshot(view, snapshot);
  }

  #forget(streamId: string): void {
    const view = this.#views.get(streamId);
    if (view === undefined) return;
    this.#views.delete(streamId);
    view.ended = true;
    view.unwatch();
    wake(view);
  }

  #wakeReaders(streamId: string): void {
    const follow = this.#follows.get(streamId);
    if (follow !== undefined) follow.changes++;
    for (const wakeReader of [...(this.#readers.get(streamId) ?? [])]) wakeReader();
  }
}

interface Follow {
  followers: number;
  changes: number;
  unwatch: () => void;
  unreconnect: () => void;
}

interface ReadResult {
  readonly gone: boolean;
  readonly ended: boolean;
  readonly cuts: number;
  readonly why: string;
  readonly evicted: number;
  readonly last: number;
  /** The position read after (the stream's start for a cursor from the start). */
  readonly after: number;
  readonly events: Array<{ seq: number; data: string }>;
}

/** A cursor: reads a batch per round trip, hands events out one at a time. */
class RedisCursor implements LogCursor {
  readonly #log: RedisEventLog;
  readonly #streamId: string;
  /** Issued at creation, so that the cut epoch and the start are those of now. */
  #pending: Promise<ReadResult> | undefined;
  #after: string;
  #epoch: number | undefined;
  #buffer: Array<{ seq: number; data: string }> = [];
  #closed = false;
  /** With a graceful close: the newest seq at the time of the close (read then, in order with the appends). */
  #closeAt: Promise<number> | undefined;
  readonly #waiting: { wake?: () => void } = {};
  readonly #unfollow: () => void;
  #mark: number;

  constructor(log: RedisEventLog, streamId: string, after: string) {
    this.#log = log;
    this.#streamId = streamId;
    this.#after = after;
    this.#unfollow = log.follow(streamId);
    this.#mark = log.changeMark(streamId);
    this.#pending = log.read(streamId, after);
    this.#pending.catch(() => {});
  }

  async next(): Promise<LogEvent | undefined> {
    try {
      const event = await this.#next();
      if (event === undefined) this.#unfollow();
      return event;
    } catch (error) {
      this.#unfollow();
      throw error;
    }
  }

  async #next(): Promise<LogEvent | undefined> {
    for (;;) {
      if (this.#closed) return undefined;
      const closeAt = this.#closeAt === undefined ? undefined : await this.#closeAt;
      const buffered = this.#buffer.shift();
      if (buffered !== undefined) {
        if (closeAt !== undefined && buffered.seq > closeAt) return undefined;
        this.#after = String(buffered.seq);
        return { id: eventIdOf(this.#streamId, buffered.seq), data: textEncoder.encode(buffered.data) };
      }
      if (this.#pending === undefined) this.#mark = this.#log.changeMark(this.#streamId);
      const pending = this.#pending ?? this.#log.read(this.#streamId, this.#after);
      this.#pending = undefined;
      const result = await pending;
      if (this.#closed) return undefined;
      if (result.gone) {
        if (closeAt !== undefined) return undefined; // the session ended while the connection was closing
        throw new EventsLostError(this.#streamId);
      }
      this.#epoch ??= result.cuts;
      if (result.cuts > this.#epoch) throw new CursorCutError(result.why);
      if (result.after < result.evicted) throw new EventsLostError(this.#streamId);
      this.#after = String(result.after);
      this.#buffer = result.events;
      if (this.#buffer.length > 0) continue;
      if (closeAt !== undefined) return undefined;
      if (result.ended) return undefined;
      await this.#log.waitForChange(this.#streamId, this.#mark, this.#waiting);
    }
  }

  delivered(eventId: string): void {
    const seq = parseEventId(eventId)?.seq;
    if (seq !== undefined) this.#log.delivered(this.#streamId, seq);
  }

  close(options?: { readonly afterCurrent?: boolean }): void {
    if (options?.afterCurrent === true && !this.#closed) {
      // What was read ahead is read again after the close: the stream may be gone by then (the session ended).
      this.#buffer = [];
      this.#pending = undefined;
      this.#closeAt ??= this.#log.read(this.#streamId, '', 0).then(
        (result) => result.last,
        () => 0,
      );
    } else {
      this.#closed = true;
      this.#unfollow();
    }
    this.#waiting.wake?.();
  }
}

function wake(view: View): void {
  const waiters = view.waiters;
  view.waiters = [];
  for (const resolve of waiters) resolve();
}
