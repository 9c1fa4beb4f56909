/**
 * The era router: one web-standard `fetch` handler serving `/mcp` to both
 * protocol eras.
 *
 * Order of checks, each answered before any server work:
 * 1. Host and Origin (403), Content-Type (415);
 * 2. the body parses as JSON (400, -32700); the size limit (413) is applied
 *    while reading, by the Node adapter;
 * 3. era: a request carrying the 2026-07-28 envelope goes to `modern.ts`
 *    (disconnect = cancellation); everything else is 2025-era traffic served
 *    by sessions in `legacy.ts`; `resources/stream` of either era is answered
 *    with raw bytes by `resourceStream.ts`.
 *
 * Every outbound stream is a stream log and every SSE answer a cursor on it
 * (`sseBody.ts`). The stores are injected (`stores`), never built here.
 *
 * @module
 */
import { type AuthInfo, CLIENT_CAPABILITIES_META_KEY, isJsonContentType, isLegacyRequest, readRequestBody } from '@modelcontextprotocol/server';
import {
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_SSE_RETRY_MS,
  DEFAULT_STREAM_HIGH_WATER_BYTES,
  DEFAULT_STORE_RETRY_AFTER_SECONDS,
} from '../../defaults.js';
import type { EventLogLimits, EventLogOptions } from '../../stores/eventLog.js';
import { eventLogLimits } from '../../stores/eventLogLimits.js';
import { memoryStores, type Stores } from '../../stores/stores.js';
import { requireDuration, requireInteger } from '../../errors.js';
import { ErrorCode, Header, Method } from '../../protocol/wire.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import { checkHostAndOrigin, type HostPolicy } from './hostPolicy.js';
import { createLegacyEndpoint } from './legacy.js';
import { createModernEndpoint } from './modern.js';
import { setAuthOf } from './requestAuth.js';
import { serveResourceStream } from './resourceStream.js';
import { nodeSummary } from './dashboard.js';
import { jsonRpcError, methodOf, requestIdOf } from './responses.js';
import { type SessionLimits, SessionRegistry } from './sessions.js';

/** Options of the HTTP handler. */
export interface HttpHandlerOptions {
  /**
   * Who a request comes from, when the application authenticates its clients
   * (a bearer token, a mutual-TLS name): handlers see it as `ctx.http.authInfo`,
   * and every task request is checked against the caller that created the task.
   * Reject unauthenticated requests before they get here. @defaultValue every request anonymous
   */
  readonly authenticate?: (request: Request) => AuthInfo | undefined | Promise<AuthInfo | undefined>;
  /**
   * Hostnames accepted in the `Host` header. `undefined` = the loopback names
   * when `loopbackOnly`, else no Host check. DNS-rebinding protection.
   */
  readonly allowedHosts?: readonly string[];
  /** Hostnames accepted in the `Origin` header (requests without Origin always pass). @defaultValue the loopback names when `loopbackOnly`, else the Host's own hostname */
  readonly allowedOrigins?: readonly string[];
  /** Whether the server is bound to loopback only; turns on the strict Host/Origin defaults. @defaultValue true */
  readonly loopbackOnly?: boolean;
  /** Largest request body (bytes). @defaultValue {@link DEFAULT_MAX_REQUEST_BODY_BYTES} */
  readonly maxRequestBodyBytes?: number;
  /** SSE keepalive comment interval (ms, 0 = off). @defaultValue {@link DEFAULT_KEEPALIVE_MS} */
  readonly keepAliveMs?: number;
  /** `retry:` hint in priming events (ms). @defaultValue {@link DEFAULT_SSE_RETRY_MS} */
  readonly retryMs?: number;
  readonly sessions?: Partial<SessionLimits>;
  readonly eventLog?: Partial<EventLogLimits>;
  /** Where sessions and stream logs are kept. @defaultValue memory ({@link memoryStores}) */
  readonly stores?: Stores;
  /**
   * Unread bytes a stream log may hold for a client that reads slowly, reads
   * nothing or is away; past it, a call's partial results wait and its
   * progress coalesces to the latest value. @defaultValue {@link DEFAULT_STREAM_HIGH_WATER_BYTES}
   */
  readonly streamHighWaterBytes?: number;
  /**
   * Whether a 2025-era client dropping a POST stream cancels the requests on
   * it. The spec says a disconnect SHOULD NOT be read as cancellation (the
   * client may resume), so this is off by default. 2026-07-28 streams always
   * cancel on disconnect. @defaultValue false
   */
  readonly cancelOnDisconnect?: boolean;
  /** Bytes read from a resource per pull of a raw `resources/stream` body. @defaultValue {@link DEFAULT_CHUNK_SIZE_BYTES} */
  readonly streamChunkBytes?: number;
  /** On close, time cancelled tool calls get to answer before connections are cut (ms). @defaultValue {@link DEFAULT_SHUTDOWN_GRACE_MS} */
  readonly shutdownGraceMs?: number;
  /** Reporting hook for errors that never reach a client. */
  readonly onerror?: (error: Error) => void;
}

/** Per-request observation for metrics: method, HTTP status, era. */
export interface RequestObservation {
  readonly method: string;
  readonly status: number;
  readonly era: 'legacy' | 'modern' | 'none';
}

export interface HttpHandler {
  readonly fetch: (request: Request) => Promise<Response>;
  readonly sessions: SessionRegistry;
  /** The stores it runs on (injected, or memory). */
  readonly stores: Stores;
  /** Called once per answered request (before its body is streamed). */
  onrequest?: (observation: RequestObservation) => void;
  close(): Promise<void>;
}

/** 503 while the stores are unreachable: the client retries after a second. */
function storeUnavailable(body: unknown): Response {
  return jsonRpcError(503, ErrorCode.Unavailable, 'Service Unavailable: the session store is unreachable; retry shortly', {
    id: requestIdOf(body),
    headers: { [Header.RetryAfter]: String(DEFAULT_STORE_RETRY_AFTER_SECONDS) },
  });
}

/** What other nodes ask of this one reaches its sessions. */
function listenToCluster(stores: Stores, sessions: SessionRegistry, sluice: SluiceServer): void {
  stores.cluster.listen({
    cancel: (sessionId, requestId, reason) => sessions.get(sessionId)?.transport.cancel(requestId, reason),
    sessionEnded: (sessionId) => void sessions.drop(sessionId),
    response: (sessionId, message) => sessions.get(sessionId)?.transport.receive(message, {}),
    lost: () => {
      sluice.tasks.lost();
      for (const session of sessions.all()) {
        for (const requestId of session.transport.requests()) session.transport.cancel(requestId, 'this node was presumed dead; another node ended its calls');
      }
    },
  });
}

export function createHttpHandler(sluice: SluiceServer, options: HttpHandlerOptions = {}): HttpHandler {
  const hostPolicy: HostPolicy = { loopbackOnly: options.loopbackOnly ?? true, allowedHosts: options.allowedHosts, allowedOrigins: options.allowedOrigins };
  // Every option is checked here, where it enters: a nonsensical value fails now, naming itself,
  // not at the first request (a zero chunk size answered empty 200s; a zero high-water mark threw on every call).
  const keepAliveMs = requireDuration('keepAliveMs', options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS, 0);
  const retryMs = requireDuration('retryMs', options.retryMs ?? DEFAULT_SSE_RETRY_MS, 0);
  const maxRequestBodySize = requireInteger('maxRequestBodyBytes', options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES, 1);
  const shutdownGraceMs = requireDuration('shutdownGraceMs', options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS, 0);
  const streamChunkBytes = requireInteger('streamChunkBytes', options.streamChunkBytes ?? DEFAULT_CHUNK_SIZE_BYTES, 1);
  const eventLog: EventLogOptions = {
    limits: eventLogLimits(options.eventLog),
    highWaterBytes: requireInteger('streamHighWaterBytes', options.streamHighWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES, 1),
  };
  const reportError = (error: Error) => {
    try {
      options.onerror?.(error);
    } catch {
      // Reporting must never alter a response.
    }
  };
  const stores = options.stores ?? memoryStores();
  const sessions = new SessionRegistry(options.sessions, undefined, {
    store: stores.sessions,
    shared: stores.shared,
    announceEnd: (id) => stores.cluster.sessionEnded(id),
    clearLog: (id) => stores.eventLogs.open(id, eventLog).clear(),
  });
  listenToCluster(stores, sessions, sluice);
  stores.cluster.publish(() => nodeSummary(sluice, sessions));
  // Tasks live in the same stores as everything else (the memory default needs no attaching).
  if (options.stores !== undefined) sluice.tasks.attach(stores.tasks, stores.cluster, stores.shared);
  const legacy = createLegacyEndpoint({
    sluice,
    sessions,
    eventLogs: stores.eventLogs,
    eventLog,
    cluster: stores.cluster,
    shared: stores.shared,
    keepAliveMs,
    retryMs,
    cancelOnDisconnect: options.cancelOnDisconnect ?? false,
    streamChunkBytes,
    reportError,
  });
  const modern = createModernEndpoint({ sluice, eventLog, keepAliveMs, maxRequestBodySize, reportError });
  let closed = false;

  const route = async (request: Request): Promise<{ response: Response; method: string; era: RequestObservation['era'] }> => {
    const none = (response: Response, method = 'none') => ({ response, method, era: 'none' as const });
    if (closed) return none(jsonRpcError(503, ErrorCode.Unavailable, 'The server is shutting down', { headers: { [Header.RetryAfter]: '1' } }));
    const refused = checkHostAndOrigin(request.headers.get(Header.Host), request.headers.get(Header.Origin), hostPolicy);
    if (refused !== undefined) return none(jsonRpcError(refused.status, ErrorCode.TransportError, refused.message));
    let body: unknown;
    if (request.method === 'POST') {
      if (!isJsonContentType(request.headers.get('content-type'))) {
        return none(jsonRpcError(415, ErrorCode.TransportError, 'Unsupported Media Type: Content-Type must be application/json'), 'invalid');
      }
      // The Node adapter bounds bodies before they get here; a handler mounted elsewhere bounds them itself.
      const read = await readRequestBody(request, maxRequestBodySize);
      if (read.tooLarge) {
        return none(jsonRpcError(413, ErrorCode.TransportError, `Payload Too Large: request body must not exceed ${maxRequestBodySize} bytes`), 'invalid');
      }
      try {
        body = JSON.parse(read.text);
      } catch (error) {
        return none(jsonRpcError(400, ErrorCode.ParseError, `Parse error: the request body is not valid JSON (${(error as Error).message})`), 'invalid');
      }
    }
    const method = request.method === 'POST' ? methodOf(body) : request.method;
    setAuthOf(request, await options.authenticate?.(request));
    const isLegacy = await isLegacyRequest(request, body, { maxRequestBodySize });
    const era = isLegacy ? 'legacy' : 'modern';
    if (method === Method.ResourcesStream) {
      // SEP-2532: raw bytes, which no SDK transport can send; a 2025 client needs a live session.
      if (isLegacy && !stores.health().ready) return { response: storeUnavailable(body), method, era };
      if (isLegacy) return { response: await legacy.streamResource(request, body), method, era };
      const meta = (body as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
      const declared = meta?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown> | undefined;
      return { response: await serveResourceStream(sluice, request, body, { chunkBytes: streamChunkBytes, clientCapabilities: declared, signal: request.signal }), method, era };
    }
    if (!isLegacy) return { response: await modern.fetch(request, body), method, era };
    // 2025 sessions live in the stores: while they are unreachable, say so at once instead of hanging.
    if (!stores.health().ready) return { response: storeUnavailable(body), method, era };
    try {
      return { response: await legacy.serve(request, body), method, era };
    } catch (error) {
      if (stores.health().ready) throw error;
      return { response: storeUnavailable(body), method, era };
    }
  };

  const handler: HttpHandler = {
    sessions,
    stores,
    fetch: async (request) => {
      const { response, method, era } = await route(request);
      handler.onrequest?.({ method, status: response.status, era });
      return response;
    },
    close: async () => {
      closed = true;
      // Cancel running tools first and let them answer with an error result,
      // then tear the exchanges and sessions down.
      sluice.abortAll();
      await sluice.idle(shutdownGraceMs);
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the last answers reach their sockets
      await Promise.allSettled([modern.close(), sessions.closeAll()]);
    },
  };

  return handler;
}
