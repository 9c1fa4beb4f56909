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

/**
 * Wraps a streamed body so `onDone` runs exactly once when it ends, errors or
 * is cancelled. Pull-based: it reads upstream only when downstream asks.
 */
export function onBodyDone(response: Response, onDone: () => void): Response {
  if (response.body === null) {
    onDone();
    return response;
  }
  const reader = response.body.getReader();
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      onDone();
    }
  };
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const chunk = await reader.read();
        if (chunk.done) {
          finish();
          controller.close();
        } else {
          controller.enqueue(chunk.value);
        }
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel(reason) {
      finish();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
