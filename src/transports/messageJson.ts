/**
 * The JSON text of an outbound JSON-RPC message: `JSON.stringify`, except that
 * long base64 payloads are spliced in rather than scanned.
 *
 * Why: on Node 20, `JSON.stringify` scans every character of every string for
 * something to escape, at about 2-3 ns a character; a 64 KiB window of a
 * resource is an 87 KiB base64 string, and stringifying windows was the largest
 * single cost of a stdio read (more than reading the file and writing the
 * pipe together; the profile is in docs/design.md). Base64 never needs
 * escaping, so such a string is left out of the stringify (a placeholder
 * takes its place) and put back by concatenation, which copies without
 * looking.
 *
 * Only strings proven to be base64 are spliced: a string holding anything a
 * JSON string must escape (a quote, a backslash, a control character, a
 * non-ASCII character or lone surrogate) is not base64, and Node's decoder
 * skips such characters, so it decodes to fewer bytes than its length
 * promises. The check decodes into a scratch buffer (no allocation per
 * message); a window's blob, which sluice encoded itself (`singleUse.ts`),
 * needs none. Anything else, or any doubt, takes the plain `JSON.stringify`.
 *
 * Where payloads are looked for: `result.contents[].blob` (resources/read),
 * `result.content[].data` (images, audio) and `result.content[].resource.blob`
 * (embedded resources), and the same in the `params` of a notification
 * (partial results).
 *
 * Transports write a message with {@link outboundJson}: its JSON, after which
 * the single-use window contents in it are let go (see `server/singleUse.ts`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { isSingleUse, releaseSingleUse } from '../server/singleUse.js';

/** Shorter payloads are stringified as they are: splicing pays only past a few KiB. */
export const SPLICE_MIN_CHARS = 4096;

/** The largest payload checked in the scratch buffer; longer ones take the plain stringify. */
const SCRATCH_BYTES = 4 * 1024 * 1024;
let scratch: Buffer | undefined;

/**
 * A placeholder no message can contain by chance: a NUL (escaped by the
 * stringify as `\u0000`) and a random tag drawn once per process.
 */
const TAG = `\u0000sluice-splice-${randomBytes(8).toString('hex')}`;
const TAG_JSON = JSON.stringify(TAG).slice(1, -1);

/** `JSON.stringify(message)`, with long base64 payloads spliced in (see the module comment). */
export function messageJson(message: unknown): string {
  const payloads: string[] = [];
  const copy = withPlaceholders(message, payloads);
  if (payloads.length === 0) return JSON.stringify(message);
  const parts = JSON.stringify(copy).split(`"${TAG_JSON}"`);
  if (parts.length !== payloads.length + 1) return JSON.stringify(message);
  let json = parts[0]!;
  for (let i = 0; i < payloads.length; i++) json += `"${payloads[i]}"${parts[i + 1]}`;
  return json;
}

/** The JSON text of a message that is written once: {@link messageJson}, then the message's single-use contents are emptied. */
export function outboundJson(message: unknown): string {
  const json = messageJson(message);
  releaseSingleUse(message);
  return json;
}

/** The payloads {@link messageJson} splices in, in order (what it finds; for tests and diagnostics). */
export function splicedPayloads(message: unknown): string[] {
  const payloads: string[] = [];
  withPlaceholders(message, payloads);
  return payloads;
}

/**
 * Whether a string is base64 that JSON needs no escape for: it decodes to
 * every byte its length promises. (`=` inside, or the URL-safe `-` and `_`,
 * may pass: none of them needs escaping either.)
 */
export function isPlainBase64(value: string): boolean {
  if (value.length % 4 !== 0) return false;
  const expected = Buffer.byteLength(value, 'base64');
  if (expected > SCRATCH_BYTES) return false;
  scratch ??= Buffer.allocUnsafe(SCRATCH_BYTES);
  return scratch.write(value, 0, expected, 'base64') === expected;
}

/** A shallow copy of the message with each long base64 payload replaced by the placeholder; `message` itself when none. */
function withPlaceholders(message: unknown, payloads: string[]): unknown {
  if (message === null || typeof message !== 'object') return message;
  const { result, params } = message as { result?: unknown; params?: unknown };
  if (result !== undefined) {
    const replaced = bodyWithPlaceholders(result, payloads);
    return replaced === result ? message : { ...message, result: replaced };
  }
  if (params !== undefined) {
    const replaced = bodyWithPlaceholders(params, payloads);
    return replaced === params ? message : { ...message, params: replaced };
  }
  return message;
}

function bodyWithPlaceholders(body: unknown, payloads: string[]): unknown {
  if (body === null || typeof body !== 'object') return body;
  const { contents, content } = body as { contents?: unknown; content?: unknown };
  let copy = body;
  const contentsCopy = listWithPlaceholders(contents, payloads, (item) => spliceField(item, 'blob', payloads));
  if (contentsCopy !== contents) copy = { ...copy, contents: contentsCopy };
  const contentCopy = listWithPlaceholders(content, payloads, (item) => {
    const data = spliceField(item, 'data', payloads);
    if (data !== item) return data;
    if (item === null || typeof item !== 'object') return item;
    const resource = (item as { resource?: unknown }).resource;
    const replaced = spliceField(resource, 'blob', payloads);
    return replaced === resource ? item : { ...(item as object), resource: replaced };
  });
  if (contentCopy !== content) copy = { ...copy, content: contentCopy };
  return copy;
}

function listWithPlaceholders(list: unknown, payloads: string[], each: (item: unknown) => unknown): unknown {
  if (!Array.isArray(list)) return list;
  let copy: unknown[] | undefined;
  for (let i = 0; i < list.length; i++) {
    const replaced = each(list[i]);
    if (replaced !== list[i]) (copy ??= [...list])[i] = replaced;
  }
  return copy ?? list;
}

/** `item` with `item[field]` replaced by the placeholder when it is a long base64 string (pushed to `payloads`). */
function spliceField(item: unknown, field: string, payloads: string[]): unknown {
  if (item === null || typeof item !== 'object') return item;
  const value = (item as Record<string, unknown>)[field];
  if (typeof value !== 'string' || value.length < SPLICE_MIN_CHARS || !(isSingleUse(item) || isPlainBase64(value))) return item;
  payloads.push(value);
  return { ...item, [field]: TAG };
}
