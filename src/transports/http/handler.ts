/**
 * The era router: one web-standard `fetch` handler serving `/mcp` to both
 * protocol eras.
 *
 * Order of checks, each answered before any server work:
 * 1. Host and Origin (403), Content-Type (415);
 * 2. the body parses as JSON (400, -32700); the size limit (413) is applied
 *    while reading, by the Node adapter;
 * 3. era: a request carrying the 2026-07-28 envelope goes to the SDK's
 *    stateless per-request handler (disconnect = cancellation); everything
 *    else is 2025-era traffic served by sessions (`Mcp-Session-Id`, GET
 *    stream, DELETE, resumable SSE with priming events).
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  isInitializeRequest,
  isJsonContentType,
  isLegacyRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
  WebStandardStreamableHTTPServerTransport,
  type JSONRPCMessage,
  type McpHttpHandler,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import {
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_SSE_RETRY_MS,
  DEFAULT_STREAM_HIGH_WATER_BYTES,
} from '../../defaults.js';
import type { EventLogLimits } from '../../stores/eventStore.js';
import { eventLogLimits, MemoryEventStore } from '../../stores/memory/memoryEventStore.js';
import { requireDuration, requireInteger } from '../../errors.js';
import { ErrorCode, Header, Method } from '../../protocol/wire.js';
import { OutboundMeter } from '../../flow/outboundMeter.js';
import { setOutboundMeter } from '../../server/outbound.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import { checkHostAndOrigin, type HostPolicy } from './hostPolicy.js';
import { serveResourceStream } from './resourceStream.js';
import { jsonRpcError, meteredBody, methodOf, requestIdOf } from './responses.js';
import { type Session, type SessionLimits, SessionRegistry } from './sessions.js';

/** Options of the HTTP handler. */
export interface HttpHandlerOptions {
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
  /**
   * Bytes of progress and partial results a response stream may hold for a
   * client that reads slowly; past it, partial results wait and progress
   * coalesces to the latest value. @defaultValue {@link DEFAULT_STREAM_HIGH_WATER_BYTES}
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
  /** How to reach the connection a request arrived on, to drop a stalled client (the Node listener provides it). */
  readonly connectionOf?: (request: Request) => { destroy(): void } | undefined;
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
  /** Called once per answered request (before its body is streamed). */
  onrequest?: (observation: RequestObservation) => void;
  close(): Promise<void>;
}

export function createHttpHandler(sluice: SluiceServer, options: HttpHandlerOptions = {}): HttpHandler {
  const hostPolicy: HostPolicy = {
    loopbackOnly: options.loopbackOnly ?? true,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  };
  // Every option is checked here, where it enters: a nonsensical value fails now, naming itself,
  // not at the first request (a zero chunk size answered empty 200s; a zero high-water mark threw on every call).
  const keepAliveMs = requireDuration('keepAliveMs', options.keepAliveMs ?? DEFAULT_KEEPALIVE_MS, 0);
  const retryMs = requireDuration('retryMs', options.retryMs ?? DEFAULT_SSE_RETRY_MS, 0);
  const maxRequestBodySize = requireInteger('maxRequestBodyBytes', options.maxRequestBodyBytes ?? DEFAULT_MAX_REQUEST_BODY_BYTES, 1);
  const shutdownGraceMs = requireDuration('shutdownGraceMs', options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS, 0);
  const streamHighWaterBytes = requireInteger('streamHighWaterBytes', options.streamHighWaterBytes ?? DEFAULT_STREAM_HIGH_WATER_BYTES, 1);
  const cancelOnDisconnect = options.cancelOnDisconnect ?? false;
  const streamChunkBytes = requireInteger('streamChunkBytes', options.streamChunkBytes ?? DEFAULT_CHUNK_SIZE_BYTES, 1);
  const eventLog = eventLogLimits(options.eventLog);
  const reportError = (error: Error) => {
    try {
      options.onerror?.(error);
    } catch {
      // Reporting must never alter a response.
    }
  };

  const sessions = new SessionRegistry(options.sessions);
  const modern: McpHttpHandler = createMcpHandler(() => sluice.createServer({ resourceStreams: true }), {
    legacy: 'reject',
    keepAliveMs,
    maxRequestBodySize,
    onerror: reportError,
  });
  let closed = false;

  const handler: HttpHandler = {
    sessions,
    fetch: async (request) => {
      const observe = (response: Response, method: string, era: RequestObservation['era']) => {
        handler.onrequest?.({ method, status: response.status, era });
        return response;
      };
      if (closed) {
        return observe(jsonRpcError(503, ErrorCode.Unavailable, 'The server is shutting down', { headers: { [Header.RetryAfter]: '1' } }), 'none', 'none');
      }
      const refused = checkHostAndOrigin(request.headers.get(Header.Host), request.headers.get(Header.Origin), hostPolicy);
      if (refused !== undefined) return observe(jsonRpcError(refused.status, ErrorCode.TransportError, refused.message), 'none', 'none');

      let body: unknown;
      if (request.method === 'POST') {
        if (!isJsonContentType(request.headers.get('content-type'))) {
          return observe(jsonRpcError(415, ErrorCode.TransportError, 'Unsupported Media Type: Content-Type must be application/json'), 'invalid', 'none');
        }
        const text = await request.text();
        try {
          body = JSON.parse(text);
        } catch (error) {
          return observe(
            jsonRpcError(400, ErrorCode.ParseError, `Parse error: the request body is not valid JSON (${(error as Error).message})`),
            'invalid',
            'none',
          );
        }
      }
      const method = request.method === 'POST' ? methodOf(body) : request.method;
      const legacy = await isLegacyRequest(request, body, { maxRequestBodySize });
      if (method === Method.ResourcesStream) return observe(await streamResource(request, body, legacy), method, legacy ? 'legacy' : 'modern');

      if (!legacy) {
        const meter = meterFor(request);
        return observe(meteredBody(await modern.fetch(request, { parsedBody: body }), meter), method, 'modern');
      }
      return observe(await serveLegacy(request, body), method, 'legacy');
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

  async function serveLegacy(request: Request, body: unknown): Promise<Response> {
    const sessionId = request.headers.get(Header.SessionId);
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      if (session === undefined) {
        return jsonRpcError(
          404,
          ErrorCode.SessionNotFound,
          `Session not found: ${sessionId} was ended, expired or never existed. Start a new session with initialize (without Mcp-Session-Id).`,
          { id: requestIdOf(body) },
        );
      }
      sessions.touch(session);
      const refused = refuseBatch(body, session.server.getNegotiatedProtocolVersion()) ?? refuseReusedIds(session, body);
      if (refused !== undefined) return refused;
      const lastEventId = request.method === 'GET' ? request.headers.get(Header.LastEventId) : null;
      if (lastEventId !== null) {
        const refused = checkReplay(session, lastEventId);
        if (refused !== undefined) return refused;
      }
      const forSdk = withNegotiatedVersion(request, session);
      return serveInSession(session, forSdk, body, meterFor(forSdk, request));
    }
    if (Array.isArray(body)) return refuseBatch(body, undefined)!;
    if (request.method === 'POST' && isInitializeRequest(body)) {
      const admitted = sessions.admit();
      if (!admitted.ok) {
        return jsonRpcError(503, ErrorCode.Unavailable, 'Too many sessions: every session is busy; retry later', {
          id: requestIdOf(body),
          headers: { [Header.RetryAfter]: String(admitted.retryAfterSeconds) },
        });
      }
      return openSession(request, body);
    }
    return jsonRpcError(
      400,
      ErrorCode.TransportError,
      request.method === 'POST'
        ? 'Bad Request: Mcp-Session-Id header is required; send initialize first to open a session'
        : `Bad Request: ${request.method} needs an Mcp-Session-Id header`,
      { id: requestIdOf(body) },
    );
  }

  /**
   * A resumption the log can no longer serve gets its own answer instead of
   * the SDK's generic 500: 410 Gone with -32010, telling the client to send
   * its request again. A malformed id is a 400.
   */
  function checkReplay(session: Session, lastEventId: string): Response | undefined {
    const verdict = session.events.replayable(lastEventId);
    if (verdict === 'ok') return undefined;
    if (verdict === 'malformed') {
      return jsonRpcError(400, ErrorCode.TransportError, `Bad Request: ${JSON.stringify(lastEventId)} is not an event id of this server`);
    }
    return jsonRpcError(
      410,
      ErrorCode.ReplayExpired,
      `Too late to resume: the events after Last-Event-ID ${JSON.stringify(lastEventId)} have left the event log. Send the request again.`,
      { data: { lastEventId } },
    );
  }

  /**
   * `resources/stream` (SEP-2532) is answered here, outside the SDK: its
   * answer is raw bytes, which no SDK transport can send. Same checks as any
   * request: Host/Origin above; a live session for 2025-era clients.
   */
  async function streamResource(request: Request, body: unknown, legacy: boolean): Promise<Response> {
    const cutConnection = () => options.connectionOf?.(request)?.destroy();
    if (!legacy) {
      const meta = (body as { params?: { _meta?: Record<string, unknown> } }).params?._meta;
      const declared = meta?.[CLIENT_CAPABILITIES_META_KEY] as Record<string, unknown> | undefined;
      return serveResourceStream(sluice, request, body, { chunkBytes: streamChunkBytes, clientCapabilities: declared, signal: request.signal, cutConnection });
    }
    const sessionId = request.headers.get(Header.SessionId);
    const session = sessionId === null ? undefined : sessions.get(sessionId);
    if (session === undefined) return serveLegacy(request, body); // the usual 400 / 404 answers
    sessions.touch(session);
    const signal = AbortSignal.any([request.signal, session.ended.signal]);
    const response = await serveResourceStream(sluice, request, body, {
      chunkBytes: streamChunkBytes,
      clientCapabilities: session.clientCapabilities,
      signal,
      cutConnection,
    });
    return trackBusy(session, response);
  }

  async function openSession(request: Request, body: unknown): Promise<Response> {
    const events = new MemoryEventStore(eventLog);
    // The SDK keeps only the capabilities it knows; keep the client's own for extensions such as partialResults.
    const declared = (body as { params?: { capabilities?: Record<string, unknown> } }).params?.capabilities;
    const server = sluice.createServer({ clientCapabilities: () => declared, resourceStreams: true });
    let session: Session | undefined;
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: events,
      retryInterval: retryMs,
      keepAliveMs,
      maxRequestBodySize,
      onsessioninitialized: (id) => {
        session = { id, transport, server, events, clientCapabilities: declared, ended: new AbortController(), inflight: new Set(), busy: 0, lastSeen: 0 };
        sessions.add(session);
      },
      onsessionclosed: (id) => {
        void sessions.end(id);
      },
    });
    transport.onerror = reportError;
    // Requests leave the in-flight set when the server answers them.
    await server.connect(observeResponses(transport, (id) => session?.inflight.delete(id)));
    const response = await transport.handleRequest(request, { parsedBody: body });
    if (session === undefined) {
      // initialize was rejected: nothing to keep.
      void server.close().catch(() => {});
      return response;
    }
    return trackBusy(session, response);
  }

  /**
   * Each request's response stream gets a meter; tool calls answering it wait
   * on it when the client is slow. `sdkRequest` is the request the SDK sees
   * (handlers find the meter through it), `arrived` the one the connection
   * delivered.
   */
  function meterFor(sdkRequest: Request, arrived: Request = sdkRequest): OutboundMeter {
    const meter = new OutboundMeter(streamHighWaterBytes);
    setOutboundMeter(sdkRequest, meter);
    // A stalled client is dropped by closing its socket: nothing else reaches a writer parked on drain.
    const connection = options.connectionOf?.(arrived);
    if (connection !== undefined) meter.onDisconnect(() => connection.destroy());
    return meter;
  }

  async function serveInSession(session: Session, request: Request, body: unknown, meter: OutboundMeter): Promise<Response> {
    session.busy++;
    let response: Response;
    try {
      response = await session.transport.handleRequest(request, { parsedBody: body });
    } catch (error) {
      session.busy--;
      throw error;
    }
    session.busy--;
    // Refused by the SDK before it dispatched anything: those ids will never be answered.
    if (response.status >= 400) for (const id of requestIdsOf(body)) session.inflight.delete(id);
    closeCancelledStreams(session, body);
    if (cancelOnDisconnect && response.body !== null) {
      // The Node adapter aborts the request's signal when the socket closes before the response ended.
      request.signal.addEventListener('abort', () => cancelRequestsOf(session, body, 'the client disconnected'), { once: true });
    }
    return trackBusy(session, response, meter);
  }

  /**
   * Opt-in (`cancelOnDisconnect`): a 2025 client that drops a POST stream
   * cancels the requests on it. By default it does not: the spec says a
   * disconnect SHOULD NOT be read as cancellation, the client may resume.
   */
  function cancelRequestsOf(session: Session, body: unknown, reason: string): void {
    for (const id of requestIdsOf(body)) {
      session.transport.onmessage?.({ jsonrpc: '2.0', method: Method.CancelledNotification, params: { requestId: id, reason } });
      retireRequest(session.transport, id);
      session.inflight.delete(id);
    }
  }

  /**
   * After `notifications/cancelled` the server sends nothing more for that
   * request, so its POST stream would stay open forever (one socket per
   * cancelled call). End it: nothing is lost, the call is over.
   */
  function closeCancelledStreams(session: Session, body: unknown): void {
    for (const message of Array.isArray(body) ? body : [body]) {
      const { method, params } = (message ?? {}) as { method?: unknown; params?: { requestId?: unknown } };
      const requestId = params?.requestId;
      if (method === Method.CancelledNotification && (typeof requestId === 'string' || typeof requestId === 'number')) {
        session.transport.closeSSEStream(requestId);
        retireRequest(session.transport, requestId);
        session.inflight.delete(requestId); // a cancelled request is never answered
      }
    }
  }

  /** Keeps the session busy (never evicted or expired) while its response streams. */
  function trackBusy(session: Session, response: Response, meter?: OutboundMeter): Response {
    if (response.body === null) {
      meter?.close();
      return response;
    }
    session.busy++;
    return meteredBody(response, meter, () => {
      session.busy--;
      sessions.touch(session);
    });
  }

  return handler;
}

/**
 * Tells the SDK transport that a cancelled request will never be answered.
 *
 * The SDK keeps a request's stream registered until its response is sent; a
 * cancelled request has none, so a client that resumes that stream (GET with
 * Last-Event-ID, which SDK clients do after the stream closes) would be held
 * open forever. With the request retired, the SDK replays what is left and
 * closes the stream, its own path for a request answered while the client was
 * away. The map is private to the SDK: `@modelcontextprotocol/server` is
 * pinned exactly, and `test/integration/cancelLeaks.test.ts` fails if this
 * stops working.
 */
function retireRequest(transport: WebStandardStreamableHTTPServerTransport, requestId: string | number): void {
  const mapping = (transport as unknown as { _requestToStreamMapping?: Map<string | number, string> })._requestToStreamMapping;
  mapping?.delete(requestId);
}

/**
 * Priming events and server-side stream closes depend on the protocol version.
 * The SDK reads it from each request's header; a client may send an older
 * header than it negotiated, so the session's negotiated version decides.
 */
function withNegotiatedVersion(request: Request, session: Session): Request {
  const negotiated = session.server.getNegotiatedProtocolVersion();
  const claimed = request.headers.get(Header.ProtocolVersion);
  if (negotiated === undefined || claimed === negotiated) return request;
  if (claimed !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(claimed)) return request; // let the transport reject it
  const headers = new Headers(request.headers);
  headers.set(Header.ProtocolVersion, negotiated);
  return new Request(request.url, { method: request.method, headers, signal: request.signal });
}

/** The revision that removed JSON-RPC batching from MCP. */
const BATCHLESS_PROTOCOL_VERSION = '2025-06-18';

/**
 * Batch arrays: allowed only on sessions that negotiated a revision before
 * 2025-06-18 (which removed batching); everything else gets -32600. One POST
 * can then no longer start a hundred scripts at once.
 */
function refuseBatch(body: unknown, negotiated: string | undefined): Response | undefined {
  if (!Array.isArray(body)) return undefined;
  if (negotiated !== undefined && negotiated < BATCHLESS_PROTOCOL_VERSION) return undefined;
  return jsonRpcError(
    400,
    ErrorCode.InvalidRequest,
    `Invalid Request: JSON-RPC batches are not supported ${negotiated === undefined ? 'here' : `in protocol revision ${negotiated}`} (removed in ${BATCHLESS_PROTOCOL_VERSION}); send one message per request`,
  );
}

/**
 * A request id the client reuses while a request with that id is still in
 * flight is refused (409, -32600) before the SDK sees it: the SDK would route
 * both answers to one stream and leave the other unanswered. The error
 * carries `id: null` so that it cannot be taken for the first request's answer.
 */
function refuseReusedIds(session: Session, body: unknown): Response | undefined {
  const ids = requestIdsOf(body);
  const reused = ids.find((id) => session.inflight.has(id));
  if (reused !== undefined) {
    return jsonRpcError(409, ErrorCode.InvalidRequest, `Invalid Request: request id ${JSON.stringify(reused)} is already in flight in this session; use a new id`, {
      data: { requestId: reused },
    });
  }
  for (const id of ids) session.inflight.add(id);
  return undefined;
}

/** The ids of the requests (not notifications or responses) in a body. */
function requestIdsOf(body: unknown): Array<string | number> {
  const ids: Array<string | number> = [];
  for (const message of Array.isArray(body) ? body : [body]) {
    const { id, method } = (message ?? {}) as { id?: unknown; method?: unknown };
    if (typeof method === 'string' && (typeof id === 'string' || typeof id === 'number')) ids.push(id);
  }
  return ids;
}

/** The transport as the SDK server sees it, reporting the id of every response it sends. */
function observeResponses(transport: WebStandardStreamableHTTPServerTransport, onResponse: (id: string | number) => void): WebStandardStreamableHTTPServerTransport {
  return new Proxy(transport, {
    get(target, property) {
      if (property === 'send') {
        return (message: JSONRPCMessage, options?: TransportSendOptions) => {
          if (!('method' in message) && 'id' in message && (typeof message.id === 'string' || typeof message.id === 'number')) onResponse(message.id);
          return target.send(message, options);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
