/**
 * `serveHttp`: listens on a TCP port and serves the MCP endpoint, `/healthz`
 * (JSON), `/metrics` (Prometheus text) and `/dashboard` (a live page; on by
 * default on loopback binds).
 *
 * Binds to 127.0.0.1 unless told otherwise. Whether the strict loopback
 * Host/Origin rules apply is decided from the address actually bound, so
 * every spelling of a loopback address (`127.1`, `LOCALHOST`, `::1`) gets
 * them. The same rules guard every path, `/healthz` and `/metrics` included.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server as NodeHttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEFAULT_HOST,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_BUFFERED_REQUEST_BYTES,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  DEFAULT_MCP_PATH,
  DEFAULT_PORT,
  DEFAULT_REQUEST_BODY_TIMEOUT_MS,
  DEFAULT_STREAM_HIGH_WATER_BYTES,
} from '../../defaults.js';
import { requireDuration, requireInteger } from '../../errors.js';
import { ByteBudget } from '../../flow/byteBudget.js';
import { ErrorCode } from '../../protocol/wire.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from './handler.js';
import { checkHostAndOrigin, hostnameOfHostHeader, isLoopbackName, type HostPolicy } from './hostPolicy.js';
import { createHttpMetrics, methodLabel, outcomeOf } from './metrics.js';
import { registerActivityMetrics } from '../activityMetrics.js';
import { nodeAdapter } from './nodeAdapter.js';
import { DASHBOARD_HEADERS, DASHBOARD_HTML, dashboardState } from './dashboard.js';
import { attachWebSocket } from '../webSocket.js';

/** Options of {@link serveHttp}. */
/** How long `/healthz` waits for the store to list the nodes (ms). */
const HEALTH_NODES_WAIT_MS = 500;

export interface ServeHttpOptions extends HttpHandlerOptions {
  /** @defaultValue {@link DEFAULT_HOST} */
  readonly host?: string;
  /** 0 picks a free port. @defaultValue {@link DEFAULT_PORT} */
  readonly port?: number;
  /** @defaultValue {@link DEFAULT_MCP_PATH} */
  readonly path?: string;
  /** Time a request's headers, then its body, may take to arrive (ms, ≥ 1): 408 beyond it. @defaultValue {@link DEFAULT_REQUEST_BODY_TIMEOUT_MS} */
  readonly requestBodyTimeoutMs?: number;
  /** Bytes of request bodies buffered at once over all connections (≥ 1): 503 beyond it. @defaultValue {@link DEFAULT_MAX_BUFFERED_REQUEST_BYTES} */
  readonly maxBufferedRequestBytes?: number;
  /** Serve `/dashboard` (a live page) and `/dashboard/state` (its JSON). @defaultValue `true` on a loopback bind, else `false` */
  readonly dashboard?: boolean;
  /** Take MCP over WebSocket on the endpoint's path (`ws://HOST:PORT/mcp`). @defaultValue false */
  readonly websocket?: boolean;
}

export interface RunningHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:3001/mcp`. */
  readonly url: string;
  /** The same endpoint over WebSocket (`ws://…/mcp`), when `websocket` is on. */
  readonly webSocketUrl: string | undefined;
  readonly port: number;
  readonly http: NodeHttpServer;
  readonly handler: HttpHandler;
  /** Whether the bound address is loopback (the strict Host/Origin rules apply). */
  readonly loopbackOnly: boolean;
  /** Stops accepting, cancels in-flight work, ends sessions, closes sockets. Idempotent. */
  close(): Promise<void>;
}

/** Whether `address` (a bound address or a host name to bind) is loopback only. */
export function isLoopbackHost(address: string): boolean {
  return isLoopbackName(address);
}

/** An `EADDRINUSE` from {@link serveHttp}, with the address it wanted. */
export class AddressInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly host: string,
    readonly port: number,
    options: { cause: unknown },
  ) {
    super(`${host}:${port} is already in use`, options);
    this.name = 'AddressInUseError';
  }
}

export async function serveHttp(sluice: SluiceServer, options: ServeHttpOptions = {}): Promise<RunningHttpServer> {
  const host = options.host ?? DEFAULT_HOST;
  const path = options.path ?? DEFAULT_MCP_PATH;
  const bodyTimeoutMs = requireDuration('requestBodyTimeoutMs', options.requestBodyTimeoutMs ?? DEFAULT_REQUEST_BODY_TIMEOUT_MS, 1);
  const bodyBudget = new ByteBudget(requireInteger('maxBufferedRequestBytes', options.maxBufferedRequestBytes ?? DEFAULT_MAX_BUFFERED_REQUEST_BYTES, 1));
  const maxBodyBytes = requireInteger('maxRequestBodyBytes', options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES, 1);
  // Filled in once the bound address is known (it decides the Host rules); until then, 503.
  const routing: { route?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const http = createServer(
    // Node's own bounds as a backstop for ours: headers must arrive in time, and nothing waits 300 s.
    { headersTimeout: bodyTimeoutMs, requestTimeout: bodyTimeoutMs * 2, connectionsCheckingInterval: Math.min(1000, bodyTimeoutMs) },
    (req, res) => {
      if (routing.route !== undefined) routing.route(req, res);
      else res.writeHead(503, { 'retry-after': '1' }).end();
    },
  );
  const port = await listen(http, host, options.port ?? DEFAULT_PORT);
  const bound = (http.address() as AddressInfo).address;
  const loopbackOnly = isLoopbackName(bound);
  const policy: HostPolicy = { loopbackOnly, allowedHosts: options.allowedHosts, allowedOrigins: options.allowedOrigins };

  const handler = createHttpHandler(sluice, { ...options, loopbackOnly });
  const webSocket =
    options.websocket === true
      ? attachWebSocket(http, sluice, {
          path,
          policy,
          maxPayloadBytes: maxBodyBytes,
          highWaterBytes: options.streamHighWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES,
          keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS,
          maxConnections: handler.sessions.limits.max,
          ...(options.onerror !== undefined && { onerror: options.onerror }),
        })
      : undefined;
  const mcp = nodeAdapter(handler.fetch, { maxBodyBytes, bodyTimeoutMs, bodyBudget, ...(options.onerror !== undefined && { onerror: options.onerror }) });
  const metrics = createHttpMetrics(handler.sessions);
  const { eventLogs, sessions: sessionStore } = handler.stores;
  registerActivityMetrics(metrics.registry, {
    activity: sluice.activity,
    ...(eventLogs.stats !== undefined && { eventLogs: () => eventLogs.stats!() }),
    storedSessions: () => sessionStore.count(),
  });
  handler.onrequest = ({ method, status, era }) => metrics.requests.inc({ method: methodLabel(method), outcome: outcomeOf(status), era });
  const startedAt = Date.now();
  const dashboard = options.dashboard ?? loopbackOnly;

  routing.route = (req, res) => {
    const pathname = (req.url ?? '/').split('?', 1)[0];
    if (hostnameOfHostHeader(req.headers.host) === undefined) {
      // Before anything else: a Host that is not host[:port] is the client's mistake, never a 500.
      const refused = checkHostAndOrigin(req.headers.host, undefined, policy)!;
      // The body is never read: close the connection rather than leave it for reuse.
      writeJson(res, refused.status, { jsonrpc: '2.0', error: { code: ErrorCode.TransportError, message: refused.message }, id: null }, { connection: 'close' });
      return;
    }
    if (pathname === path) {
      metrics.requestsInflight.inc();
      res.once('close', () => metrics.requestsInflight.dec());
      void mcp(req, res);
      return;
    }
    const refused = checkHostAndOrigin(req.headers.host, req.headers.origin, policy);
    if (refused !== undefined) {
      writeJson(res, refused.status, { jsonrpc: '2.0', error: { code: ErrorCode.TransportError, message: refused.message }, id: null });
    } else if (pathname === '/healthz' && req.method === 'GET') {
      // 503 while the stores are unreachable: a balancer sends 2025 sessions elsewhere (a 2026 request would still be served).
      const store = handler.stores.health();
      // Never waits on an unreachable store: the nodes are listed only when it answers within half a second
      // (a Redis that just died or stalls still looks connected for a moment).
      const nodes = store.ready
        ? Promise.race([handler.stores.cluster.nodes().catch(() => undefined), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), HEALTH_NODES_WAIT_MS).unref())])
        : Promise.resolve(undefined);
      void nodes.then((nodes) =>
        writeJson(res, store.ready ? 200 : 503, {
          status: store.ready ? 'ok' : 'store unavailable',
          name: sluice.options.name,
          version: sluice.options.version,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          sessions: handler.sessions.size,
          sessionsHibernating: handler.sessions.hibernating,
          toolCallsInflight: sluice.inflight,
          store,
          node: handler.stores.cluster.nodeId,
          ...(nodes !== undefined && { nodes }),
        }),
      );
    } else if ((pathname === '/dashboard' || pathname === '/dashboard/state') && req.method === 'GET') {
      if (!dashboard) {
        writeJson(res, 404, { error: 'The dashboard is off: it is on by default only on loopback binds; enable it with dashboard: true (sluice.yaml) or --dashboard' });
      } else if (pathname === '/dashboard') {
        res.writeHead(200, DASHBOARD_HEADERS).end(DASHBOARD_HTML);
      } else {
        void dashboardState({ sluice, sessions: handler.sessions, stores: handler.stores, startedAt }).then(
          (state) => writeJson(res, 200, state, { 'cache-control': 'no-store' }),
          () => res.writeHead(500).end(),
        );
      }
    } else if (pathname === '/metrics' && req.method === 'GET') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      writeJson(res, 404, { error: `Not found: ${pathname}. The MCP endpoint is ${path}` });
    }
  };

  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}${path}`,
    webSocketUrl: webSocket === undefined ? undefined : `ws://${urlHost}:${port}${path}`,
    port,
    http,
    handler,
    loopbackOnly,
    close: () =>
      (closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        await Promise.all([handler.close(), webSocket?.close()]);
        http.closeIdleConnections();
        // Give answered streams a moment to flush, then cut what is left.
        const timer = setTimeout(() => http.closeAllConnections(), 1000);
        timer.unref();
        await stopped;
        clearTimeout(timer);
      })()),
  };
}

function listen(http: NodeHttpServer, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new AddressInUseError(host, port, { cause: error }) : error);
    http.once('error', onError);
    http.listen(port, host, () => {
      http.off('error', onError);
      resolve((http.address() as AddressInfo).port);
    });
  });
}

function writeJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(value));
}
