/**
 * Single-use contents: the `contents` item of one window of a resource,
 * made for one answer and let go of once that answer is written.
 *
 * Why let go explicitly: the SDK checks each outbound message against zod
 * schemas, some of them strict ones it does not match (on stdio in the 2026
 * era, `isJSONRPCNotification` on every response). A message that failed a
 * strict check (its unknown keys become an issue that holds the message as
 * `input`) outlives young collections: it stays until the next full one, and
 * the window's base64 with it. Measured: 3,000 such checks of 125 KB
 * messages grew the old generation by 109 MB, 1.4 MB after a full
 * collection; on a 100 MiB stdio read, scavenges promoted 3.3 MB each (a
 * window's payload per window) and took 4-5 ms instead of 1, and only full
 * collections every 16 MiB kept growth under 32 MB. Emptying the item once
 * its JSON is written cuts the message off from the payload: the payload
 * dies young, and windowed reads need only minor collections.
 *
 * Only items sluice made for one answer are marked (windows of
 * `resources/read`): a handler's own result may be shared between answers,
 * so nothing else is ever changed.
 *
 * @module
 */

/** A window's content item: its bytes as base64 (`blob`) or as UTF-8 text. */
export type WindowContent = { uri: string; mimeType: string; text: string } | { uri: string; mimeType: string; blob: string };

const marked = new WeakSet<object>();

/** Marks `content` as made for one answer; returns it. */
export function singleUse<T extends WindowContent>(content: T): T {
  marked.add(content);
  return content;
}

/** Whether `value` was made for one answer (its `blob`, if any, is base64 sluice encoded itself). */
export function isSingleUse(value: unknown): value is WindowContent {
  return typeof value === 'object' && value !== null && marked.has(value);
}

/**
 * Empties the single-use items of a message's `result.contents` (a
 * `resources/read` answer), once the message is written. Anything else is
 * left as it is.
 */
export function releaseSingleUse(message: unknown): void {
  const contents = (message as { result?: { contents?: unknown } } | null)?.result?.contents;
  if (!Array.isArray(contents)) return;
  for (const item of contents) {
    if (!isSingleUse(item)) continue;
    if ('blob' in item) item.blob = '';
    if ('text' in item) item.text = '';
  }
}
