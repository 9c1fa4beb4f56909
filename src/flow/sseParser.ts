/**
 * Server-sent events parser: a pure state machine (after the WHATWG
 * event-stream rules, as eventsource-parser does it). Feed it text in chunks
 * split anywhere; it calls `onEvent` for every complete event and
 * `onRetry` for `retry:` fields. Comments (`:` lines) are ignored.
 *
 * The pending line is bounded: a line longer than `maxLineChars` is an error
 * (reported once through `onError`, then the stream is ignored), so a hostile
 * server cannot grow client memory with an endless line.
 *
 * @module
 */

export interface SseEvent {
  /** The `id:` of the event, if it had one. */
  readonly id: string | undefined;
  /** The `event:` name; `message` when absent. */
  readonly event: string;
  /** The `data:` lines joined with `\n`. */
  readonly data: string;
}

export interface SseParserCallbacks {
  onEvent(event: SseEvent): void;
  onRetry?(ms: number): void;
  onError?(error: Error): void;
}

export class SseParser {
  readonly #callbacks: SseParserCallbacks;
  readonly #maxLineChars: number;
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];
  #sawField = false;
  #failed = false;
  /** A chunk ended with `\r`: a following `\n` belongs to the same line break. */
  #skipLeadingLf = false;

  constructor(callbacks: SseParserCallbacks, maxLineChars = 16 * 1024 * 1024) {
    this.#callbacks = callbacks;
    this.#maxLineChars = maxLineChars;
  }

  feed(chunk: string): void {
    if (this.#failed || chunk === '') return;
    if (this.#skipLeadingLf && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.#skipLeadingLf = false;
    const text = this.#buffer + chunk;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      this.#line(text.slice(start, i));
      if (c === 13) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 10) i++;
        } else {
          this.#skipLeadingLf = true;
        }
      }
      start = i + 1;
    }
    this.#buffer = text.slice(start);
    if (this.#buffer.length > this.#maxLineChars) {
      this.#failed = true;
      this.#buffer = '';
      this.#callbacks.onError?.(new Error(`SSE line longer than ${this.#maxLineChars} characters`));
    }
  }

  /** Forgets a partial event (e.g. after a reconnect). */
  reset(): void {
    this.#buffer = '';
    this.#event = '';
    this.#data = [];
    this.#sawField = false;
    this.#failed = false;
    this.#skipLeadingLf = false;
  }

  #line(line: string): void {
    if (line === '') {
      this.#dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#sawField = true;
        break;
      case 'event':
        this.#event = value;
        this.#sawField = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        this.#sawField = true;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#callbacks.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  #dispatch(): void {
    if (this.#sawField) {
      this.#callbacks.onEvent({ id: this.#id, event: this.#event === '' ? 'message' : this.#event, data: this.#data.join('\n') });
    }
    this.#event = '';
    this.#data = [];
    this.#sawField = false;
  }
}
