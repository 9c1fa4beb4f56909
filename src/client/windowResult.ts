/**
 * The result schema a window of `resources/read` is checked with: the shape
 * `readResourceStream` relies on, and nothing it does not.
 *
 * Why not the SDK's `ReadResourceResultSchema`: it decodes every blob with
 * `atob` only to see that it is base64, which makes a 64 KiB window a 64 KiB
 * Latin-1 string of garbage and was, with the zod walk around it, a fifth of
 * a stdio read's client time (profile in docs/design.md). The bytes are
 * decoded once anyway, by `Buffer.from(blob, 'base64')`, and
 * {@link decodeBlob} fails there when the blob is not base64.
 *
 * A Standard Schema (what the SDK's `client.request(request, schema)` takes),
 * so the SDK still owns the request: ids, timeouts, cancellation, progress.
 *
 * @module
 */
import type { ReadResourceResult, StandardSchemaV1 } from '@modelcontextprotocol/client';

type Issue = { readonly message: string; readonly path?: ReadonlyArray<PropertyKey> };

/** Checks the shape of a `resources/read` result: `contents` of objects with a string `uri` and a string `text` or `blob`. */
export const windowResultSchema: StandardSchemaV1<unknown, ReadResourceResult> = {
  '~standard': {
    version: 1,
    vendor: 'sluice',
    validate(value: unknown) {
      const issue = shapeIssue(value);
      return issue === undefined ? { value: value as ReadResourceResult } : { issues: [issue] };
    },
  },
};

function shapeIssue(value: unknown): Issue | undefined {
  if (value === null || typeof value !== 'object') return { message: 'the result is not an object' };
  const { contents } = value as { contents?: unknown };
  if (!Array.isArray(contents)) return { message: 'contents must be an array', path: ['contents'] };
  for (let i = 0; i < contents.length; i++) {
    const item = contents[i] as Record<string, unknown> | null;
    if (item === null || typeof item !== 'object' || typeof item.uri !== 'string') return { message: 'each content needs a string uri', path: ['contents', i] };
    if (typeof item.text !== 'string' && typeof item.blob !== 'string') return { message: 'each content needs a string text or blob', path: ['contents', i] };
  }
  return undefined;
}

/**
 * A blob's bytes; throws when it is not base64. Node's decoder skips what is
 * not base64, so fewer bytes come out than a length that is a multiple of 4
 * promises; only then (or for another length) is
 * the blob looked at closely (`atob`, which allows the whitespace some
 * servers wrap base64 with, and throws on anything else).
 */
export function decodeBlob(blob: string): Buffer {
  const bytes = Buffer.from(blob, 'base64');
  if (blob.length % 4 === 0 && bytes.length === Buffer.byteLength(blob, 'base64')) return bytes;
  try {
    atob(blob);
  } catch {
    throw new TypeError('a blob in the result is not valid base64');
  }
  return bytes;
}

/**
 * The bytes of one content item of a result, after which the item is
 * emptied: the bytes are all the reader keeps of it.
 *
 * Why empty it: the SDK checks every message it reads against its union of
 * strict message schemas, and the kinds a response does not match keep it as
 * the `input` of their issues, which outlives young collections until the
 * next full one (measured in `server/singleUse.ts`). Emptied, the item no
 * longer holds the window's payload there, which then dies young. Measured
 * on a 100 MiB stdio read: client growth 9-21 MB with minor collections
 * only, against 59-72 MB without emptying.
 */
export function takeBytes(item: { blob: string } | { text: string }): Buffer {
  if ('blob' in item) {
    const bytes = decodeBlob(item.blob);
    item.blob = '';
    return bytes;
  }
  const bytes = Buffer.from(item.text, 'utf8');
  item.text = '';
  return bytes;
}
