import type { OutboundMeter } from '../../flow/outboundMeter.js';
import { Method } from '../../protocol/wire.js';

/**
 * JSON-RPC error responses for the HTTP endpoint: one helper, so every
 * rejection has the same shape (status, `jsonrpc`, `error.code`, `id`).
 *
 * @module
 */

export function jsonRpcError(
  status: number,
  code: number,
  message: string,
  options: { id?: string | number | null; headers?: Record<string, string>; data?: unknown } = {},
): Response {
  return Response.json(
    { jsonrpc: '2.0', error: { code, message, ...(options.data !== undefined && { data: options.data }) }, id: options.id ?? null },
    { status, ...(options.headers !== undefined && { headers: options.headers }) },
  );
}

/** The request id of a single JSON-RPC request body, for echoing in an error. */
export function requestIdOf(body: unknown): string | number | null {
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) {
    const id = (body as { id?: unknown }).id;
    if (typeof id === 'string' || typeof id === 'number') return id;
  }
  return null;
}

/** The JSON-RPC method of a body, `batch` for arrays, `response` for posted responses, `invalid` otherwise. */
export function methodOf(body: unknown): string {
  if (Array.isArray(body)) return 'batch';
  if (body !== null && typeof body === 'object') {
    const method = (body as { method?: unknown }).method;
    if (typeof method === 'string') return method;
    if ('result' in body || 'error' in body) return 'response';
  }
  return 'invalid';
}

/** Wire text that marks a metered message (see `server/toolCall.ts`, `server/partial.ts`). */
const METERED_METHODS = [`"method":"${Method.ProgressNotification}"`, `"method":"${Method.PartialResultNotification}"`];

function countMetered(text: string): number {
  let count = 0;
  for (const marker of METERED_METHODS) {
    for (let at = text.indexOf(marker); at !== -1; at = text.indexOf(marker, at + marker.length)) count++;
  }
  return count;
}

/**
 * Wraps a response body: reports each metered message as delivered to
 * `meter` when it is passed on towards the socket, closes the meter and runs
 * `onDone` exactly once when the body ends, errors or is cancelled.
 *
 * Pull-based (high-water mark 0): it reads from the SDK's stream only when
 * the Node adapter asks, which it does only as the socket drains. So
 * `meter.bufferedBytes` is what a slow client has not taken yet, and
 * producers waiting on the meter are what keeps the SDK's own unbounded queue
 * small.
 */
export function meteredBody(response: Response, meter: OutboundMeter | undefined, onDone?: () => void): Response {
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      meter?.close();
      onDone?.();
    }
  };
  if (response.body === null) {
    finish();
    return response;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            finish();
            controller.close();
            return;
          }
          if (meter !== undefined && meter.bufferedMessages > 0) {
            for (let n = countMetered(decoder.decode(chunk.value, { stream: true })); n > 0; n--) meter.delivered();
          }
          controller.enqueue(chunk.value);
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
