/**
 * The 2025-era endpoint: sessions (`Mcp-Session-Id`, admission, 404 for
 * ended ones), POST streams, the standalone GET stream, resumption with
 * `Last-Event-ID`, DELETE, and raw `resources/stream` within a session. Every
 * stream is a stream of the session's log; every SSE answer is a cursor on
 * it (see `sseBody.ts`), and a resumption is simply a cursor from the id.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  parseJSONRPCMessage,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type MessageExtraInfo,
} from '@modelcontextprotocol/server';
import type { Cluster } from '../../stores/cluster.js';
import type { EventLogOptions, EventLogStore } from '../../stores/eventLog.js';
import { ErrorCode, Header, Method } from '../../protocol/wire.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import { serveResourceStream } from './resourceStream.js';
import { jsonRpcError, requestIdOf } from './responses.js';
import { refuseResume } from './resumption.js';
import { DISCONNECTED_REASON } from '../../server/toolCall.js';
import type { Session, SessionRegistry } from './sessions.js';
import { serverRequestNodeOf, SessionTransport } from './sessionTransport.js';
import { authExtraOf } from './requestAuth.js';
import { sseBody, sseHeaders } from './sseBody.js';

export interface LegacyEndpointOptions {
  readonly sluice: SluiceServer;
  readonly sessions: SessionRegistry;
  readonly eventLogs: EventLogStore;
  readonly eventLog: EventLogOptions;
  /** Who runs which call, across nodes. */
  readonly cluster: Cluster;
  /** Whether other nodes share the stores (then the server's own requests carry this node's id). */
  readonly shared: boolean;
  readonly keepAliveMs: number;
  readonly retryMs: number;
  readonly cancelOnDisconnect: boolean;
  /** Bytes read from a resource per pull of a raw `resources/stream` body. */
  readonly streamChunkBytes: number;
  readonly reportError: (error: Error) => void;
}

/** The revision that removed JSON-RPC batching from MCP. */
const BATCHLESS_PROTOCOL_VERSION = '2025-06-18';
/** The first revision whose clients take a priming event (empty `data:`) and resume from it. */
const PRIMING_PROTOCOL_VERSION = '2025-11-25';
/** Messages in one batch at most (revisions before 2025-06-18 only). */
const MAX_BATCH_SIZE = 100;

export function createLegacyEndpoint(options: LegacyEndpointOptions) {
  const { sessions } = options;

  /** Every 2025-era request: a live session, an `initialize` that opens one, or a precise refusal. */
  async function serve(request: Request, body: unknown): Promise<Response> {
    const sessionId = request.headers.get(Header.SessionId);
    if (sessionId !== null) {
      const session = await find(sessionId);
      if (session === undefined) {
        return jsonRpcError(
          404,
          ErrorCode.SessionNotFound,
          `Session not found: ${sessionId} was ended, expired or never existed. Start a new session with initialize (without Mcp-Session-Id).`,
          { id: requestIdOf(body) },
        );
      }
      return serveInSession(session, request, body);
    }
    if (Array.isArray(body)) return refuseBatch(body, undefined)!;
    if (request.method === 'POST' && isInitializeRequest(body)) {
      // Refused before admission: an unacceptable initialize must not evict an idle session.
      const refused = refuseAccept(request, 'POST');
      if (refused !== undefined) return refused;
      const admitted = await sessions.admit();
      if (!admitted.ok) {
        return jsonRpcError(503, ErrorCode.Unavailable, 'Too many sessions: every session is busy; retry later', {
          id: requestIdOf(body),
          headers: { [Header.RetryAfter]: String(admitted.retryAfterSeconds) },
        });
      }
      return open(request, body as unknown as Record<string, unknown>);
    }
    const message =
      request.method === 'POST'
        ? 'Bad Request: Mcp-Session-Id header is required; send initialize first to open a session'
        : `Bad Request: ${request.method} needs an Mcp-Session-Id header`;
    return jsonRpcError(400, ErrorCode.TransportError, message, { id: requestIdOf(body) });
  }

  /**
   * The session an id names: held here, or restored from the store (another
   * node opened it); `undefined` when it ended everywhere. Every request
   * checks the store, so a session ended on another node ends here too.
   */
  async function find(sessionId: string): Promise<Session | undefined> {
    const session = sessions.get(sessionId) ?? (await sessions.restore(sessionId, (record) => build(sessionId, record.initialize, true)));
    return session !== undefined && (await sessions.alive(session)) ? session : undefined;
  }

  /** A raw `resources/stream` of a 2025 client: its session stays busy (never evicted) while the bytes flow. */
  async function streamResource(request: Request, body: unknown): Promise<Response> {
    const sessionId = request.headers.get(Header.SessionId);
    const session = sessionId === null ? undefined : await find(sessionId);
    if (session === undefined) return serve(request, body); // the usual 400 / 404 answers
    const signal = AbortSignal.any([request.signal, session.ended.signal]);
    const response = await serveResourceStream(options.sluice, request, body, { chunkBytes: options.streamChunkBytes, clientCapabilities: session.clientCapabilities, signal, session: session.id });
    if (response.body === null) return response;
    session.busy++;
    const done = () => {
      session.busy--;
      sessions.touch(session);
    };
    return new Response(onBodyDone(response.body, done), { status: response.status, headers: response.headers });
  }

  /** Serves a request that names a live session (its activity was marked by {@link find}). */
  async function serveInSession(session: Session, request: Request, body: unknown): Promise<Response> {
    const version = request.headers.get(Header.ProtocolVersion);
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return transportError(400, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`);
    }
    switch (request.method) {
      case 'POST':
        return post(session, request, body);
      case 'GET':
        return get(session, request);
      case 'DELETE':
        await sessions.end(session.id);
        return new Response(null, { status: 200 });
      default:
        return methodNotAllowed();
    }
  }

  /** `initialize` without a session: opens one. */
  async function open(request: Request, body: Record<string, unknown>): Promise<Response> {
    const id = randomUUID();
    const params = (body.params ?? {}) as Record<string, unknown>;
    const session = await build(id, params, false);
    const requested = typeof params.protocolVersion === 'string' ? params.protocolVersion : '';
    if (!(await sessions.add(session, { id, protocolVersion: requested, initialize: params }))) {
      // Another node took the last place meanwhile.
      await Promise.allSettled([session.transport.close(), session.server.close()]);
      return jsonRpcError(503, ErrorCode.Unavailable, 'Too many sessions: every session is busy; retry later', {
        id: requestIdOf(body),
        headers: { [Header.RetryAfter]: '5' },
      });
    }
    return dispatch(session, request, [body as JSONRPCMessage], requested);
  }

  /**
   * A session's live objects on this node: its log, transport and SDK server.
   * A session restored from the store (opened on another node) is initialized
   * here with the parameters its client sent, before any request reaches it.
   */
  async function build(id: string, params: Readonly<Record<string, unknown>>, restored: boolean): Promise<Session> {
    // The log tells the transport when a stream was taken from this node (it is made just below, before any append).
    const log = options.eventLogs.open(id, { ...options.eventLog, onLost: (streamId) => transport.lost(streamId) });
    const transport = new SessionTransport(id, log, {
      onSettled: (requestId) => options.cluster.release(id, requestId),
      ...(options.shared && { node: () => options.cluster.nodeId }),
    });
    // The SDK keeps only the capabilities it knows; keep the client's own for extensions such as partialResults.
    const declared = params.capabilities as Record<string, unknown> | undefined;
    const server = options.sluice.createServer({
      clientCapabilities: () => declared,
      resourceStreams: true,
      outbound: (requestId) => transport.outboundOf(requestId),
    });
    transport.onerror = options.reportError;
    await server.connect(transport);
    if (restored) await transport.restore(params);
    return { id, transport, server, log, clientCapabilities: declared, ended: new AbortController(), busy: 0, lastSeen: 0 };
  }

  async function post(session: Session, request: Request, body: unknown): Promise<Response> {
    const refused = refuseAccept(request, 'POST') ?? refuseBatch(body, session.server.getNegotiatedProtocolVersion());
    if (refused !== undefined) return refused;
    const raw = Array.isArray(body) ? body : [body];
    let messages: JSONRPCMessage[];
    try {
      messages = raw.map((message) => parseJSONRPCMessage(message));
    } catch {
      return transportError(400, 'Invalid Request: the body is not a valid JSON-RPC message', ErrorCode.InvalidRequest);
    }
    if (messages.some((message) => isInitializeRequest(message))) {
      return transportError(400, 'Invalid Request: Server already initialized', ErrorCode.InvalidRequest);
    }
    const reused = messages.find((message) => isJSONRPCRequest(message) && session.transport.inFlight(message.id));
    if (reused !== undefined && isJSONRPCRequest(reused)) {
      return jsonRpcError(409, ErrorCode.InvalidRequest, `Invalid Request: request id ${JSON.stringify(reused.id)} is already in flight in this session; use a new id`, {
        data: { requestId: reused.id },
      });
    }
    return dispatch(session, request, messages, session.server.getNegotiatedProtocolVersion() ?? '');
  }

  /** Hands the messages to the server; requests get a stream of the session's log, answered by a cursor on it. */
  async function dispatch(session: Session, request: Request, messages: JSONRPCMessage[], version: string): Promise<Response> {
    const { transport } = session;
    const ids = messages.filter((message) => isJSONRPCRequest(message)).map((message) => message.id);
    if (ids.length === 0) {
      for (const message of messages) {
        // An answer to a request another node's server sent: it goes there.
        const asker = serverRequestNodeOf(message);
        if (asker !== undefined && asker !== options.cluster.nodeId) {
          await options.cluster.forward(session.id, asker, message);
          continue;
        }
        const cancelled = cancelledRequestOf(message);
        // Not running here: it runs on another node, or has not started (the cancellation waits for it there).
        if (cancelled !== undefined && !transport.inFlight(cancelled.requestId)) {
          await options.cluster.cancel(session.id, cancelled.requestId, cancelled.reason);
          continue;
        }
        transport.receive(message, { request, ...authExtraOf(request) } as MessageExtraInfo);
        // A cancelled request is never answered: end its stream (and its open connection) now.
        if (cancelled !== undefined) transport.retire(cancelled.requestId);
      }
      return new Response(null, { status: 202 });
    }
    const resumable = version >= PRIMING_PROTOCOL_VERSION && SUPPORTED_PROTOCOL_VERSIONS.includes(version);
    const streamId = await transport.openStream(ids, resumable);
    const skipped = await claim(session, ids, streamId);
    if (skipped === 'taken') return transportError(409, 'Conflict: a request with this id is already in flight in this session on another node; use a new id');
    const response = cursorResponse(session, streamId, undefined);
    for (const message of messages) {
      if (isJSONRPCRequest(message) && skipped.has(message.id)) continue;
      // Handlers written for the SDK find SSE polling where the SDK puts it (`ctx.http.closeSSE`).
      const polling = resumable && isJSONRPCRequest(message);
      transport.receive(message, {
        request,
        ...authExtraOf(request),
        ...(polling && {
          closeSSEStream: () => transport.closeStreamOf(message.id),
          closeStandaloneSSEStream: () => void transport.closeStandalone(),
        }),
      } as MessageExtraInfo);
    }
    return response;
  }

  /**
   * Claims the requests of a POST for this node: `taken` when one of them
   * runs on another node (nothing runs; the stream ends), else the ids not to
   * run because their cancellation came first (or came meanwhile, here).
   */
  async function claim(session: Session, ids: ReadonlyArray<string | number>, streamId: string): Promise<Set<string | number> | 'taken'> {
    const outcomes = await Promise.all(ids.map((id) => options.cluster.claim(session.id, id, streamId)));
    const skipped = new Set<string | number>();
    ids.forEach((id, i) => {
      if (outcomes[i] !== 'ok' || !session.transport.inFlight(id)) skipped.add(id);
    });
    if (outcomes.includes('taken')) {
      ids.forEach((id, i) => outcomes[i] === 'ok' && options.cluster.release(session.id, id));
      for (const id of ids) session.transport.retire(id);
      return 'taken';
    }
    for (const id of skipped) session.transport.retire(id);
    return skipped;
  }

  async function get(session: Session, request: Request): Promise<Response> {
    const refused = refuseAccept(request, 'GET');
    if (refused !== undefined) return refused;
    const lastEventId = request.headers.get(Header.LastEventId);
    if (lastEventId !== null) {
      const refusedResume = await refuseResume(session.log, lastEventId);
      if (refusedResume !== undefined) {
        if (refusedResume.status === 410) options.sluice.activity.tooLate(session.transport.isStandalone(session.log.streamOf(lastEventId) ?? '') ? 'standalone' : 'session');
        return refusedResume;
      }
      const streamId = session.log.streamOf(lastEventId)!;
      if (session.transport.attached(streamId)) return transportError(409, 'Conflict: Stream already has an active connection');
      return cursorResponse(session, streamId, lastEventId, { replayThrough: await session.log.lastEventId(streamId) });
    }
    const standalone = await session.transport.standaloneStream();
    if (session.transport.attached(standalone)) return transportError(409, 'Conflict: Only one SSE stream is allowed per session');
    // Live from here on: the standalone stream starts where the client joins it.
    return cursorResponse(session, standalone, await session.log.lastEventId(standalone));
  }

  /**
   * An SSE answer reading one stream of the session's log. The session is
   * busy (never evicted or expired) while it is open. A client that leaves
   * cancels the stream's requests only with `cancelOnDisconnect`: the spec
   * says a disconnect SHOULD NOT be read as cancellation (the client may resume).
   */
  function cursorResponse(session: Session, streamId: string, after: string | undefined, resumption?: { replayThrough: string | undefined }): Response {
    const { transport } = session;
    const cursor = session.log.cursor(streamId, after);
    const tracker = options.sluice.activity.openStream({
      kind: transport.isStandalone(streamId) ? 'standalone' : 'session',
      session: session.id,
      pressure: session.log.pressure(streamId),
      highWaterBytes: options.eventLog.highWaterBytes,
    });
    if (resumption !== undefined) tracker.resumed();
    // Closed for polling (or by the session's end): what was appended so far still goes out.
    const end = () => cursor.close({ afterCurrent: true });
    transport.attach(streamId, end);
    session.busy++;
    const body = sseBody(cursor, {
      withIds: true,
      retryMs: options.retryMs,
      keepAliveMs: options.keepAliveMs,
      tracker,
      ...(resumption?.replayThrough !== undefined && { replayThrough: resumption.replayThrough }),
      onDone: (how) => {
        transport.detach(streamId, end);
        session.busy--;
        sessions.touch(session);
        if (how === 'cancelled' && options.cancelOnDisconnect) cancelRequestsOn(session, streamId, DISCONNECTED_REASON);
      },
    });
    return new Response(body, { status: 200, headers: sseHeaders({ [Header.SessionId]: session.id }) });
  }

  function cancelRequestsOn(session: Session, streamId: string, reason: string): void {
    for (const requestId of session.transport.requestsOn(streamId)) {
      session.transport.receive({ jsonrpc: '2.0', method: Method.CancelledNotification, params: { requestId, reason } }, {});
      session.transport.retire(requestId);
    }
  }

  return { serve, streamResource };
}

/** The same bytes, pulled only as they are read; `done` runs once when the body ends, fails or is cancelled. */
function onBodyDone(body: ReadableStream<Uint8Array>, done: () => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  const finish = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            finish();
            controller.close();
          } else controller.enqueue(chunk.value);
        } catch (error) {
          finish();
          controller.error(error);
        }
      },
      cancel(reason) {
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

function cancelledRequestOf(message: JSONRPCMessage): { requestId: string | number; reason: string } | undefined {
  if (!('method' in message) || message.method !== Method.CancelledNotification) return undefined;
  const params = message.params as { requestId?: unknown; reason?: unknown } | undefined;
  const requestId = params?.requestId;
  if (typeof requestId !== 'string' && typeof requestId !== 'number') return undefined;
  return { requestId, reason: typeof params?.reason === 'string' ? params.reason.slice(0, 1000) : 'cancelled by the client' };
}

function refuseAccept(request: Request, method: 'POST' | 'GET'): Response | undefined {
  const accept = request.headers.get('accept') ?? '';
  if (method === 'GET' && !accept.includes('text/event-stream')) return transportError(406, 'Not Acceptable: Client must accept text/event-stream');
  if (method === 'POST' && (!accept.includes('application/json') || !accept.includes('text/event-stream'))) {
    return transportError(406, 'Not Acceptable: Client must accept both application/json and text/event-stream');
  }
  return undefined;
}

/**
 * Batch arrays: allowed only on sessions that negotiated a revision before
 * 2025-06-18 (which removed batching), up to 100 messages; everything else
 * gets -32600. One POST can then no longer start a hundred scripts at once.
 */
export function refuseBatch(body: unknown, negotiated: string | undefined): Response | undefined {
  if (!Array.isArray(body)) return undefined;
  if (negotiated !== undefined && negotiated < BATCHLESS_PROTOCOL_VERSION) {
    if (body.length <= MAX_BATCH_SIZE) return undefined;
    return transportError(400, `Invalid Request: Batch must not exceed ${MAX_BATCH_SIZE} messages`, ErrorCode.InvalidRequest);
  }
  return jsonRpcError(
    400,
    ErrorCode.InvalidRequest,
    `Invalid Request: JSON-RPC batches are not supported ${negotiated === undefined ? 'here' : `in protocol revision ${negotiated}`} (removed in ${BATCHLESS_PROTOCOL_VERSION}); send one message per request`,
  );
}

function transportError(status: number, message: string, code: number = ErrorCode.TransportError): Response {
  return jsonRpcError(status, code, message);
}

function methodNotAllowed(): Response {
  return jsonRpcError(405, ErrorCode.TransportError, 'Method not allowed.', { headers: { allow: 'GET, POST, DELETE' } });
}

