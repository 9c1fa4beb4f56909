/**
 * Who a request comes from, as the embedding application authenticated it
 * (`createHttpHandler(sluice, { authenticate })`), kept beside the request so
 * every path that hands a message to the SDK can give it on: the SDK then
 * shows it to handlers as `ctx.http.authInfo`, and tasks are checked against it.
 *
 * @module
 */
import type { AuthInfo } from '@modelcontextprotocol/server';

const byRequest = new WeakMap<Request, AuthInfo>();

export function setAuthOf(request: Request, auth: AuthInfo | undefined): void {
  if (auth !== undefined) byRequest.set(request, auth);
}

/** `{ authInfo }` for the SDK's message extra, or nothing for an anonymous request. */
export function authExtraOf(request: Request): { authInfo?: AuthInfo } {
  const auth = byRequest.get(request);
  return auth === undefined ? {} : { authInfo: auth };
}
