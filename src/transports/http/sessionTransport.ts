/**
 * The transport of one 2025-era session, as the SDK server sees it: inbound
 * messages are handed to the server as they arrive on POSTs; everything the
 * server sends is appended to the session's {@link EventLog}, on the stream
 * of the request it relates to (or the standalone GET stream). Connections
 * are cursors on those streams (see `sseBody.ts`); this transport never
 * writes to a socket, so a call keeps running and keeps its log while its
 * client is away.
 *
 * Per stream, messages are appended in the order the server sent them;
 * a call's notifications and server requests wait for room under the
 * high-water mark, results never wait on anything but what was sent before
 * them. A stream ends when every request on it is answered or cancelled.
 *
 * @module
 */
import {
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { Method } from '../../protocol/wire.js';
import type { CallOutbound } from '../../server/outbound.js';
import { Serial } from '../../flow/serial.js';
import { outboundJson } from '../messageJson.js';
import type { EventLog } from '../../stores/eventLog.js';

type RequestId = string | number;
/** The stream of a request whose stream is still being opened. */
const OPENING = '';
/** Ids of the server's own requests to the client, in a cluster: `sluice:NODE:ID`. */
const SERVER_REQUEST_PREFIX = 'sluice:';

function parseServerRequestId(id: unknown): { node: string; id: RequestId } | undefined {
  if (typeof id !== 'string' || !id.startsWith(SERVER_REQUEST_PREFIX)) return undefined;
  const at = id.lastIndexOf(':');
  if (at <= SERVER_REQUEST_PREFIX.length) return undefined;
  const original = id.slice(at + 1);
  return { node: id.slice(SERVER_REQUEST_PREFIX.length, at), id: /^\d+$/.test(original) ? Number(original) : original };
}

/** The node that sent the request a client's answer is for (`undefined`: not a tagged answer). */
export function serverRequestNodeOf(message: JSONRPCMessage): string | undefined {
  if (!isJSONRPCResultResponse(message) && !isJSONRPCErrorResponse(message)) return undefined;
  return parseServerRequestId(message.id)?.node;
}

/** The id of the replayed `initialize` of a restored session (a string no client request can collide with here: it never enters the request map). */
const RESTORE_REQUEST_ID = 'sluice:restore';

export class SessionTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  readonly sessionId: string;
  readonly #log: EventLog;
  /** Requests in flight → the stream their messages go on. */
  readonly #requests = new Map<RequestId, string>();
  /** Streams → their requests still in flight. */
  readonly #open = new Map<string, Set<RequestId>>();
  /** Streams with a connection reading them → how to end that connection. */
  readonly #attached = new Map<string, () => void>();
  /** Appends per stream, in the order they were sent. */
  readonly #order = new Map<string, Serial>();
  /** Streams the client can resume (they began with a priming event). */
  readonly #resumable = new Set<string>();
  #standalone: Promise<string> | undefined;
  #standaloneId: string | undefined;
  #closed = false;
  readonly #onSettled: (id: RequestId) => void;
  /** Requests of our own whose answers go nowhere (the handshake replayed by {@link SessionTransport.restore}). */
  readonly #discarded = new Map<RequestId, () => void>();

  readonly #node: () => string;

  /**
   * `onSettled` hears of every request answered or cancelled (the cluster
   * releases its claim). With `node` (the node's id, in a cluster), the ids
   * of this server's own requests to the client name the node
   * (`sluice:NODE:ID`), so an answer that lands on another node finds its way
   * back ({@link serverRequestNodeOf}).
   */
  constructor(sessionId: string, log: EventLog, options: { readonly onSettled?: (id: RequestId) => void; readonly node?: () => string } = {}) {
    this.sessionId = sessionId;
    this.#log = log;
    this.#onSettled = options.onSettled ?? (() => {});
    this.#node = options.node ?? (() => '');
  }

  async start(): Promise<void> {}

  /** Whether a request with this id is in flight (a reused id is refused before it gets here). */
  inFlight(id: RequestId): boolean {
    return this.#requests.has(id);
  }

  /** Every request in flight. */
  requests(): RequestId[] {
    return [...this.#requests.keys()];
  }

  /** Stops a request the way a client's cancellation does: its handler is aborted, and it is never answered. */
  cancel(id: RequestId, reason: string): void {
    if (!this.#requests.has(id)) return;
    this.receive({ jsonrpc: '2.0', method: Method.CancelledNotification, params: { requestId: id, reason } }, {});
    this.retire(id);
  }

  /** A stream was taken from this node (another node took it over, or the store lost it): its requests stop, nobody can read them. */
  lost(streamId: string): void {
    for (const id of this.requestsOn(streamId)) this.cancel(id, 'its stream was taken over by another node (this node was presumed dead) or lost by the store');
  }

  /** The requests in flight on a stream. */
  requestsOn(streamId: string): RequestId[] {
    return [...(this.#open.get(streamId) ?? [])];
  }

  /** The stream a request's messages go on: its pressure, and on a resumable stream how to end its connection (SSE polling). */
  outboundOf(id: RequestId): CallOutbound | undefined {
    const streamId = this.#requests.get(id);
    if (streamId === undefined) return undefined;
    const pressure = this.#log.pressure(streamId);
    return this.#resumable.has(streamId) ? { pressure, closeStream: () => this.closeStreamOf(id) } : { pressure };
  }

  /** Opens the stream answering a POST of requests; `priming` appends the empty event a client resumes from. */
  async openStream(ids: readonly RequestId[], priming: boolean): Promise<string> {
    // In flight from now on, before any await: a concurrent POST reusing one of these ids is refused.
    for (const id of ids) this.#requests.set(id, OPENING);
    let streamId: string;
    try {
      streamId = await this.#log.openStream();
    } catch (error) {
      for (const id of ids) this.#requests.delete(id);
      throw error;
    }
    this.#open.set(streamId, new Set(ids));
    for (const id of ids) this.#requests.set(id, streamId);
    if (priming) {
      this.#resumable.add(streamId);
      await this.#log.append(streamId, '');
    }
    return streamId;
  }

  /** The standalone stream (server messages related to no request). */
  standaloneStream(): Promise<string> {
    // Lossy: no call waits on it, so the log's bounds take its oldest events if nobody reads them.
    // Shared: every node serving the session sends such messages to the one stream the client's GET reads.
    return (this.#standalone ??= this.#log.openStream({ lossy: true, shared: 'standalone' }).then((id) => (this.#standaloneId = id)));
  }

  /** Whether `streamId` is the standalone stream (as far as this node opened it). */
  isStandalone(streamId: string): boolean {
    return streamId === this.#standaloneId;
  }

  /**
   * Initializes the SDK server of a session opened on another node: the
   * client's own `initialize` parameters, then `notifications/initialized`,
   * answered to nobody. Only then may the client's request reach it.
   */
  async restore(initialize: Readonly<Record<string, unknown>>): Promise<void> {
    const id = RESTORE_REQUEST_ID;
    await new Promise<void>((resolve) => {
      this.#discarded.set(id, resolve);
      this.receive({ jsonrpc: '2.0', id, method: Method.Initialize, params: initialize as JSONRPCRequest['params'] }, {});
    });
    this.receive({ jsonrpc: '2.0', method: Method.InitializedNotification }, {});
  }

  /** Hands an inbound message to the server (an answer to one of its requests with the id it sent). */
  receive(message: JSONRPCMessage, extra: MessageExtraInfo): void {
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const tagged = parseServerRequestId(message.id);
      if (tagged !== undefined && tagged.node === this.#node()) message = { ...message, id: tagged.id };
    }
    this.onmessage?.(message, extra);
  }

  /** A request the server will never answer (the client cancelled it): its stream may end. */
  retire(id: RequestId): void {
    const streamId = this.#requests.get(id);
    if (streamId === undefined) return;
    this.#requests.delete(id);
    void this.#enqueue(streamId, () => this.#settle(streamId, id));
  }

  /** Registers the connection reading a stream (one at a time: callers check {@link SessionTransport.attached} first). */
  attach(streamId: string, end: () => void): void {
    this.#attached.set(streamId, end);
  }

  detach(streamId: string, end: () => void): void {
    if (this.#attached.get(streamId) === end) this.#attached.delete(streamId);
  }

  /**
   * Nothing in flight: no request, no connection reading a stream, no append
   * waiting. A quiet session's live objects may be released (it hibernates);
   * its streams stay in the log.
   */
  get quiet(): boolean {
    return this.#requests.size === 0 && this.#attached.size === 0 && this.#order.size === 0 && this.#discarded.size === 0;
  }

  /** Connections reading the session's streams now. */
  get connections(): number {
    return this.#attached.size;
  }

  /** Whether a connection reads this stream now. */
  attached(streamId: string): boolean {
    return this.#attached.has(streamId);
  }

  /** Ends the connection reading a request's stream; the client resumes (SSE polling, SEP-1699; the SDK's `closeSSE`). */
  closeStreamOf(id: RequestId): void {
    const streamId = this.#requests.get(id);
    if (streamId !== undefined) this.#attached.get(streamId)?.();
  }

  /** Ends the connection reading the standalone stream (the SDK's `closeStandaloneSSE`). */
  async closeStandalone(): Promise<void> {
    if (this.#standalone !== undefined) this.#attached.get(await this.#standalone)?.();
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed) return;
    const data = outboundJson(message);
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = (message as { id: RequestId }).id;
      const discard = this.#discarded.get(id);
      if (discard !== undefined) {
        this.#discarded.delete(id);
        discard();
        return;
      }
      const streamId = this.#requests.get(id);
      if (streamId === undefined) {
        this.onerror?.(new Error(`A response for request ${JSON.stringify(id)}, which is not in flight, was dropped`));
        return;
      }
      this.#requests.delete(id);
      await this.#enqueue(streamId, async () => {
        // Released before the answer can reach the client, which may send the same id next, to any node
        // (in Redis the release is issued first on the one ordered connection).
        this.#onSettled(id);
        await this.#log.append(streamId, data);
        await this.#settle(streamId, id, false);
      });
      return;
    }
    const related = options?.relatedRequestId;
    const outgoing = this.#tagged(message, data);
    if (related !== undefined) {
      const streamId = this.#requests.get(related);
      // Answered or cancelled: nobody listens for this any more.
      if (streamId === undefined) return;
      await this.#enqueue(streamId, () => this.#log.append(streamId, outgoing, { wait: true }));
      return;
    }
    const standalone = await this.standaloneStream();
    await this.#enqueue(standalone, () => this.#log.append(standalone, outgoing));
  }

  /** A request of the server's own, in a cluster: its id names this node. */
  #tagged(message: JSONRPCMessage, data: string): string {
    const node = this.#node();
    if (node === '' || !isJSONRPCRequest(message)) return data;
    return JSON.stringify({ ...message, id: `${SERVER_REQUEST_PREFIX}${node}:${message.id}` });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const end of [...this.#attached.values()]) end();
    this.#attached.clear();
    this.#requests.clear();
    this.#open.clear();
    this.onclose?.();
  }

  async #settle(streamId: string, id: RequestId, release = true): Promise<void> {
    if (release) this.#onSettled(id);
    const open = this.#open.get(streamId);
    open?.delete(id);
    if (open !== undefined && open.size === 0) {
      this.#open.delete(streamId);
      this.#resumable.delete(streamId);
      await this.#log.end(streamId);
    }
  }

  /** Runs `append` after every earlier append to the same stream. */
  async #enqueue<T>(streamId: string, append: () => Promise<T>): Promise<T> {
    let order = this.#order.get(streamId);
    if (order === undefined) this.#order.set(streamId, (order = new Serial()));
    try {
      return await order.run(append);
    } finally {
      if (order.pending === 0 && this.#order.get(streamId) === order) this.#order.delete(streamId);
    }
  }
}
