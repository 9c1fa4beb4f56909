/**
 * What a script prints on stdout, sorted as it arrives: `::progress` lines
 * become progress; everything else is output, streamed as partial results,
 * kept inline up to a limit (head and tail beyond it) and, past the limit,
 * spooled byte for byte to `runs://ID/stdout`.
 *
 * Cost is O(1) per line whatever the inline limit: lines are found by the
 * byte scanner, the inline text is a head/tail buffer with an O(1) push, and
 * the spool receives the script's own bytes (no re-encoding).
 *
 * The inline text is sized for one message: a result whose encoded text
 * would not fit in {@link RESULT_TEXT_BUDGET_BYTES} is cut to a head and
 * tail that do (strict clients refuse larger SSE events).
 *
 * @module
 */
import type { ContentBlock } from '@modelcontextprotocol/server';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../defaults.js';
import { HeadTailBuffer } from '../flow/headTailBuffer.js';
import { LineScanner, type LineSegment } from '../flow/lineScanner.js';
import type { ProgressUpdate } from '../flow/progressThrottle.js';
import { parseCheckpointLine, parseProgressLine } from './progressLine.js';
import type { RunSpool, SpoolFile } from './spool.js';

/**
 * Bytes the text of a result may take once JSON-encoded: one message's worth
 * less room for the envelope, the error head and the link.
 */
export const RESULT_TEXT_BUDGET_BYTES = DEFAULT_MAX_MESSAGE_BYTES - 16 * 1024;

/** Both control lines (`::progress`, `::checkpoint`) start so; only such lines are decoded. */
const PREFIX = new TextEncoder().encode('::');
/** Decodes whole progress lines (no state between calls, so one serves every run). */
const lineDecoder = new TextDecoder();

export interface ScriptOutputOptions {
  /** Output bytes kept whole inline; beyond it the result is excerpted and the output spooled. */
  readonly inlineMaxBytes: number;
  readonly maxLineBytes: number;
  readonly spool: RunSpool | undefined;
  readonly onProgress: (update: ProgressUpdate) => void;
  /** A `::checkpoint TOKEN` line (the line is not output). */
  readonly onCheckpoint?: (token: string) => void;
}

export class ScriptOutput {
  readonly #options: ScriptOutputOptions;
  readonly #scanner: LineScanner;
  readonly #decoder = new TextDecoder();
  readonly #inline: HeadTailBuffer;
  #bytes = 0;
  /** Output bytes kept until the spool opens (at most the inline limit): the spool then starts from byte 0. */
  #kept: Uint8Array[] = [];
  #spooled: SpoolFile | undefined;
  #writes: Array<Promise<void>> = [];
  #chunkText = '';

  constructor(options: ScriptOutputOptions) {
    this.#options = options;
    // A result never carries more text than one message holds, so the head and tail never keep more
    // either: a larger inline limit only decides what is kept whole (in `#kept`), not what is joined.
    const half = Math.max(1, Math.floor(Math.min(options.inlineMaxBytes, RESULT_TEXT_BUDGET_BYTES) / 2));
    this.#inline = new HeadTailBuffer(half, half);
    this.#scanner = new LineScanner((segment) => this.#onSegment(segment), options.maxLineBytes);
  }

  /** Output bytes so far (progress lines excluded). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Feeds a stdout chunk; returns the spool writes to wait for before reading more. */
  feed(chunk: Uint8Array): Array<Promise<void>> {
    this.#scanner.feed(chunk);
    return this.#takeWrites();
  }

  /** The end of stdout: releases a last line without newline. */
  finish(): Array<Promise<void>> {
    this.#scanner.flush();
    const rest = this.#decoder.decode();
    this.#chunkText += rest;
    this.#inline.push(rest);
    return this.#takeWrites();
  }

  /** Output text since the last call (for a partial result). */
  takeChunkText(): string {
    const text = this.#chunkText;
    this.#chunkText = '';
    return text;
  }

  /** The result's text and, when the output was spooled, its link. Closes the spool file. */
  async result(tool: string): Promise<{ text: string; link: ContentBlock | undefined }> {
    const omitted = (n: number) => `\n… ${n} characters omitted${this.#spooled === undefined ? '' : `; the full output is at ${this.#spooled.uri}`} …\n`;
    let text = stripFinalNewline(this.#inline.text(omitted));
    if (this.#spooled === undefined && this.#kept.length > 0 && (this.#inline.omittedChars > 0 || encodedBytes(text) > RESULT_TEXT_BUDGET_BYTES)) {
      // Whole, but too large to send once encoded: spool it after all, so nothing is lost.
      this.#startSpool();
      await Promise.all(this.#takeWrites());
    }
    const spooled = this.#spooled;
    if (spooled === undefined) return { text: fitResultText(text), link: undefined };
    await spooled.close();
    text = fitResultText(stripFinalNewline(this.#inline.text(omitted)), spooled.uri);
    if (spooled.truncated) {
      text += `\n… the full output was cut at ${spooled.written} bytes (the spool keeps at most ${this.#options.spool!.maxBytesPerRun} bytes per run) …`;
    }
    const link: ContentBlock = {
      type: 'resource_link',
      uri: spooled.uri,
      name: `${tool} output`,
      description: spooled.truncated ? 'The output of this run, cut at the spool limit' : 'The full output of this run',
      mimeType: 'text/plain',
      size: spooled.written,
    };
    return { text, link };
  }

  /** Whether `line` was a control line, and handles it. */
  #control(line: string): boolean {
    const update = parseProgressLine(line);
    if (update !== undefined) {
      this.#options.onProgress(update);
      return true;
    }
    const token = this.#options.onCheckpoint === undefined ? undefined : parseCheckpointLine(line);
    if (token === undefined) return false;
    this.#options.onCheckpoint!(token);
    return true;
  }

  #onSegment(segment: LineSegment): void {
    if (segment.startsLine && segment.endsLine && startsWithPrefix(segment.bytes) && this.#control(lineDecoder.decode(segment.bytes.subarray(0, segment.contentLength)))) {
      return;
    }
    this.#bytes += segment.bytes.length;
    const text = this.#decoder.decode(segment.bytes, { stream: true });
    this.#chunkText += text;
    this.#inline.push(text);
    if (this.#spooled !== undefined) {
      this.#writes.push(this.#spooled.write(segment.bytes));
    } else if (this.#options.spool !== undefined) {
      this.#kept.push(segment.bytes);
      if (this.#bytes > this.#options.inlineMaxBytes) this.#startSpool();
    }
  }

  #startSpool(): void {
    this.#spooled = this.#options.spool!.open();
    for (const bytes of this.#kept) this.#writes.push(this.#spooled.write(bytes));
    this.#kept = [];
  }

  #takeWrites(): Array<Promise<void>> {
    const writes = this.#writes;
    this.#writes = [];
    return writes;
  }
}

function startsWithPrefix(bytes: Uint8Array): boolean {
  if (bytes.length < PREFIX.length) return false;
  for (let i = 0; i < PREFIX.length; i++) if (bytes[i] !== PREFIX[i]) return false;
  return true;
}

function stripFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

function encodedBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * Cuts `text` to a head and a tail whose JSON encoding fits `budget` bytes
 * (the middle replaced by a marker naming `fullAt` when given). Text that fits
 * is returned as is.
 */
export function fitResultText(text: string, fullAt?: string, budget: number = RESULT_TEXT_BUDGET_BYTES): string {
  let size = encodedBytes(text);
  if (size <= budget) return text;
  const original = text.length;
  let keep = text.length;
  let fitted = text;
  while (size > budget && keep > 0) {
    keep = Math.floor((keep * budget) / size * 0.95);
    const half = Math.floor(keep / 2);
    const head = cutAt(text, half);
    const tail = text.slice(cutAt(text, text.length - half).length);
    const marker = `\n… ${original - head.length - tail.length} characters omitted${fullAt === undefined ? '' : `; the full output is at ${fullAt}`} …\n`;
    fitted = head + marker + tail;
    size = encodedBytes(fitted);
  }
  return fitted;
}

/** `text.slice(0, at)`, moved back one unit if it would split a surrogate pair. */
function cutAt(text: string, at: number): string {
  const code = text.charCodeAt(at - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? at - 1 : at);
}
