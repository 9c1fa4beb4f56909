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
import { authExtraOf } from './requestAuth.js';
import { tapConnect } from './sdkReach.js';
import { sseBody } from './sseBody.js';
import { outboundJson } from '../messageJson.js';

export interface ModernEndpointOptions {
  readonly sluice: SluiceServer;
  readonly eventLog: EventLogOptions;
  readonly keepAliveMs: number;
  readonly maxRequestBodySize: number;
  readonly reportError: (error: Error) => void;
}

/**
 * One request's exchange. Its log is made when the call first streams
 * something (most calls answer with one JSON result and never need one).
 */
class Exchange {
  #log: MemoryEventLog | undefined;
  #streamId = '';
  readonly #options: EventLogOptions;
  /** Appends in send order. */
  readonly #order = new Serial();
  #logPressure: StreamPressure | undefined;
  /** What the call sees: the log's pressure once there is a log; before, nothing is unread. */
  readonly pressure: StreamPressure;

  constructor(options: EventLogOptions) {
    this.#options = options;
    const current = () => this.#logPressure;
    this.pressure = {
      get full() {
        return current()?.full ?? false;
      },
      get unreadBytes() {
        return current()?.unreadBytes ?? 0;
      },
      room: () => current()?.room() ?? Promise.resolve(),
      stalledFor: () => current()?.stalledFor() ?? 0,
      cut: (reason) => current()?.cut(reason),
    };
  }

  /** A cursor on the exchange's stream, once the SDK answered with SSE (`undefined`: the answer is JSON). */
  reader(): { cursor: ReturnType<MemoryEventLog['cursor']>; clear: () => void } | undefined {
    const log = this.#log;
    return log === undefined ? undefined : { cursor: log.cursor(this.#streamId, undefined), clear: () => void log.clear() };
  }

  /** Reach 1 (`sdkReach.ts`): the SDK's per-request transport sends through this exchange. */
  tap(inner: Transport): Transport {
    const send = inner.send.bind(inner);
    inner.send = (message: JSONRPCMessage, options?: TransportSendOptions) => this.#send(send, message, options);
    return inner;
  }

  async #send(send: Transport['send'], message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const response = isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message);
    if (response) {
      if (this.#log !== undefined) await this.#append(message, false).then(() => this.#log!.end(this.#streamId));
      return send(message, options); // ends the SDK's exchange (a JSON answer when nothing streamed)
    }
    if (options?.relatedRequestId === undefined) return send(message, options);
    if (this.#log === undefined) {
      this.#log = new MemoryEventLog({ ...this.#options, keepDelivered: false });
      this.#streamId = this.#log.openStreamNow();
      this.#logPressure = this.#log.pressure(this.#streamId);
      // Queued first, so that what is sent next comes after it; then the SDK answers with SSE (its body is replaced by ours).
      const appended = this.#append(message, true);
      await send(message, options);
      await appended;
      return;
    }
    await this.#append(message, true);
  }

  #append(message: JSONRPCMessage, wait: boolean): Promise<unknown> {
    const data = outboundJson(message);
    return this.#order.run(() => this.#log!.append(this.#streamId, data, { wait }));
  }
}

export function createModernEndpoint(options: ModernEndpointOptions) {
  const exchanges = new WeakMap<Request, Exchange>();
  const handler: McpHttpHandler = createMcpHandler(
    ({ requestInfo }) => {
      const exchange = new Exchange(options.eventLog);
      if (requestInfo !== undefined) exchanges.set(requestInfo as Request, exchange);
      const outbound = { pressure: exchange.pressure };
      const server = options.sluice.createServer({ resourceStreams: true, outbound: () => outbound, stream: 'exchange' });
      return tapConnect(server, (transport) => exchange.tap(transport));
    },
    { legacy: 'reject', keepAliveMs: options.keepAliveMs, maxRequestBodySize: options.maxRequestBodySize, onerror: options.reportError },
  );

  async function fetch(request: Request, body: unknown): Promise<Response> {
    const response = await handler.fetch(request, { parsedBody: body, ...authExtraOf(request) });
    const exchange = exchanges.get(request);
    const reader = exchange?.reader();
    if (reader === undefined || response.body === null) return response;
    const tracker = options.sluice.activity.openStream({ kind: 'exchange', pressure: exchange!.pressure, highWaterBytes: options.eventLog.highWaterBytes });
    const ours = sseBody(reader.cursor, { withIds: false, retryMs: 0, keepAliveMs: options.keepAliveMs, onDone: reader.clear, tracker });
    // The SDK's body holds only the first streamed message; nothing reads it.
    return new Response(ours, { status: response.status, headers: response.headers });
  }

  return { fetch, close: () => handler.close() };
}
