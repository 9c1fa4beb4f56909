/**
 * Progress reporter: the timed adapter around the pure {@link ProgressThrottle}.
 *
 * It owns the one timer that releases a coalesced update when its window
 * opens, sends notifications strictly one after another (each awaits the
 * previous, so they reach the wire in order), and turns into a no-op once the
 * request is cancelled or finished: never an exception for those.
 *
 * Heartbeat: when `heartbeatMs` passes with nothing sent, it sends one
 * update itself, a hair above the last value (the spec's rule: progress
 * strictly increases), with a message saying the call is still running. Some
 * clients (Claude Code) reset their timeout only on progress and abandon a
 * long call that prints nothing; keepalive comments do not count for them.
 *
 * @module
 */
import { BoundedQueue } from '../flow/boundedQueue.js';
import { type Clock, systemClock, type TimerHandle } from '../flow/clock.js';
import { formatDuration } from '../flow/formatDuration.js';
import { ProgressThrottle, type ProgressUpdate } from '../flow/progressThrottle.js';

/** Sends one progress update on the wire. May reject (e.g. the stream closed); rejections are swallowed. */
export type SendProgress = (update: ProgressUpdate) => Promise<void>;

export class ProgressReporter {
  readonly #throttle: ProgressThrottle;
  readonly #send: SendProgress | undefined;
  readonly #clock: Clock;
  #timer: TimerHandle | undefined;
  #chain: Promise<void> = Promise.resolve();
  #inFlight = false;
  /** The newest update waiting while a send is in flight (coalesce-latest under backpressure). */
  readonly #queued = new BoundedQueue<ProgressUpdate>(1, 'coalesce-latest');
  #done = false;
  #sent = 0;
  #fallbackMessage: string | undefined;
  #ownProgress = false;
  /** The tool's own latest total, kept on heartbeats. */
  #total: number | undefined;
  #heartbeats = 0;
  readonly #heartbeatMs: number;
  readonly #startedAt: number;
  #lastSentAt: number;
  #heartbeatTimer: TimerHandle | undefined;

  /**
   * @param send - how to send an update; `undefined` when the request carried no progress token (every call is a no-op).
   * @param perSecond - throttle rate; 0 = unthrottled.
   * @param heartbeatMs - silence after which a heartbeat update goes out; 0 = off.
   */
  constructor(send: SendProgress | undefined, perSecond: number, clock: Clock = systemClock, heartbeatMs: number = 0) {
    this.#throttle = new ProgressThrottle(perSecond);
    this.#send = send;
    this.#clock = clock;
    this.#heartbeatMs = heartbeatMs;
    this.#startedAt = clock.now();
    this.#lastSentAt = this.#startedAt;
    if (send !== undefined && heartbeatMs > 0) this.#armHeartbeat(heartbeatMs);
  }

  /** Heartbeat updates sent so far. */
  get heartbeats(): number {
    return this.#heartbeats;
  }

  /** Updates sent so far. */
  get sent(): number {
    return this.#sent;
  }

  /** Reports progress; values that do not increase are ignored. */
  report(update: ProgressUpdate): void {
    this.#ownProgress = true;
    if (update.total !== undefined) this.#total = update.total;
    this.#offer(update.message === undefined && this.#fallbackMessage !== undefined ? { ...update, message: this.#fallbackMessage } : update);
  }

  /** A message for progress updates that carry none (the latest partial line, for clients without partial results). */
  setFallbackMessage(message: string): void {
    this.#fallbackMessage = message;
  }

  /** Progress counting output chunks, used only while the tool has reported no progress of its own. */
  reportChunk(chunks: number, message: string): void {
    if (!this.#ownProgress) this.#offer({ progress: chunks, message });
  }

  #offer(update: ProgressUpdate): void {
    if (this.#done || this.#send === undefined) return;
    const outcome = this.#throttle.offer(update, this.#clock.now());
    if (outcome.kind === 'send') {
      this.#enqueue(outcome.update);
    } else if (outcome.kind === 'held' && this.#timer === undefined) {
      this.#timer = this.#clock.setTimeout(() => this.#onTimer(), Math.max(0, outcome.flushAt - this.#clock.now()));
    }
  }

  /** Sends the last held value and waits until every update is on its way; then stops. Call before the result. */
  async finish(): Promise<void> {
    if (this.#done) return this.#chain;
    this.#clearTimer();
    const last = this.#throttle.flush(this.#clock.now());
    if (last !== undefined) this.#enqueue(last);
    this.#done = true;
    return this.#chain;
  }

  /** Stops without sending anything more (the request was cancelled). */
  cancel(): void {
    this.#done = true;
    this.#queued.clear();
    this.#clearTimer();
    this.#throttle.reset();
  }

  #armHeartbeat(delayMs: number): void {
    this.#heartbeatTimer = this.#clock.setTimeout(() => this.#onHeartbeat(), delayMs);
  }

  #onHeartbeat(): void {
    this.#heartbeatTimer = undefined;
    if (this.#done) return;
    const now = this.#clock.now();
    const silentFor = now - this.#lastSentAt;
    if (silentFor < this.#heartbeatMs || this.#inFlight || this.#throttle.hasPending) {
      // Something went out (or is about to) meanwhile: wait a full interval after it.
      this.#armHeartbeat(Math.max(1, this.#heartbeatMs - silentFor));
      return;
    }
    const high = this.#throttle.highWater;
    const base = Number.isFinite(high) ? high : 0;
    // Strictly above the last value, by a step too small to pass the tool's next real value.
    const progress = base + 1e-6 * Math.max(1, Math.abs(base));
    const total = this.#total;
    const message = `still running after ${formatDuration(Math.round(now - this.#startedAt))}; no new progress for ${formatDuration(Math.round(silentFor))}`;
    this.#heartbeats++;
    this.#offer({ progress, ...(total !== undefined && progress <= total && { total }), message });
    this.#armHeartbeat(this.#heartbeatMs);
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#done) return;
    const update = this.#throttle.due(this.#clock.now());
    if (update !== undefined) this.#enqueue(update);
    if (this.#throttle.hasPending) {
      // Fired a hair early: try again shortly.
      this.#timer = this.#clock.setTimeout(() => this.#onTimer(), 1);
    }
  }

  /**
   * Sends one update at a time. While a send is in flight (a slow client: the
   * transport is holding us back), newer updates replace each other and only
   * the latest goes next, so a stalled client costs one update of memory.
   */
  #enqueue(update: ProgressUpdate): void {
    if (this.#inFlight) {
      this.#queued.offer(update);
      return;
    }
    const send = this.#send!;
    this.#inFlight = true;
    this.#chain = (async () => {
      let next: ProgressUpdate | undefined = update;
      while (next !== undefined) {
        this.#sent++;
        this.#lastSentAt = this.#clock.now();
        try {
          await send(next);
        } catch {
          // The stream is gone (client left or request ended): progress is best effort.
        }
        next = this.#queued.shift();
      }
      this.#inFlight = false;
    })();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#heartbeatTimer !== undefined) {
      this.#clock.clearTimeout(this.#heartbeatTimer);
      this.#heartbeatTimer = undefined;
    }
  }
}
