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
