/**
 * Every place sluice relies on the SDK beyond its documented API, in one
 * file. Each reach says what it relies on; `test/transports/http/sdkReach.test.ts`
 * fails when the SDK changes under it (`@modelcontextprotocol/server` is
 * pinned exactly).
 *
 * 1. **The per-request transport of a 2026-07-28 exchange.** `createMcpHandler`
 *    validates the envelope, builds a server from our factory and connects it
 *    to a `PerRequestHTTPServerTransport` it creates itself. We wrap the
 *    server's `connect` to tap that transport (its `send` is replaced on the
 *    instance, which serves this one request): what the server sends on the
 *    exchange's stream goes to sluice's stream log; only
 *    the first streamed message (which makes the SDK answer with SSE) and the
 *    final response (which ends the exchange) still reach the SDK transport.
 *    Relied on: the factory's server is connected exactly once, to the
 *    transport that serves the request, and that transport settles its HTTP
 *    response with an SSE body on the first related notification.
 *
 * @module
 */
import type { Server, Transport } from '@modelcontextprotocol/server';

/** Reach 1: every transport `server` is connected to passes through `tap` first. */
export function tapConnect(server: Server, tap: (transport: Transport) => Transport): Server {
  const connect = server.connect.bind(server);
  server.connect = (transport: Transport) => connect(tap(transport));
  return server;
}
