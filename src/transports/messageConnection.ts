/**
 * One connection that carries JSON-RPC messages one by one (stdio, a
 * WebSocket), as the SDK server sees it: what the client sends is read by an
 * inner transport; whatever the server sends is appended to the connection's
 * one bounded stream log, which a pump (the transport's own: stdout, a
 * socket) writes out as its peer takes it. A reader that stops reading holds
 * the tools back at the high-water mark instead of growing memory.
 *
 * Around that:
 * - **a request id reused while in flight is refused** with -32600 (and
 *   `id: null`, so it cannot be taken for the first request's answer); the
 *   first request is unharmed;
 * - the capabilities the client declared at initialize (the SDK keeps only
 *   those it knows);
 * - responses are marked, for pumps that write them on their own.
 *
 * @module
 */
import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import { MAX_TIMER_DELAY_MS } from '../errors.js';
import { Serial } from '../flow/serial.js';
import { ErrorCode, Method } from '../protocol/wire.js';
import { MemoryEventLog } from '../stores/memory/memoryEventLog.js';
import { outboundJson } from './messageJson.js';

/** Events a connection's stream holds unread at most; its producers wait at half of it (results never wait). */
const MAX_UNREAD_EVENTS = 100_000;

/** The SDK's view of the connection: `inner` reads, everything sent goes to the log (see the module comment). */
export class MessageConnection implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  /** What the client declared at initialize. */
  declared: Record<string, unknown> | undefined;
  /** Event ids of responses, for the pump: a response is written on its own. */
  readonly responses = new Set<string>();
  readonly #inner: Transport;
  readonly #log: MemoryEventLog;
  readonly #stream: string;
  readonly #inflight = new Set<string | number>();
  /** Appends in send order. */
  readonly #order = new Serial();

  constructor(inner: Transport, log: MemoryEventLog, stream: string) {
    this.#inner = inner;
    this.#log = log;
    this.#stream = stream;
  }

  start(): Promise<void> {
    this.#inner.onmessage = (message, extra) => this.#receive(message, extra);
    this.#inner.onclose = () => this.onclose?.();
    this.#inner.onerror = (error) => this.onerror?.(error);
    return this.#inner.start();
  }

  #receive(message: JSONRPCMessage, extra: Parameters<NonNullable<Transport['onmessage']>>[1]): void {
    if ('method' in message && 'id' in message) {
      if (this.#inflight.has(message.id)) {
        void this.send(reusedIdError(message.id));
        return;
      }
      this.#inflight.add(message.id);
      if (message.method === Method.Initialize) this.declared = (message.params as { capabilities?: Record<string, unknown> } | undefined)?.capabilities;
    } else if ('method' in message && message.method === Method.CancelledNotification) {
      const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
      if (typeof requestId === 'string' || typeof requestId === 'number') this.#inflight.delete(requestId); // never answered now
    }
    this.onmessage?.(message, extra);
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const response = !('method' in message) && 'id' in message;
    if (response && (typeof message.id === 'string' || typeof message.id === 'number')) this.#inflight.delete(message.id);
    // A call's notifications wait for room; responses and everything else only for what was sent before them.
    const wait = !response && options?.relatedRequestId !== undefined;
    const data = outboundJson(message);
    return this.#order.run(async () => {
      const id = await this.#log.append(this.#stream, data, { wait });
      if (response && id !== undefined) this.responses.add(id);
    });
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}


/**
 * The log of one connection: one stream, delivered events dropped at once
 * and unread ones never aged out (nothing resumes a pipe or a socket).
 */
export function connectionLog(highWaterBytes: number): { log: MemoryEventLog; stream: string } {
  const log = new MemoryEventLog({
    highWaterBytes,
    keepDelivered: false,
    limits: { maxAgeMs: MAX_TIMER_DELAY_MS, maxEvents: MAX_UNREAD_EVENTS, maxBytes: Number.MAX_SAFE_INTEGER, maxSessionBytes: Number.MAX_SAFE_INTEGER, maxStreams: 1 },
  });
  return { log, stream: log.openStreamNow() };
}

function reusedIdError(id: string | number): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id: null,
    error: { code: ErrorCode.InvalidRequest, message: `Invalid Request: request id ${JSON.stringify(id)} is already in flight; use a new id`, data: { requestId: id } },
  } as unknown as JSONRPCMessage;
}
