/**
 * One mapping from the SDK's JSON-RPC errors to sluice's `RemoteError`, so
 * every client call fails the same way.
 *
 * Two shapes arrive: a `ProtocolError` (the server answered the request with
 * a JSON-RPC error), and an `SdkHttpError` whose body is such an answer. The
 * second is how the SDK's HTTP transport reports a 2026-07-28 server's
 * `404` + `-32601` (an unknown method): it unwraps only `400` answers. Both are
 * the server's answer, not a failed connection, so neither is retried.
 *
 * @module
 */
import { ProtocolError, SdkHttpError } from '@modelcontextprotocol/client';
import { RemoteError } from '../errors.js';

/** Rethrows a JSON-RPC error from the server as `RemoteError` (with its code); anything else as is. */
export function remote<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    if (error instanceof ProtocolError) throw new RemoteError(error.message, error.code, { cause: error });
    const answered = error instanceof SdkHttpError ? jsonRpcError(error.data.text) : undefined;
    if (answered !== undefined) throw new RemoteError(`${answered.message} (HTTP ${(error as SdkHttpError).status})`, answered.code, { cause: error });
    throw error;
  });
}

/** The `error` of a JSON-RPC error response in an HTTP body, if that is what the body holds. */
function jsonRpcError(body: unknown): { code: number; message: string } | undefined {
  if (typeof body !== 'string') return undefined;
  try {
    const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return typeof error?.code === 'number' && typeof error.message === 'string' ? { code: error.code, message: error.message } : undefined;
  } catch {
    return undefined;
  }
}
