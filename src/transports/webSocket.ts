/**
 * MCP over WebSocket: `ws://HOST:PORT/mcp` on the HTTP server
 * (`serveHttp({ websocket: true })`, `sluice serve --ws`). One JSON-RPC
 * message per text frame, both eras as far as they apply: a connection is a
 * session of its own like stdio (the SDK negotiates `initialize` or the
 * 2026-07-28 envelope per connection); there is no resumption (a dropped
 * socket is a dropped connection) and a client cancels with
 * `notifications/cancelled`, or by closing the socket.
 *
 * The same outbound path as every transport (`messageConnection.ts`): what
 * the server sends goes to the connection's bounded stream log; the pump
 * sends one frame at a time and takes the next only when the socket has
 * written the last to the kernel (the `ws` send callback), so a client that
 * stops reading holds the tools back at the high-water mark, and server
 * memory stays bounded.
 *
 * Guards, as on `/mcp`: Host and Origin checked on the upgrade (403 before
 * any WebSocket exists), connections capped like sessions (`sessions.max`:
 * 503 past it), frames larger than the request body bound are refused
 * (close 1009), a ping every keepalive interval and the socket
 * terminated when the last one went unanswered. Why `ws`: the Node WebSocket
 * server everyone runs, with `maxPayload`, ping/pong and a send callback that
 * says when a frame left; Node 20 has no WebSocket server of its own.
 *
 * @module
 */
import type { IncomingMessage, Server as NodeHttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from '@modelcontextprotocol/server';
import { serveStdio as sdkServeStdio } from '@modelcontextprotocol/server/stdio';
import { type WebSocket, WebSocketServer } from 'ws';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../defaults.js';
import { ErrorCode, MCP_WEBSOCKET_SUBPROTOCOL } from '../protocol/wire.js';
import type { StreamTracker } from '../server/activity.js';
import type { SluiceServer } from '../server/sluiceServer.js';
import type { LogCursor } from '../stores/eventLog.js';
import { checkHostAndOrigin, type HostPolicy } from './http/hostPolicy.js';
import { connectionLog, MessageConnection } from './messageConnection.js';

export interface WebSocketOptions {
  /** The path upgrades are taken on (the MCP endpoint). */
  readonly path: string;
  readonly policy: HostPolicy;
  /** Largest frame a client may send (bytes): the request body bound. */
  readonly maxPayloadBytes: number;
  /** Unread bytes a connection's stream holds before a call's messages wait. */
  readonly highWaterBytes: number;
  /** Ping interval (ms); a socket that did not answer the last ping is terminated. 0 = off. */
  readonly keepAliveMs: number;
  /** Connections open at once; past it an upgrade gets 503 (each holds an SDK server, like a session). */
  readonly maxConnections: number;
  readonly onerror?: (error: Error) => void;
}

export interface WebSocketEndpoint {
  /** Open connections. */
  readonly connections: number;
  /** Cancels every connection's calls, waits for them (the shutdown grace), closes the sockets. */
  close(): Promise<void>;
}

/** Bytes of error answers to bad frames a socket may hold unsent before the connection is cut. */
const MAX_REFUSALS_BUFFERED_BYTES = 1024 * 1024;

/** Takes WebSocket upgrades on `options.path` of `http`. */
export function attachWebSocket(http: NodeHttpServer, sluice: SluiceServer, options: WebSocketOptions): WebSocketEndpoint {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(MCP_WEBSOCKET_SUBPROTOCOL) ? MCP_WEBSOCKET_SUBPROTOCOL : false),
  });
  const open = new Set<{ close: () => Promise<void> }>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if ((req.url ?? '/').split('?', 1)[0] !== options.path) return refuse(socket, 404, `Not found: WebSocket connections are taken on ${options.path}`);
    const refused = checkHostAndOrigin(req.headers.host, req.headers.origin, options.policy);
    if (refused !== undefined) return refuse(socket, refused.status, refused.message);
    if (open.size >= options.maxConnections) return refuse(socket, 503, `Service Unavailable: ${options.maxConnections} WebSocket connections are open; retry later`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      const connection = serveConnection(ws, sluice, options);
      open.add(connection);
      ws.once('close', () => open.delete(connection));
    });
  };
  http.on('upgrade', onUpgrade);
  let closing: Promise<void> | undefined;
  return {
    get connections() {
      return open.size;
    },
    close: () =>
      (closing ??= (async () => {
        http.off('upgrade', onUpgrade);
        await Promise.all([...open].map((connection) => connection.close()));
        wss.close();
      })()),
  };
}

/** One WebSocket connection: an SDK server on a message connection, its log pumped to the socket. */
function serveConnection(ws: WebSocket, sluice: SluiceServer, options: WebSocketOptions): { close: () => Promise<void> } {
  const { log, stream } = connectionLog(options.highWaterBytes);
  const connection = new MessageConnection(new WebSocketInbound(ws), log, stream);
  const outbound = { pressure: log.pressure(stream) };
  const tracker = sluice.activity.openStream({ kind: 'websocket', pressure: outbound.pressure, highWaterBytes: options.highWaterBytes });
  const pumping = pump(log.cursor(stream, undefined), ws, tracker).finally(() => tracker.close());
  const handle = sdkServeStdio(() => sluice.createServer({ clientCapabilities: () => connection.declared, outbound: () => outbound, stream: 'websocket' }), {
    transport: connection,
    ...(options.onerror !== undefined && { onerror: options.onerror }),
  });
  const stopKeepAlive = keepAlive(ws, options.keepAliveMs);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopKeepAlive();
      // Closing the SDK server aborts this connection's requests; their calls answer within the grace.
      await Promise.race([handle.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, DEFAULT_SHUTDOWN_GRACE_MS).unref())]);
      await log.end(stream);
      await Promise.race([pumping, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      ws.close(1001, 'the server is shutting down');
      await log.clear();
    })());
  ws.once('close', () => void close());
  return { close };
}

/** Writes the log to the socket, one frame at a time, each once the socket wrote the one before. */
async function pump(cursor: LogCursor, ws: WebSocket, tracker: StreamTracker): Promise<void> {
  try {
    for (let event = await cursor.next(); event !== undefined; event = await cursor.next()) {
      if (ws.readyState !== ws.OPEN) return;
      await new Promise<void>((resolve, reject) => ws.send(event.data, { binary: false }, (error) => (error === undefined || error === null ? resolve() : reject(error))));
      tracker.sent(event.data.length);
      cursor.delivered(event.id);
    }
  } catch {
    // The socket closed, or the log was cleared: nothing left to write.
  }
}

/** A ping every `intervalMs`; a socket that did not answer the one before is terminated. Returns the stop function. */
function keepAlive(ws: WebSocket, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  let answered = true;
  ws.on('pong', () => (answered = true));
  const timer = setInterval(() => {
    if (!answered) {
      ws.terminate();
      return;
    }
    answered = false;
    ws.ping();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** The reading side: each text frame one JSON-RPC message; what is not JSON is answered with -32700 and skipped. */
class WebSocketInbound implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;

  constructor(private readonly ws: WebSocket) {}

  async start(): Promise<void> {
    this.ws.on('message', (data, isBinary) => {
      let json: unknown;
      try {
        json = JSON.parse(isBinary ? Buffer.from(data as Buffer).toString('utf8') : String(data));
      } catch {
        return this.#refuse(ErrorCode.ParseError, 'Parse error: a frame must hold one JSON-RPC message');
      }
      let message: JSONRPCMessage;
      try {
        message = parseJSONRPCMessage(json);
      } catch {
        return this.#refuse(ErrorCode.InvalidRequest, 'Invalid Request: the frame is JSON but not a JSON-RPC message');
      }
      this.onmessage?.(message);
    });
    this.ws.once('close', () => this.onclose?.());
    this.ws.on('error', (error) => this.onerror?.(error));
  }

  async send(): Promise<void> {
    // Never called: MessageConnection sends through its log.
  }

  /** An error for a frame that carries no message: nothing in flight can be its request, so `id: null`. */
  #refuse(code: number, message: string): void {
    // Sent past the log (no call waits on it): a client that floods bad frames and reads nothing is cut off instead.
    if (this.ws.bufferedAmount > MAX_REFUSALS_BUFFERED_BYTES) return this.ws.terminate();
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));
  }

  async close(): Promise<void> {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ jsonrpc: '2.0', error: { code: ErrorCode.TransportError, message }, id: null });
  const reason = status === 403 ? 'Forbidden' : status === 503 ? 'Service Unavailable\r\nRetry-After: 1' : 'Not Found';
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
