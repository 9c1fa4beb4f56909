/**
 * Reading what a numbered script (`test/fixtures/scripts/numbered.mjs`)
 * streams as partial results over SSE, across reconnections, and checking
 * that every line arrived once, in order.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';

/** Lines the script wrote so far (0 before it started). */
export const written = (file: string) => (existsSync(file) ? Number(readFileSync(file, 'utf8') || 0) : 0);
export const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `read()` stops changing for `quietMs` (the producer is held), up to `limitMs`. */
export async function settles(read: () => number, quietMs: number, limitMs: number): Promise<number> {
  const deadline = Date.now() + limitMs;
  let last = read();
  let since = Date.now();
  while (Date.now() < deadline) {
    await pause(50);
    const now = read();
    if (now !== last) [last, since] = [now, Date.now()];
    else if (Date.now() - since >= quietMs) return now;
  }
  throw new Error(`still moving after ${limitMs} ms (${last})`);
}

/** An SSE reader that keeps the numbered lines of partial results, the last event id and the result. */
export class PartialReader {
  readonly numbers: number[] = [];
  readonly seqs: number[] = [];
  lastEventId: string | undefined;
  result: Record<string, unknown> | undefined;
  bytes = 0;
  #buffer = '';
  readonly #decoder = new TextDecoder();

  /** A new connection: whatever the last one cut off midway is discarded (it is sent again). */
  reconnect(): void {
    this.#buffer = '';
  }

  feed(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    for (let end = this.#buffer.indexOf('\n\n'); end !== -1; end = this.#buffer.indexOf('\n\n')) {
      const event = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      this.#event(event);
    }
  }

  #event(event: string): void {
    const id = /^id: (.*)$/m.exec(event)?.[1];
    const data = /^data: (.*)$/m.exec(event)?.[1];
    if (data === undefined || data.trim() === '') {
      if (id !== undefined) this.lastEventId = id;
      return;
    }
    const message = JSON.parse(data) as { method?: string; params?: { seq: number; content: Array<{ text: string }> }; result?: Record<string, unknown> };
    if (message.method === 'notifications/tools/partial_result') {
      this.seqs.push(message.params!.seq);
      for (const line of message.params!.content[0]!.text.split('\n')) if (line !== '') this.numbers.push(Number(line.slice(0, line.indexOf(' '))));
    } else if (message.result !== undefined && 'content' in message.result) this.result = message.result; // the call's, not initialize's
    if (id !== undefined) this.lastEventId = id;
  }
}

export function assertExactlyOnce(reader: PartialReader, lines: number): void {
  assert.equal(reader.numbers.length, lines, `every line once (${reader.numbers.length} of ${lines})`);
  assert.ok(reader.numbers.every((n, i) => n === i), 'in order, none twice');
  assert.ok(reader.seqs.every((s, i) => s === i), 'partial seq 0, 1, 2, … without a gap or a repeat');
}

