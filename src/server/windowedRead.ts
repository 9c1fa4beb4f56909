/**
 * Windowed `resources/read`: a streamed resource answered one byte window at
 * a time, on any transport.
 *
 * The request names its window in `_meta["dev.sluice/window"]` as
 * `{ offset, length, readId?, blob?, close? }`, or, for clients that cannot set
 * `_meta`, in the URI as `?offset=&length=`. The result carries the window's
 * bytes (text when they are UTF-8, else a base64 blob) and
 * `_meta["dev.sluice/window"] = { offset, length, next, end, size?, seekable }`.
 * A request with no window gets the first window and, when there is more, a
 * plain-text note on how to read on.
 *
 * Guarantees: a text window never ends inside a UTF-8 character (the cut
 * moves back and `next` says where the following window starts); bytes that
 * are not UTF-8 go as a blob; so the windows, concatenated, are the source
 * byte for byte. A source that fails answers an error naming the byte it
 * failed at, never a short window that looks like the end.
 *
 * @module
 */
import { ProtocolError, type ReadResourceResult } from '@modelcontextprotocol/server';
import type { ByteReader } from '../flow/byteReader.js';
import { streamPacer } from '../flow/gcPacer.js';
import { utf8SafeEnd } from '../flow/utf8Boundary.js';
import { ErrorCode, WINDOW_META_KEY, WINDOW_QUERY, type WindowInfo } from '../protocol/wire.js';
import type { ReadCursors } from './readCursors.js';
import { isRandomAccess, isResourceBody, readerOf, type ResourceBody } from './resourceBody.js';

/** A window a client asked for. */
export interface WindowRequest {
  readonly offset: number;
  readonly length: number;
  /** Names one reading pass of one client, so sequential readers are never shared. */
  readonly readId: string;
  /** The client is done: release what is kept for this read (no bytes are returned). */
  readonly close: boolean;
  /**
   * Answer as a base64 blob even when the bytes are UTF-8 text: for clients
   * that want bytes, not text (no character cut, no decoding on either side).
   */
  readonly blob: boolean;
}

/** A `resources/read` request after its window was taken out of `_meta` or the URI. */
export interface ParsedRead {
  /** The resource's URI, without window query parameters. */
  readonly uri: string;
  /** The URI as sent (tried first, so a resource whose own URI has such parameters still matches). */
  readonly requested: string;
  readonly window: WindowRequest | undefined;
}

const FIRST_WINDOW_NOTE_PREFIX = '[sluice]';

/** Takes the window out of a request (`_meta` wins over the URI query). Throws -32602 on a malformed one. */
export function parseReadRequest(uri: string, meta: Readonly<Record<string, unknown>> | undefined): ParsedRead {
  const fromMeta = meta?.[WINDOW_META_KEY];
  if (fromMeta !== undefined) return { uri, requested: uri, window: windowFromMeta(uri, fromMeta) };
  const query = uri.indexOf('?');
  if (query === -1) return { uri, requested: uri, window: undefined };
  const params = new URLSearchParams(uri.slice(query + 1));
  if (!params.has(WINDOW_QUERY.offset) && !params.has(WINDOW_QUERY.length)) return { uri, requested: uri, window: undefined };
  const offset = params.get(WINDOW_QUERY.offset);
  const length = params.get(WINDOW_QUERY.length);
  params.delete(WINDOW_QUERY.offset);
  params.delete(WINDOW_QUERY.length);
  const rest = params.toString();
  const base = uri.slice(0, query) + (rest === '' ? '' : `?${rest}`);
  return {
    uri: base,
    requested: uri,
    window: {
      offset: integerParam(uri, WINDOW_QUERY.offset, offset ?? '0', 0),
      length: length === null ? Number.MAX_SAFE_INTEGER : integerParam(uri, WINDOW_QUERY.length, length, 1),
      readId: '',
      close: false,
      blob: false,
    },
  };
}

function windowFromMeta(uri: string, value: unknown): WindowRequest {
  const bad = (why: string): never => {
    throw new ProtocolError(ErrorCode.InvalidParams, `Invalid _meta["${WINDOW_META_KEY}"] for ${uri}: ${why}`, { uri });
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad('must be an object { offset, length }');
  const { offset = 0, length, readId = '', close = false, blob = false } = value as Record<string, unknown>;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) bad(`offset must be an integer >= 0; got ${JSON.stringify(offset)}`);
  if (typeof readId !== 'string' || readId.length > 200) bad('readId must be a string of at most 200 characters');
  if (typeof close !== 'boolean') bad('close must be a boolean');
  if (typeof blob !== 'boolean') bad('blob must be a boolean');
  if (close === true) return { offset: offset as number, length: 0, readId: readId as string, close: true, blob: false };
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 1) bad(`length must be an integer >= 1; got ${JSON.stringify(length)}`);
  return { offset: offset as number, length: length as number, readId: readId as string, close: false, blob: blob as boolean };
}

function integerParam(uri: string, name: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < min) {
    throw new ProtocolError(ErrorCode.InvalidParams, `Invalid ${name}=${text} in ${uri}: expected an integer >= ${min}`, { uri });
  }
  return value;
}

export interface WindowedReadOptions {
  /** Largest window answered; larger requests are cut to it. */
  readonly maxWindowBytes: number;
  /** Mime type when neither the body nor the definition names one. */
  readonly mimeType: string | undefined;
  readonly cursors: ReadCursors;
}

/**
 * Answers one `resources/read` of a resource whose `read` may return a body.
 * `open` is called only when no parked reader can serve the window.
 */
export async function readWindowed(
  read: ParsedRead,
  open: () => Promise<ReadResourceResult | ResourceBody>,
  options: WindowedReadOptions,
): Promise<ReadResourceResult> {
  const { uri } = read;
  const asked = read.window;
  if (asked?.close === true) {
    options.cursors.release(uri, asked.readId);
    return { contents: [] };
  }
  const offset = asked?.offset ?? 0;
  const length = Math.min(asked?.length ?? options.maxWindowBytes, options.maxWindowBytes);
  const readId = asked?.readId ?? '';
  const blob = asked?.blob ?? false;

  const parked = options.cursors.take(uri, readId, offset);
  if (parked !== undefined) {
    return answer(read, await sequentialWindow(uri, parked.reader, offset, length, parked.mimeType, parked.size, readId, blob, options), asked);
  }
  const opened = await open();
  if (!isResourceBody(opened)) return opened;
  const mimeType = opened.mimeType ?? options.mimeType ?? 'application/octet-stream';
  if (isRandomAccess(opened)) {
    try {
      return answer(read, await randomAccessWindow(uri, opened.readAt.bind(opened), opened.size, offset, length, mimeType, blob), asked);
    } finally {
      await opened.close?.();
    }
  }
  const reader = readerOf(opened);
  try {
    await reader.skip(offset);
  } catch (error) {
    throw failure(uri, reader.received, error);
  }
  if (reader.position < offset) {
    await reader.close();
    throw pastTheEnd(uri, offset, reader.position);
  }
  return answer(read, await sequentialWindow(uri, reader, offset, length, mimeType, opened.size, readId, blob, options), asked);
}

interface Window {
  readonly info: WindowInfo;
  readonly content: { uri: string; mimeType: string; text: string } | { uri: string; mimeType: string; blob: string };
}

async function randomAccessWindow(
  uri: string,
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  size: number,
  offset: number,
  length: number,
  mimeType: string,
  blob: boolean,
): Promise<Window> {
  if (offset > size) throw pastTheEnd(uri, offset, size);
  let bytes: Uint8Array;
  try {
    bytes = await readAt(offset, Math.min(length, size - offset));
  } catch (error) {
    throw failure(uri, offset, error);
  }
  const reachesEnd = offset + bytes.length >= size;
  const { content, used } = encode(uri, mimeType, bytes, reachesEnd, blob);
  const next = offset + used;
  return { content, info: { offset, length: used, next, end: next >= size, size, seekable: true } };
}

async function sequentialWindow(
  uri: string,
  reader: ByteReader,
  offset: number,
  length: number,
  mimeType: string,
  size: number | undefined,
  readId: string,
  blob: boolean,
  options: WindowedReadOptions,
): Promise<Window> {
  let bytes: Uint8Array;
  let reachesEnd: boolean;
  try {
    bytes = await reader.read(length);
    // Peek one byte (pulls at most one more source chunk) to tell "exactly full" from "the end".
    const peek = bytes.length < length ? new Uint8Array(0) : await reader.read(1);
    reader.unread(peek);
    reachesEnd = peek.length === 0;
  } catch (error) {
    throw failure(uri, reader.received, error);
  }
  const { content, used } = encode(uri, mimeType, bytes, reachesEnd, blob);
  reader.unread(bytes.subarray(used));
  const next = offset + used;
  const end = reachesEnd && used === bytes.length;
  if (end) await reader.close();
  else options.cursors.put(uri, readId, { reader, mimeType, size });
  return { content, info: { offset, length: used, next, end, ...(size !== undefined && { size }), seekable: false } };
}

function answer(read: ParsedRead, window: Window, asked: WindowRequest | undefined): ReadResourceResult {
  streamPacer().add(window.info.length);
  const contents: ReadResourceResult['contents'] = [window.content];
  if (asked === undefined && !window.info.end) {
    contents.push({ uri: read.uri, mimeType: 'text/plain', text: firstWindowNote(read.uri, window.info) });
  }
  return { contents, _meta: { [WINDOW_META_KEY]: window.info } };
}

/** The note a client that asked for no window gets when there is more to read. */
export function firstWindowNote(uri: string, info: WindowInfo): string {
  const of = info.size === undefined ? '' : ` of ${info.size}`;
  const nextUri = `${uri}${uri.includes('?') ? '&' : '?'}${WINDOW_QUERY.offset}=${info.next}&${WINDOW_QUERY.length}=${info.length}`;
  return (
    `${FIRST_WINDOW_NOTE_PREFIX} This is bytes ${info.offset}-${info.next - 1}${of} of ${uri}, not the whole resource. ` +
    `To read on, call resources/read with the URI "${nextUri}" (and so on, until a window is shorter or empty), ` +
    `or put {"offset": ${info.next}, "length": ${info.length}} in the request's _meta["${WINDOW_META_KEY}"] ` +
    `and follow "next" in the result's _meta until "end" is true.`
  );
}

const TEXTUAL = /^text\/|[/+](json|xml|yaml|x-yaml|javascript|ecmascript|csv|toml|x-sh|sql|x-ndjson|ndjson|markdown)$|^application\/octet-stream$/i;
const utf8 = () => new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The window's content: text when the bytes are UTF-8 (cut back to a
 * character boundary unless the window reaches the end), else a blob of all
 * of them. Known binary types (images, archives…), and every window of a
 * client that asked for `blob`, go as blobs.
 */
function encode(uri: string, mimeType: string, bytes: Uint8Array, reachesEnd: boolean, blob: boolean): { content: Window['content']; used: number } {
  if (!blob && TEXTUAL.test(mimeType.split(';', 1)[0]!.trim())) {
    const end = reachesEnd ? bytes.length : utf8SafeEnd(bytes);
    if (end > 0 || bytes.length === 0) {
      try {
        return { content: { uri, mimeType, text: utf8().decode(bytes.subarray(0, end)) }, used: end };
      } catch {
        // not UTF-8: a blob keeps it byte for byte
      }
    }
  }
  return { content: { uri, mimeType, blob: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }, used: bytes.length };
}

function pastTheEnd(uri: string, offset: number, size: number): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, `Window offset ${offset} is past the end of ${uri} (${size} bytes)`, { uri, offset, size });
}

function failure(uri: string, at: number, error: unknown): ProtocolError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ProtocolError(ErrorCode.InternalError, `Reading ${uri} failed at byte ${at}: ${reason}`, { uri, at });
}
