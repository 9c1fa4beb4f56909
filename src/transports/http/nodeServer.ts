/**
 * `serveHttp`: listens on a TCP port and serves the MCP endpoint, `/healthz`
 * (JSON) and `/metrics` (Prometheus text).
 *
 * Binds to 127.0.0.1 unless told otherwise. The response writer honours
 * socket drain (the SDK's Node adapter), and a client that closes the socket
 * aborts the request: for a 2026-era call that is its cancellation.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server as NodeHttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { DEFAULT_HOST, DEFAULT_MAX_REQUEST_BODY_BYTES, DEFAULT_MCP_PATH, DEFAULT_PORT } from '../../defaults.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from './handler.js';

/**
 * Internal header naming the connection a request came in on: set here on
 * every request (overwriting anything a client sent), read back by the
 * handler through `connectionOf`. Cheaper than AsyncLocalStorage, which slows
 * every promise in the process on Node 20.
 */
const CONNECTION_HEADER = 'x-sluice-connection';
import { createHttpMetrics, outcomeOf } from './metrics.js';

/** Options of {@link serveHttp}. */
export interface ServeHttpOptions extends HttpHandlerOptions {
  /** @defaultValue {@link DEFAULT_HOST} */
  readonly host?: string;
  /** 0 picks a free port. @defaultValue {@link DEFAULT_PORT} */
  readonly port?: number;
  /** @defaultValue {@link DEFAULT_MCP_PATH} */
  readonly path?: string;
}

export interface RunningHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. */
  readonly url: string;
  readonly port: number;
  readonly http: NodeHttpServer;
  readonly handler: HttpHandler;
  /** Stops accepting, cancels in-flight work, ends sessions, closes sockets. Idempotent. */
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether `host` binds loopback only (the strict Host/Origin defaults apply). */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host);
}

export async function serveHttp(sluice: SluiceServer, options: ServeHttpOptions = {}): Promise<RunningHttpServer> {
  const host = options.host ?? DEFAULT_HOST;
  const path = options.path ?? DEFAULT_MCP_PATH;
  const connections = new Map<string, ServerResponse>();
  let nextConnection = 0;
  const handler = createHttpHandler(sluice, {
    loopbackOnly: isLoopbackHost(host),
    connectionOf: (request) => {
      const res = connections.get(request.headers.get(CONNECTION_HEADER) ?? '');
      return res === undefined ? undefined : { destroy: () => res.destroy() };
    },
    ...options,
  });
  const metrics = createHttpMetrics(() => handler.sessions.size);
  handler.onrequest = ({ method, status, era }) => metrics.requests.inc({ method, outcome: outcomeOf(status), era });
  const mcp = toNodeHandler(handler, { maxRequestBodySize: options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES });
  const startedAt = Date.now();

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (pathname === path) {
      metrics.requestsInflight.inc();
      res.once('close', () => metrics.requestsInflight.dec());
      const id = String(++nextConnection);
      req.headers[CONNECTION_HEADER] = id;
      connections.set(id, res);
      res.once('close', () => connections.delete(id));
      void mcp(req, res);
    } else if (pathname === '/healthz' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'ok',
          name: sluice.options.name,
          version: sluice.options.version,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          sessions: handler.sessions.size,
          toolCallsInflight: sluice.inflight,
        }),
      );
    } else if (pathname === '/metrics' && req.method === 'GET') {
      metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.registry.contentType });
          res.end(text);
        },
        () => {
          res.writeHead(500).end();
        },
      );
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `Not found: ${pathname}. The MCP endpoint is ${path}` }));
    }
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? DEFAULT_PORT, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}${path}`,
    port,
    http,
    handler,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        await handler.close();
        http.closeIdleConnections();
        // Give answered streams a moment to flush, then cut what is left.
        const timer = setTimeout(() => http.closeAllConnections(), 1000);
        timer.unref();
        await stopped;
        clearTimeout(timer);
      })()),
  };
}
