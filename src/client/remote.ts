/**
 * One mapping from the SDK's JSON-RPC errors to sluice's `RemoteError`, so
 * every client call fails the same way.
 *
 * @module
 */
import { ProtocolError } from '@modelcontextprotocol/client';
import { RemoteError } from '../errors.js';

/** Rethrows a JSON-RPC error from the server as `RemoteError` (with its code); anything else as is. */
export function remote<T>(promise: Promise<T>): Promise<T> {
  return promise.catch((error: unknown) => {
    if (error instanceof ProtocolError) throw new RemoteError(error.message, error.code, { cause: error });
    throw error;
  });
}
