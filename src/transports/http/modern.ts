/**
 * The 2026-07-28 endpoint: the SDK's stateless per-request handler
 * (`createMcpHandler`) parses, validates and dispatches; what a call streams
 * goes to a stream log of its own exchange, and the SSE answer is a cursor on
 * it, like every other stream. One exchange, one stream, no resumption: a
 * client that leaves cancels the call (the SDK closes the exchange when the
 * request's signal aborts), and the log goes with it.
 *
 * The log is node-local memory whatever the stores: nothing can resume it
 * elsewhere.
 *
 * @module
 */
import {
  createMcpHandler,
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type McpHttpHandler,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { Serial } from '../../flow/serial.js';
import type { EventLogOptions, StreamPressure } from '../../stores/eventLog.js';
import { MemoryEventLog } from '../../stores/memory/memoryEventLog.js';
import type { SluiceServer } from '../../server/sluiceServer.js';
import { tapConnect } from './sdkReach.js';
import { sseBody } from './sseBody.js';

export interface ModernEndpointOptions {
  readonly sluice: SluiceServer;
  readonly eventLog: EventLogOptions;
  readonly keepAliveMs: number;
  readonly maxRequestBodySize: number;
  readonly reportError: (error: Error) => void;
}

/** One request's exchange: its log, and whether the SDK already answered with SSE. */
class Exchange {
  readonly log: MemoryEventLog;
  readonly streamId = 's0';
  readonly pressure: StreamPressure;
  streaming = false;
  /** Appends in send order. */
  readonly #order = new Serial();

  constructor(options: EventLogOptions) {
    this.log = new MemoryEventLog({ ...options, keepDelivered: false });
    void this.log.openStream(); // synchronous in memory: the first stream is s0
    this.pressure = this.log.pressure(this.streamId);
  }

  /** The SDK's per-request transport, with this exchange's log in front of it. */
  tap(inner: Transport): Transport {
    const send = (message: JSONRPCMessage, options?: TransportSendOptions) => this.#send(inner, message, options);
    // Everything else (the server setting onmessage, onclose, …) is the SDK transport's own.
    return new Proxy(inner, {
      get: (target, property) => {
        if (property === 'send') return send;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
      set: (target, property, value) => Reflect.set(target, property, value, target),
    });
  }

  async #send(inner: Transport, message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const response = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (response) {
      if (this.streaming) await this.#append(message, false).then(() => this.log.end(this.streamId));
      return inner.send(message, options); // ends the SDK's exchange (a JSON answer when nothing streamed)
    }
    if (options?.relatedRequestId === undefined) return inner.send(message, options);
    if (!this.streaming) {
      this.streaming = true;
      await inner.send(message, options); // the SDK now answers with SSE; its body is replaced by ours
    }
    await this.#append(message, true);
  }

  #append(message: JSONRPCMessage, wait: boolean): Promise<unknown> {
    const data = JSON.stringify(message);
    return this.#order.run(() => this.log.append(this.streamId, data, { wait }));
  }
}

export function createModernEndpoint(options: ModernEndpointOptions) {
  const exchanges = new WeakMap<Request, Exchange>();
  const handler: McpHttpHandler = createMcpHandler(
    ({ requestInfo }) => {
      const exchange = new Exchange(options.eventLog);
      if (requestInfo !== undefined) exchanges.set(requestInfo as Request, exchange);
      const outbound = { pressure: exchange.pressure };
      const server = options.sluice.createServer({ resourceStreams: true, outbound: () => outbound });
      return tapConnect(server, (transport) => exchange.tap(transport));
    },
    { legacy: 'reject', keepAliveMs: options.keepAliveMs, maxRequestBodySize: options.maxRequestBodySize, onerror: options.reportError },
  );

  async function fetch(request: Request, body: unknown): Promise<Response> {
    const response = await handler.fetch(request, { parsedBody: body });
    const exchange = exchanges.get(request);
    if (exchange === undefined || !exchange.streaming || response.body === null) return response;
    const cursor = exchange.log.cursor(exchange.streamId, undefined);
    const ours = sseBody(cursor, { withIds: false, retryMs: 0, keepAliveMs: options.keepAliveMs, onDone: () => void exchange.log.clear() });
    // The SDK's body holds only the first streamed message; nothing reads it.
    return new Response(ours, { status: response.status, headers: response.headers });
  }

  return { fetch, close: () => handler.close() };
}
