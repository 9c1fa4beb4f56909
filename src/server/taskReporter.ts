/**
 * What a running task tells its store, coalesced: the latest progress and
 * checkpoint are written at most every `intervalMs`, one write at a time, in
 * order; a checkpoint goes out at once (it is what a restart continues from).
 * A write the store refuses means the task no longer runs here (fenced: another
 * node took it over, or it ended): `onFenced` hears it once.
 *
 * @module
 */
import type { Clock, TimerHandle } from '../flow/clock.js';
import type { TaskProgress, TaskReport } from '../stores/taskStore.js';

export type ReportWriter = (report: TaskReport) => Promise<boolean>;

export class TaskReporter {
  readonly #write: ReportWriter;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  readonly #onFenced: () => void;
  #pending: { checkpoint?: string; progress?: TaskProgress; statusMessage?: string } = {};
  #dirty = false;
  #timer: TimerHandle | undefined;
  #lastWrite = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | undefined;
  #fenced = false;

  constructor(write: ReportWriter, clock: Clock, intervalMs: number, onFenced: () => void) {
    this.#write = write;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
    this.#onFenced = onFenced;
  }

  progress(progress: TaskProgress): void {
    this.#pending.progress = progress;
    this.#pending.statusMessage = describe(progress);
    this.#schedule(false);
  }

  checkpoint(token: string): void {
    this.#pending.checkpoint = token;
    this.#schedule(true);
  }

  /** Writes what is pending now and resolves when every write is done. */
  async flush(): Promise<void> {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#inFlight !== undefined || this.#dirty) {
      if (this.#inFlight === undefined) this.#start();
      await this.#inFlight;
    }
  }

  #schedule(now: boolean): void {
    if (this.#fenced) return;
    this.#dirty = true;
    if (this.#inFlight !== undefined) return; // written when the one in flight is done
    const wait = now ? 0 : this.#lastWrite + this.#intervalMs - this.#clock.now();
    if (wait <= 0) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#start();
    } else {
      this.#timer ??= this.#clock.setTimeout(() => {
        this.#timer = undefined;
        if (this.#inFlight === undefined) this.#start();
      }, wait);
    }
  }

  #start(): void {
    const report = this.#pending;
    this.#pending = {};
    this.#dirty = false;
    this.#lastWrite = this.#clock.now();
    this.#inFlight = this.#write(report).then(
      (kept) => this.#done(kept),
      () => this.#done(true), // the store is unreachable: the next write tries again
    );
  }

  #done(kept: boolean): void {
    this.#inFlight = undefined;
    if (!kept && !this.#fenced) {
      this.#fenced = true;
      this.#dirty = false;
      this.#onFenced();
      return;
    }
    if (this.#dirty && this.#timer === undefined) this.#schedule(this.#pending.checkpoint !== undefined);
  }
}

/** A status message from progress: `42/100 (42 %) · message`. */
export function describe(progress: TaskProgress): string {
  const { progress: done, total, message } = progress;
  const count = total === undefined ? `${done}` : `${done}/${total} (${Math.floor((done / total) * 100)} %)`;
  return message === undefined || message === '' ? count : `${count} · ${message}`;
}
