/**
 * A script's stderr as MCP log messages: each line becomes one
 * `notifications/message` (through `ctx.log`, so only clients that set a log
 * level get it), rate-limited and bounded.
 *
 * Bounds: at most {@link DEFAULT_STDERR_LOG_LINES_PER_SECOND} lines a second
 * after a burst of {@link DEFAULT_STDERR_LOG_BURST_LINES}; one message in
 * flight at a time, with at most a burst's worth of lines waiting behind it
 * (beyond that a line is skipped: a client that takes nothing holds no more
 * than that); a line longer than
 * {@link DEFAULT_STDERR_LOG_LINE_CHARS} is cut; the unfinished last line is
 * held up to that length. Skipped lines are counted and the next message
 * says how many (`[N lines skipped] …`), as does a last note when the script
 * ends. The stderr tail in a failed result is kept apart and is unaffected.
 *
 * Level: a line that starts with `error`/`fatal`, `warn`/`warning` or `debug`
 * (any case, optionally in brackets) gets that level; any other line `info`.
 *
 * @module
 */
import { DEFAULT_STDERR_LOG_BURST_LINES, DEFAULT_STDERR_LOG_LINE_CHARS, DEFAULT_STDERR_LOG_LINES_PER_SECOND } from '../defaults.js';
import { TokenBucket } from '../flow/tokenBucket.js';
import type { LoggingLevel } from '../protocol/wire.js';

export type SendLog = (level: LoggingLevel, data: string) => Promise<void>;

export class StderrLog {
  readonly #send: SendLog;
  readonly #now: () => number;
  readonly #bucket = new TokenBucket(DEFAULT_STDERR_LOG_LINES_PER_SECOND, DEFAULT_STDERR_LOG_BURST_LINES);
  #partial = '';
  readonly #waiting: Array<{ level: LoggingLevel; data: string }> = [];
  #inFlight = false;
  #skipped = 0;
  #ended = false;

  constructor(send: SendLog, now: () => number) {
    this.#send = send;
    this.#now = now;
  }

  /** Decoded stderr text, as it comes. */
  feed(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop()!.slice(0, DEFAULT_STDERR_LOG_LINE_CHARS);
    for (const line of lines) this.#line(line.replace(/\r$/, ''));
  }

  /** The script ended: its unfinished last line goes, then a note of what was skipped since the last message. */
  end(): void {
    if (this.#partial !== '') this.#line(this.#partial);
    this.#partial = '';
    this.#ended = true;
    this.#noteSkipped();
  }

  #noteSkipped(): void {
    if (this.#skipped === 0 || this.#inFlight || this.#waiting.length > 0) return;
    this.#queue('notice', `[${this.#skipped} stderr lines skipped: more than ${DEFAULT_STDERR_LOG_LINES_PER_SECOND} a second, or the client was not taking them]`);
  }

  #line(line: string): void {
    if (line.trim() === '') return;
    if (this.#waiting.length >= DEFAULT_STDERR_LOG_BURST_LINES || !this.#bucket.take(this.#now())) {
      this.#skipped++;
      return;
    }
    const text = line.length > DEFAULT_STDERR_LOG_LINE_CHARS ? `${line.slice(0, DEFAULT_STDERR_LOG_LINE_CHARS)}…` : line;
    this.#queue(levelOf(line), this.#skipped > 0 ? `[${this.#skipped} lines skipped] ${text}` : text);
  }

  #queue(level: LoggingLevel, data: string): void {
    this.#skipped = 0;
    this.#waiting.push({ level, data });
    if (!this.#inFlight) this.#sendNext();
  }

  #sendNext(): void {
    const next = this.#waiting.shift();
    if (next === undefined) {
      if (this.#ended) this.#noteSkipped();
      return;
    }
    this.#inFlight = true;
    void this.#send(next.level, next.data)
      .catch(() => {})
      .finally(() => {
        this.#inFlight = false;
        this.#sendNext();
      });
  }
}

const LEVEL_PREFIX = /^\s*\[?(error|fatal|warn|warning|debug)\b/i;

/** The log level a stderr line asks for by its first word; `info` otherwise. */
export function levelOf(line: string): LoggingLevel {
  const word = LEVEL_PREFIX.exec(line)?.[1]?.toLowerCase();
  return word === 'error' || word === 'fatal' ? 'error' : word === 'warn' || word === 'warning' ? 'warning' : word === 'debug' ? 'debug' : 'info';
}
