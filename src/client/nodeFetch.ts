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
 * The `Response` body is a web stream that reads the socket only when it is
 * read; {@link nodeBody} hands a reader that wants bytes fast (a raw
 * resource stream) the Node stream itself instead, without a web stream's
 * cost per chunk.
 *
 * @module
 */
import { Agent as HttpAgent, type IncomingMessage, request as httpRequest } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

/** The `fetch` signature the SDK's HTTP transport takes. */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** Redirects followed before the request fails (fetch's own limit is 20). */
export const MAX_REDIRECTS = 5;
/** Statuses whose response has no body (a `Response` refuses one). */
const NO_BODY = new Set([101, 204, 205, 304]);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const httpAgent = new HttpAgent({ keepAlive: true });
/** `node:https` (and TLS) is loaded by the first https:// request only: a local http:// command starts without it. */
let https: Promise<{ agent: HttpsAgent; request: typeof httpRequest }> | undefined;
const loadHttps = () =>
  (https ??= import('node:https').then(({ Agent, request }) => ({ agent: new Agent({ keepAlive: true }), request: request as typeof httpRequest })));
/** The Node stream behind each body nobody has read through its web stream yet. */
const untouched = new WeakMap<Response, IncomingMessage>();

/**
 * The body of a {@link nodeFetch} response as the Node stream it is, when
 * its web stream (`response.body`) was never read; `undefined` otherwise
 * (or for any other `fetch`'s response). Leaving it early destroys it.
 */
export function nodeBody(response: Response): AsyncIterable<Uint8Array> | undefined {
  const message = untouched.get(response);
  untouched.delete(response);
  return message;
}

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

async function send(target: URL, method: string, headers: RequestInit['headers'], body: RequestInit['body'], signal: AbortSignal | undefined): Promise<IncomingMessage> {
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TypeError('nodeFetch sends string or byte bodies only');
  }
  signal?.throwIfAborted();
  const secure = target.protocol === 'https:';
  if (!secure && target.protocol !== 'http:') throw new TypeError(`fetch failed: unsupported protocol ${target.protocol}`);
  const transport = secure ? await loadHttps() : { agent: httpAgent, request: httpRequest };
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const request = transport.request(target, { method, headers: Object.fromEntries(new Headers(headers)), agent: transport.agent });
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
  // The body's first read comes after construction (its high-water mark is 0), when `web` is set.
  const web: Response = new Response(
    lazyWebBody(response, () => untouched.delete(web)),
    { status, statusText: response.statusMessage ?? '', headers },
  );
  untouched.set(web, response);
  return web;
}

/** A web stream over `message` that reads nothing until it is read (high-water mark 0), then one chunk per pull. */
function lazyWebBody(message: IncomingMessage, onFirstRead: () => void): ReadableStream<Uint8Array> {
  let chunks: AsyncIterator<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (chunks === undefined) {
          onFirstRead();
          chunks = message[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
        }
        const next = await chunks.next();
        if (next.done === true) controller.close();
        else controller.enqueue(next.value);
      },
      cancel(reason) {
        message.destroy(reason instanceof Error ? reason : undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
