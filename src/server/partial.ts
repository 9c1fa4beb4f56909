/**
 * Partial results (SEP-2998): streamed output of a running tool call.
 *
 * A call opts in when its `_meta` carries a `partialResultToken` and its client
 * declared the `partialResults` capability (per request on 2026-07-28; at
 * initialize on 2025-era connections, as seen by sluice's transports). It
 * then receives `notifications/tools/partial_result` with `seq` from 0, in
 * order. `partial()` resolves when the transport accepted the notification:
 * a producer that awaits it is held back by a slow client.
 *
 * Other clients see the latest line in progress messages instead: attached to
 * the tool's own progress, or, while a tool reports no progress of its own,
 * as progress counting the chunks so far. The final result stays complete and
 * authoritative either way.
 *
 * @module
 */
import type { ContentBlock } from '@modelcontextprotocol/server';
import { BoundedQueue, type OverflowPolicy } from '../flow/boundedQueue.js';
import type { StreamPressure } from './outbound.js';
import { Method } from '../protocol/wire.js';

/**
 * What happens to a partial result when the client reads too slowly for the
 * stream to take it (the unread part of its stream log is at the high-water mark):
 * - `block`: `partial()` waits for room, holding the producer back (default);
 * - `drop-newest`: the new chunk is dropped;
 * - `drop-oldest`: chunks queue (up to {@link PARTIAL_QUEUE_LIMIT}); the oldest queued chunk goes;
 * - `coalesce-latest`: only the newest waiting chunk is kept.
 * With the last three the producer never waits. Dropped chunks leave gaps in
 * `seq`; the final result is complete either way.
 */
export type PartialPolicy = OverflowPolicy;

/** Chunks a non-blocking policy queues while the stream is full. */
export const PARTIAL_QUEUE_LIMIT = 16;

/** What a tool passes to `partial()`: text, or content blocks. */
export type PartialContent = string | ContentBlock[];

export type SendNotification = (notification: { method: string; params: Record<string, unknown> }) => Promise<void>;

export interface PartialFallback {
  /** The latest line, for progress messages. */
  setLatestLine(line: string): void;
  /** Reports chunk-counting progress (only used while the tool reports none itself). */
  chunkProgress(chunks: number, line: string): void;
}

export class PartialEmitter {
  readonly #token: string | number | undefined;
  readonly #send: SendNotification;
  readonly #fallback: PartialFallback;
  #seq = 0;
  #chunks = 0;
  #chain: Promise<void> = Promise.resolve();
  #done = false;
  readonly #pressure: StreamPressure | undefined;
  readonly #policy: PartialPolicy;
  /** Chunks waiting for room under a non-blocking policy. */
  readonly #queue: BoundedQueue<{ method: string; params: Record<string, unknown> }>;
  #draining = false;
  /** The call was cancelled: chunks still waiting for room are never sent. */
  #cancelled = false;

  /**
   * @param token - the call's partial-result token when it opted in, else `undefined` (fallback mode).
   * @param pressure - the pressure of the stream the call writes to: each chunk waits for room under its high-water mark.
   * @param policy - what a full stream does to new chunks. @defaultValue 'block'
   */
  constructor(
    token: string | number | undefined,
    send: SendNotification,
    fallback: PartialFallback,
    pressure?: StreamPressure,
    policy: PartialPolicy = 'block',
  ) {
    this.#token = token;
    this.#send = send;
    this.#fallback = fallback;
    this.#pressure = pressure;
    this.#policy = policy;
    // drop-newest queues nothing: while the stream is full, a new chunk is the one that goes.
    this.#queue = new BoundedQueue(policy === 'drop-newest' ? 0 : PARTIAL_QUEUE_LIMIT, policy);
  }

  /** What a full stream does to new chunks. */
  get policy(): PartialPolicy {
    return this.#policy;
  }

  /** Chunks dropped by the policy so far. */
  get dropped(): number {
    return this.#queue.dropped;
  }

  get optedIn(): boolean {
    return this.#token !== undefined;
  }

  /** Chunks emitted so far. */
  get chunks(): number {
    return this.#chunks;
  }

  emit(content: PartialContent, structuredContent?: unknown): Promise<void> {
    if (this.#done) return Promise.resolve();
    const blocks: ContentBlock[] = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
    this.#chunks++;
    if (this.#token === undefined) {
      const line = latestLine(blocks);
      if (line !== undefined) {
        this.#fallback.setLatestLine(line);
        this.#fallback.chunkProgress(this.#chunks, line);
      }
      return Promise.resolve();
    }
    const params: Record<string, unknown> = {
      partialResultToken: this.#token,
      seq: this.#seq++,
      content: blocks,
      ...(structuredContent !== undefined && { structuredContent }),
    };
    const notification = { method: Method.PartialResultNotification, params };
    const pressure = this.#pressure;
    if (pressure !== undefined && this.#policy !== 'block' && (pressure.full || this.#queue.length > 0)) {
      return this.#enqueueWithPolicy(notification);
    }
    // Strictly one after another: seq order is wire order. Each waits for room on a slow stream.
    this.#chain = this.#chain
      .then(() => this.#sendWithRoom(notification))
      .catch(() => {
        // The stream is gone; the final result (or the cancellation) tells the rest.
      });
    return this.#chain;
  }

  async #sendWithRoom(notification: { method: string; params: Record<string, unknown> }): Promise<void> {
    await this.#pressure?.room();
    if (this.#cancelled) return;
    await this.#send(notification);
  }

  /** Non-blocking policies: queue, drop or coalesce, and resolve at once. */
  #enqueueWithPolicy(notification: { method: string; params: Record<string, unknown> }): Promise<void> {
    if (!this.#queue.offer(notification)) return Promise.resolve(); // drop-newest: this one goes
    if (!this.#draining) {
      this.#draining = true;
      this.#chain = this.#chain.then(() => this.#drain());
    }
    return Promise.resolve();
  }

  /** Sends queued chunks as room appears, oldest first, until the queue is empty. */
  async #drain(): Promise<void> {
    try {
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        await this.#sendWithRoom(next).catch(() => {});
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Waits for every partial already emitted (queued ones included), then stops (before the result, or on cancellation). */
  async finish(): Promise<void> {
    this.#done = true;
    await this.#chain;
  }

  /** Stops at once, dropping queued chunks (the call was cancelled). */
  cancel(): void {
    this.#done = true;
    this.#cancelled = true;
    this.#queue.clear();
  }
}

function latestLine(blocks: readonly ContentBlock[]): string | undefined {
  for (let i = blocks.length - 1; i >= 0; i--) {
    const block = blocks[i]!;
    if (block.type === 'text') {
      const lines = block.text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) return lines.at(-1)!.slice(0, 500);
    }
  }
  return undefined;
}
