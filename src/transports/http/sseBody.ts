/**
 * An SSE response body that is a cursor on a stream log: sluice frames its
 * own events. Pull-based (high-water mark 0): the Node adapter pulls the next
 * event only after the socket took the previous one, so an event counts as
 * delivered exactly when the next pull comes, and a slow socket leaves
 * everything else unread in the log, where the producers' high-water mark
 * sees it.
 *
 * Frames: `event: message`, `id:` when the stream is resumable, `data:` the
 * message; a priming event (empty data) carries `retry:`. A keepalive comment
 * goes out on each `keepAliveMs` tick that finds the body waiting for an
 * event (one interval per body, not a timer per event). The body ends when the log
 * says the stream ended; it errors (and the adapter cuts the connection) when
 * the cursor is cut or its events were lost.
 *
 * @module
 */
import type { StreamTracker } from '../../server/activity.js';
import type { LogCursor, LogEvent } from '../../stores/eventLog.js';

export interface SseBodyOptions {
  /** Whether events carry `id:` lines (resumable 2025 streams). */
  readonly withIds: boolean;
  /** `retry:` hint of a priming event (ms). */
  readonly retryMs: number;
  /** Keepalive comment interval while the body waits for events (ms, 0 = off). */
  readonly keepAliveMs: number;
  /** Called once when the body is done: `ended` (the stream ended), `cancelled` (the client left) or `failed`. */
  readonly onDone?: (how: 'ended' | 'cancelled' | 'failed') => void;
  /** Told of every event sent and of the body's end (`server/activity.ts`). */
  readonly tracker?: StreamTracker;
  /** On a resumption: the newest event when it was opened; events up to it count as replays. */
  readonly replayThrough?: string;
}

const encoder = new TextEncoder();
const KEEPALIVE = encoder.encode(': keepalive\n\n');
const DATA_END = encoder.encode('\n\n');

/** The SSE frame of one event, as bytes. */
export function frameEvent(event: LogEvent, options: Pick<SseBodyOptions, 'withIds' | 'retryMs'>): Uint8Array {
  if (event.data.length === 0) return encoder.encode(`id: ${event.id}\nretry: ${options.retryMs}\ndata: \n\n`);
  const head = encoder.encode(options.withIds ? `event: message\nid: ${event.id}\ndata: ` : 'event: message\ndata: ');
  const frame = new Uint8Array(head.length + event.data.length + DATA_END.length);
  frame.set(head, 0);
  frame.set(event.data, head.length);
  frame.set(DATA_END, head.length + event.data.length);
  return frame;
}

export function sseBody(cursor: LogCursor, options: SseBodyOptions): ReadableStream<Uint8Array> {
  let pendingId: string | undefined;
  let waiting: Promise<LogEvent | undefined> | undefined;
  let done = false;
  let replaying = options.replayThrough !== undefined;
  // One interval per body, not a timer per event: a tick while the body waits for an event sends a comment.
  let keepaliveDue: (() => void) | undefined;
  const timer = options.keepAliveMs > 0 ? setInterval(() => keepaliveDue?.(), options.keepAliveMs) : undefined;
  timer?.unref?.();
  const finish = (how: 'ended' | 'cancelled' | 'failed') => {
    if (done) return;
    done = true;
    clearInterval(timer);
    keepaliveDue?.();
    cursor.close();
    options.tracker?.close();
    options.onDone?.(how);
  };
  /** Reads ahead one event, so a cut or a loss errors the body even while the socket is parked on drain. */
  const readAhead = (controller: ReadableStreamDefaultController<Uint8Array>) => {
    waiting = cursor.next();
    waiting.catch((error: unknown) => {
      if (done) return;
      finish('failed');
      controller.error(error);
    });
  };
  const nextOrKeepalive = (next: Promise<LogEvent | undefined>): Promise<LogEvent | undefined | typeof KEEPALIVE_DUE> => {
    if (timer === undefined) return next;
    const due = new Promise<typeof KEEPALIVE_DUE>((resolve) => (keepaliveDue = () => resolve(KEEPALIVE_DUE)));
    return Promise.race([next, due]).finally(() => (keepaliveDue = undefined));
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        // This pull means the socket took the last event.
        if (pendingId !== undefined) cursor.delivered(pendingId);
        pendingId = undefined;
        try {
          waiting ??= cursor.next();
          const event = await nextOrKeepalive(waiting);
          if (done) return;
          if (event === KEEPALIVE_DUE) {
            controller.enqueue(KEEPALIVE);
            return;
          }
          waiting = undefined;
          if (event === undefined) {
            finish('ended');
            controller.close();
            return;
          }
          pendingId = event.id;
          const frame = frameEvent(event, options);
          options.tracker?.sent(frame.length);
          if (replaying) {
            options.tracker?.replayed();
            replaying = event.id !== options.replayThrough;
          }
          controller.enqueue(frame);
          readAhead(controller);
        } catch (error) {
          if (done) return;
          finish('failed');
          controller.error(error);
        }
      },
      cancel() {
        finish('cancelled');
      },
    },
    { highWaterMark: 0 },
  );
}

const KEEPALIVE_DUE = Symbol('keepalive');

/** Headers of every SSE answer. */
export function sseHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...extra,
  });
}
