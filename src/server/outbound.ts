/**
 * What a tool call writes to, handed to it by whoever runs it (a 2025
 * session, a 2026-07-28 exchange, a stdio connection, later a task runner):
 * its signal, how to send a notification, the pressure of the stream those
 * notifications are appended to, and how to end the connection reading that
 * stream (SSE polling). `server/` knows nothing of HTTP requests or
 * connections.
 *
 * @module
 */
import type { ServerContext } from '@modelcontextprotocol/server';
import type { StreamPressure } from '../stores/eventLog.js';

export type { StreamPressure };

/** What a runner knows of the stream a request's messages go out on. */
export interface CallOutbound {
  /** The stream's backpressure: the call waits on it. */
  readonly pressure: StreamPressure;
  /** Ends the connection reading the stream; the client resumes (absent where nothing can resume). */
  readonly closeStream?: () => void;
}

/** The stream a request's messages go out on, if its runner has one. */
export type OutboundLookup = (requestId: string | number) => CallOutbound | undefined;

/** Everything a tool call writes to. */
export interface CallChannel {
  /** Aborted when whoever runs the call gives up on it (the client cancelled; on 2026-07-28, it left). */
  readonly signal: AbortSignal;
  /** The request's `_meta` (progress and partial-result tokens). */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** Sends one notification related to the call; resolves once its stream took it (may wait for room). */
  notify(notification: { method: string; params: Record<string, unknown> }): Promise<void>;
  readonly outbound: CallOutbound | undefined;
  /** The SDK's request context, for handlers that want it (`ctx.mcp`). */
  readonly mcp: ServerContext;
  /** The log level the client set (`logging/setLevel`, or the 2026-07-28 envelope's); `undefined`: it wants no log messages. */
  readonly logLevel?: () => string | undefined;
}

/** The channel of a call that came through the SDK server, on the stream its runner named. */
export function sdkCallChannel(mcp: ServerContext, outbound: CallOutbound | undefined, logLevel?: () => string | undefined): CallChannel {
  return {
    ...(logLevel !== undefined && { logLevel }),
    signal: mcp.mcpReq.signal,
    meta: mcp.mcpReq._meta as Record<string, unknown> | undefined,
    notify: (notification) => mcp.mcpReq.notify(notification as Parameters<typeof mcp.mcpReq.notify>[0]),
    outbound,
    mcp,
  };
}
