/**
 * Where a tool call finds the stream it writes to. Whoever runs the call (a
 * 2025 session, a 2026-07-28 exchange, a stdio connection, later a task
 * runner) passes a lookup when it creates the server: from the request id to
 * the {@link StreamPressure} of the stream the call's messages are appended
 * to. `server/` knows nothing of HTTP requests or connections.
 *
 * @module
 */
import type { StreamPressure } from '../stores/eventLog.js';

export type { StreamPressure };

/** The stream a request's messages go out on, if its runner has one. */
export type OutboundLookup = (requestId: string | number) => StreamPressure | undefined;
