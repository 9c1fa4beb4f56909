/**
 * `fetch` over `node:http` and `node:https`, for short-lived processes (the
 * `sluice` CLI). Node's own `fetch` compiles undici's WebAssembly HTTP parser
 * on its first request: in a process that makes a handful of requests and
 * exits, that first request costs more time and memory than the rest of the
 * command (both are rows of docs/benchmarks.md, "Starting the CLI").
 *
 * It does what an MCP client's transport asks of `fetch`: any method, string
 * or byte bodies, headers in any of fetch's forms, an `AbortSignal` (before
 * the answer and while its body streams), redirects (`follow`, at most
 * {@link MAX_REDIRECTS}), and a streamed `Response` body. It asks for no
 * compression, so it has none to undo. Sockets are kept alive between
 * requests and do not keep the process alive.
 *
 * @module
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** The `fetch` signature the SDK's HTTP transport takes. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Redirects followed before the request fails (fetch's own limit is 20). */
export const MAX_REDIRECTS = 5;
/** Statuses whose response has no body (a `Response` refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

export const nodeFetch: FetchLike = async (url, init = {}) => {
  let target = new URL(url);
  let method = (init.method ?? 'GET').toUpperCase();
  let body = init.body;
  for (let redirects = 0; ; redirects++) {
    const response = await send(target, method, init.headers, body, init.signal ?? undefined);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || location === undefined || init.redirect === 'manual') return toResponse(response, init.signal ?? undefined);
    response.resume();
    if (init.redirect === 'error' || redirects >= MAX_REDIRECTS) throw new TypeError(`fetch failed: too many redirects (or redirect: 'error') at ${target.href}`);
    target = new URL(location, target);
    if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
  }
};

function send(target: URL, method: string, headers: RequestInit['headers'], body: RequestInit['body'], signal: AbortSignal | undefined): Promise<IncomingMessage> {
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new TypeError('nodeFetch sends string or byte bodies only'));
  }
  signal?.throwIfAborted();
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') return Promise.reject(new TypeError(`fetch failed: unsupported protocol ${target.protocol}`));
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(target, { method, headers: Object.fromEntries(new Headers(headers)), agent: secure ? agents.https : agents.http });
    const onAbort = () => request.destroy(signal!.reason as Error);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('response', (response) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(response);
    });
    request.once('error', (error) => {
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    });
    request.end(body ?? undefined);
  });
}

function toResponse(response: IncomingMessage, signal: AbortSignal | undefined): Response {
  const status = response.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  }
  if (NO_BODY.has(status)) {
    response.resume();
    return new Response(null, { status, statusText: response.statusMessage ?? '', headers });
  }
  if (signal !== undefined) {
    const onAbort = () => response.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    response.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return new Response(Readable.toWeb(response) as ReadableStream<Uint8Array>, { status, statusText: response.statusMessage ?? '', headers });
}
