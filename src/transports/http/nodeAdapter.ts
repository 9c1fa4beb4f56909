/**
 * The Node adapter: `node:http` request in, web-standard `Request` to the
 * handler, web-standard `Response` back out to the socket.
 *
 * Written here rather than taken from `@modelcontextprotocol/node` because
 * each of these is a bound or a signal that adapter does not give:
 * - **Request bodies are bounded in size, time and total memory**: larger than
 *   `maxBodyBytes` → 413; not complete within `bodyTimeoutMs` of the request's
 *   arrival (slow or endless chunked bodies) → 408 and the connection closed;
 *   every body being received draws from one shared {@link ByteBudget}, and a
 *   body that does not fit → 503. Nothing is held longer than the timeout.
 * - **Stream headers go out at once**: a response with a body is flushed
 *   before its first chunk, so an SSE stream that has nothing to say yet
 *   (the 2025 standalone GET) is visibly open.
 * - **A client that leaves cancels the body at once**, even while the body has
 *   nothing to send: the SDK then forgets the stream, and a resumption with
 *   `Last-Event-ID` is not refused as "already connected".
 * - **Socket drain is honoured**: the next chunk is pulled only after the
 *   previous one was accepted, so a slow reader holds the producer back.
 * - **A body that fails midway cuts the connection**: a chunked transfer that
 *   broke must not end like a complete one. This is also how a stream log
 *   drops a stalled reader: it errors the body, even while the adapter waits
 *   for drain.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../../protocol/wire.js';
import type { ByteBudget } from '../../flow/byteBudget.js';
import { drained } from '../drained.js';

export interface NodeAdapterOptions {
  /** Largest request body (bytes): 413 beyond it. */
  readonly maxBodyBytes: number;
  /** Time a request body may take to arrive, from the request's headers (ms): 408 beyond it. */
  readonly bodyTimeoutMs: number;
  /** Bytes of request bodies buffered at once over all connections: 503 beyond it. */
  readonly bodyBudget: ByteBudget;
  /** Reporting hook for handler failures (answered 500). */
  readonly onerror?: (error: Error) => void;
}

export type FetchHandler = (request: Request) => Promise<Response>;

/** Adapts a web `fetch` handler to `node:http`. */
export type NodeAdapter = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function nodeAdapter(fetch: FetchHandler, options: NodeAdapterOptions): NodeAdapter {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const abort = new AbortController();
    let finished = false;
    res.once('close', () => {
      if (!finished) abort.abort(new Error('the client closed the connection'));
    });
    const body = await readBody(req, res, options);
    if (body === undefined) return; // already answered (413, 408, 503)
    let request: Request;
    try {
      request = toWebRequest(req, body, abort.signal);
    } catch (error) {
      writeError(res, 400, ErrorCode.TransportError, `Bad Request: ${(error as Error).message}`);
      return;
    }
    let response: Response;
    try {
      response = await fetch(request);
    } catch (error) {
      report(options, error);
      writeError(res, 500, ErrorCode.InternalError, 'Internal server error');
      return;
    }
    await writeResponse(res, response, abort.signal);
    finished = true;
  };
}

/** Reads the body within its bounds; `undefined` when it was refused (and answered). */
async function readBody(req: IncomingMessage, res: ServerResponse, options: NodeAdapterOptions): Promise<Buffer | null | undefined> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return null;
  const tooLarge = () => refuse(req, res, 413, `Payload Too Large: request body must not exceed ${options.maxBodyBytes} bytes`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBodyBytes) return tooLarge();
  const chunks: Buffer[] = [];
  let received = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<Buffer | undefined>((resolve) => {
      const settle = (value: Buffer | undefined) => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onEnd);
        resolve(value);
      };
      timer = setTimeout(() => {
        settle(refuse(req, res, 408, `Request Timeout: the request body did not arrive within ${options.bodyTimeoutMs} ms`));
      }, options.bodyTimeoutMs);
      const onData = (chunk: Buffer) => {
        if (received + chunk.length > options.maxBodyBytes) return settle(tooLarge());
        if (!options.bodyBudget.take(chunk.length)) {
          return settle(refuse(req, res, 503, 'Service Unavailable: too many request bodies are being received at once; retry shortly'));
        }
        received += chunk.length;
        chunks.push(chunk);
      };
      const onEnd = () => settle(req.readableAborted || !req.complete ? undefined : Buffer.concat(chunks, received));
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('error', onEnd);
    });
  } finally {
    clearTimeout(timer);
    options.bodyBudget.give(received);
  }
}

/** Answers a refused body and closes the connection (the rest of the body is never read). */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, message: string): undefined {
  if (!res.headersSent && !res.destroyed) {
    writeError(res, status, ErrorCode.TransportError, message, { connection: 'close', ...(status === 503 && { 'retry-after': '1' }) });
  }
  // Stop reading: whatever else the client sends is not buffered.
  req.pause();
  res.once('finish', () => req.socket.destroy());
  return undefined;
}

function toWebRequest(req: IncomingMessage, body: Buffer | null, signal: AbortSignal): Request {
  const host = req.headers.host ?? 'localhost';
  const url = new URL(req.url ?? '/', `http://${host}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return new Request(url, { method: req.method ?? 'GET', headers, signal, ...(body !== null && body.length > 0 && { body }) });
}

async function writeResponse(res: ServerResponse, response: Response, closed: AbortSignal): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of response.headers) headers[name] = value;
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, response.statusText, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  // The client left: cancel the body now, not when it next has something to send.
  const cancel = () => void reader.cancel(closed.reason).catch(() => {});
  if (closed.aborted) cancel();
  else closed.addEventListener('abort', cancel, { once: true });
  // A wait for drain also ends when the body fails (how a stream log cuts a stalled reader): one listener per response.
  const stopWaiting = new AbortController();
  const stop = () => stopWaiting.abort();
  closed.addEventListener('abort', stop, { once: true });
  reader.closed.catch(stop);
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      if (!res.write(chunk.value)) await drained(res, stopWaiting.signal);
      if (closed.aborted) return;
    }
    res.end();
  } catch {
    // The body failed midway: cut the connection so the transfer does not look complete.
    res.destroy();
  } finally {
    closed.removeEventListener('abort', cancel);
    closed.removeEventListener('abort', stop);
  }
}

function writeError(res: ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function report(options: NodeAdapterOptions, error: unknown): void {
  try {
    options.onerror?.(error instanceof Error ? error : new Error(String(error)));
  } catch {
    // Reporting must never alter a response.
  }
}
