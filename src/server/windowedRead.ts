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
 * plain-text note on how to read on; so does every window asked for in the
 * URI (the note's way of paging), until the last. The note is its own
 * `contents` item, marked `_meta["dev.sluice/note"] = true` and with the URI
 * `<resource>#sluice-note`, so a client joining contents can leave it out.
 *
 * Sized for strict clients: a window the client did not size itself in
 * `_meta` (none asked, or one from the URI) is cut further so that its
 * encoded answer fits in one message of `maxMessageBytes` (the Python SDK
 * refuses SSE events over 1 MiB). A window asked for in `_meta` is capped at
 * `maxWindowBytes`, and the answer says so (`maxLength`).
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
import { sharedPacer } from '../flow/gcPacer.js';
import { utf8SafeEnd } from '../flow/utf8Boundary.js';
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_READ_WINDOW_BYTES } from '../defaults.js';
import { ErrorCode, PAGING_NOTE_META_KEY, PAGING_NOTE_URI_SUFFIX, WINDOW_META_KEY, WINDOW_QUERY, type WindowInfo } from '../protocol/wire.js';
import type { ReadCursors } from './readCursors.js';
import { isRandomAccess, isResourceBody, readerOf, type ResourceBody } from './resourceBody.js';
import { singleUse, type WindowContent } from './singleUse.js';

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
  /** Where the window came from: the request's `_meta` (sized by the client), its URI (sized by the note), or nowhere. */
  readonly source: 'meta' | 'uri' | 'none';
}

const FIRST_WINDOW_NOTE_PREFIX = '[sluice]';

/** Takes the window out of a request (`_meta` wins over the URI query). Throws -32602 on a malformed one. */
export function parseReadRequest(uri: string, meta: Readonly<Record<string, unknown>> | undefined): ParsedRead {
  const fromMeta = meta?.[WINDOW_META_KEY];
  if (fromMeta !== undefined) return { uri, requested: uri, window: windowFromMeta(uri, fromMeta), source: 'meta' };
  const query = uri.indexOf('?');
  if (query === -1) return { uri, requested: uri, window: undefined, source: 'none' };
  const params = new URLSearchParams(uri.slice(query + 1));
  if (!params.has(WINDOW_QUERY.offset) && !params.has(WINDOW_QUERY.length)) return { uri, requested: uri, window: undefined, source: 'none' };
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
    source: 'uri',
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
  /** Window for a request that names none (and for a URI window without `length`). @defaultValue the smaller of {@link DEFAULT_READ_WINDOW_BYTES} and `maxWindowBytes` */
  readonly defaultWindowBytes?: number;
  /** Encoded size an answer sized by sluice (not by the client's `_meta`) must fit in. @defaultValue {@link DEFAULT_MAX_MESSAGE_BYTES} */
  readonly maxMessageBytes?: number;
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
  const defaultLength = options.defaultWindowBytes ?? Math.min(DEFAULT_READ_WINDOW_BYTES, options.maxWindowBytes);
  const wanted = asked === undefined || (read.source === 'uri' && asked.length === Number.MAX_SAFE_INTEGER) ? defaultLength : asked.length;
  const length = Math.min(wanted, options.maxWindowBytes);
  const readId = asked?.readId ?? '';
  const blob = asked?.blob ?? false;
  // Answers sized by sluice fit one message; what the client sized in _meta is its own call.
  const budget = read.source === 'meta' ? Number.POSITIVE_INFINITY : (options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES) - MESSAGE_OVERHEAD_BYTES;
  const shape: Shape = { blob, budget, maxLength: options.maxWindowBytes };

  const parked = options.cursors.take(uri, readId, offset);
  if (parked !== undefined) {
    return answer(read, await sequentialWindow(uri, parked.reader, offset, length, parked.mimeType, parked.size, readId, shape, options), asked);
  }
  const opened = await open();
  if (!isResourceBody(opened)) return opened;
  const mimeType = opened.mimeType ?? options.mimeType ?? 'application/octet-stream';
  if (isRandomAccess(opened)) {
    try {
      return answer(read, await randomAccessWindow(uri, opened.readAt.bind(opened), opened.size, offset, length, mimeType, shape), asked);
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
  return answer(read, await sequentialWindow(uri, reader, offset, length, mimeType, opened.size, readId, shape, options), asked);
}

/**
 * Room left in a message for everything but the window's data: the JSON-RPC
 * envelope, `_meta`, the paging note and the SSE framing.
 */
const MESSAGE_OVERHEAD_BYTES = 8 * 1024;

/** How a window is encoded: as a blob or not, within what encoded size, under which cap. */
interface Shape {
  readonly blob: boolean;
  /** Bytes the encoded content may take. */
  readonly budget: number;
  readonly maxLength: number;
}

interface Window {
  readonly info: WindowInfo;
  readonly content: WindowContent;
}

async function randomAccessWindow(
  uri: string,
  readAt: (offset: number, length: number) => Promise<Uint8Array>,
  size: number,
  offset: number,
  length: number,
  mimeType: string,
  shape: Shape,
): Promise<Window> {
  if (offset > size) throw pastTheEnd(uri, offset, size);
  let bytes: Uint8Array;
  try {
    bytes = await readAt(offset, Math.min(length, size - offset));
  } catch (error) {
    throw failure(uri, offset, error);
  }
  const reachesEnd = offset + bytes.length >= size;
  const { content, used } = encodeWithin(uri, mimeType, bytes, reachesEnd, shape);
  const next = offset + used;
  return { content, info: { offset, length: used, next, end: next >= size, size, seekable: true, maxLength: shape.maxLength } };
}

async function sequentialWindow(
  uri: string,
  reader: ByteReader,
  offset: number,
  length: number,
  mimeType: string,
  size: number | undefined,
  readId: string,
  shape: Shape,
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
  const { content, used } = encodeWithin(uri, mimeType, bytes, reachesEnd, shape);
  reader.unread(bytes.subarray(used));
  const next = offset + used;
  const end = reachesEnd && used === bytes.length;
  if (end) await reader.close();
  else options.cursors.put(uri, readId, { reader, mimeType, size });
  return { content, info: { offset, length: used, next, end, ...(size !== undefined && { size }), seekable: false, maxLength: shape.maxLength } };
}

function answer(read: ParsedRead, window: Window, asked: WindowRequest | undefined): ReadResourceResult {
  // A window's garbage dies young once its content is let go after writing (singleUse.ts); the little that does not, over a long read, goes in full collections.
  sharedPacer('minor').add(window.info.length);
  sharedPacer('full').add(window.info.length);
  const contents: ReadResourceResult['contents'] = [window.content];
  if (read.source !== 'meta' && !window.info.end) {
    contents.push({
      uri: `${read.uri}${PAGING_NOTE_URI_SUFFIX}`,
      mimeType: 'text/plain',
      text: pagingNote(read.uri, window.info, asked?.length ?? window.info.length),
      _meta: { [PAGING_NOTE_META_KEY]: true },
    });
  }
  return { contents, _meta: { [WINDOW_META_KEY]: window.info } };
}

/**
 * The note on how to read on, for a client that pages by URI: where this
 * window lies, the URI of the next one, the rule to follow (`next` until
 * `end`, never "until a window is short": text windows end early on a
 * character boundary), the cap, and how to leave the note out.
 */
export function pagingNote(uri: string, info: WindowInfo, length: number): string {
  const of = info.size === undefined ? '' : ` of ${info.size}`;
  const nextLength = Math.min(Math.max(length, info.length), info.maxLength ?? length);
  const nextUri = `${uri}${uri.includes('?') ? '&' : '?'}${WINDOW_QUERY.offset}=${info.next}&${WINDOW_QUERY.length}=${nextLength}`;
  return (
    `${FIRST_WINDOW_NOTE_PREFIX} This is bytes ${info.offset}-${info.next - 1}${of} of ${uri}, not the whole resource. ` +
    `To read on, call resources/read with the URI "${nextUri}". ` +
    `Each answer's _meta["${WINDOW_META_KEY}"] says where the next window starts ("next") and whether this one is the last ("end"); ` +
    `keep reading from "next" until "end" is true. A window may be shorter than asked without being the last ` +
    `(text windows end on a character boundary), and a length above ${info.maxLength ?? length} bytes is cut to it. ` +
    `Clients that set _meta may instead send {"offset": ${info.next}, "length": ${nextLength}} in the request's _meta["${WINDOW_META_KEY}"]. ` +
    `This note is not part of the resource: leave out contents items whose _meta["${PAGING_NOTE_META_KEY}"] is true.`
  );
}

/**
 * {@link encode}, cut further until the encoded content fits `shape.budget`
 * (JSON escaping or base64 can make a window larger than its bytes).
 */
function encodeWithin(uri: string, mimeType: string, bytes: Uint8Array, reachesEnd: boolean, shape: Shape): { content: Window['content']; used: number } {
  let encoded = encode(uri, mimeType, bytes, reachesEnd, shape.blob);
  let size = encodedSize(encoded.content);
  while (size > shape.budget && encoded.used > 1) {
    const keep = Math.max(1, Math.floor(((encoded.used * shape.budget) / size) * 0.98));
    encoded = encode(uri, mimeType, bytes.subarray(0, keep), false, shape.blob);
    size = encodedSize(encoded.content);
  }
  return encoded;
}

function encodedSize(content: Window['content']): number {
  return 'blob' in content ? content.blob.length : Buffer.byteLength(JSON.stringify(content.text));
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
        return { content: singleUse({ uri, mimeType, text: utf8().decode(bytes.subarray(0, end)) }), used: end };
      } catch {
        // not UTF-8: a blob keeps it byte for byte
      }
    }
  }
  return { content: singleUse({ uri, mimeType, blob: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }), used: bytes.length };
}

function pastTheEnd(uri: string, offset: number, size: number): ProtocolError {
  return new ProtocolError(ErrorCode.InvalidParams, `Window offset ${offset} is past the end of ${uri} (${size} bytes)`, { uri, offset, size });
}

function failure(uri: string, at: number, error: unknown): ProtocolError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ProtocolError(ErrorCode.InternalError, `Reading ${uri} failed at byte ${at}: ${reason}`, { uri, at });
}
