/**
 * The client side of MCP over WebSocket (`ws://`, `wss://`): an SDK
 * `Transport`, so the SDK client owns the protocol (ids, timeouts,
 * cancellation, progress) as on any transport. SDK v2 dropped its own.
 *
 * One JSON-RPC message per text frame; the `mcp` subprotocol is offered.
 * `send` resolves once the socket wrote the frame (the `ws` send callback),
 * so a caller that awaits its sends is held back by a slow server. A closed
 * socket closes the transport (`onclose`): there is no resumption over a
 * WebSocket, a call in flight then fails at once.
 *
 * @module
 */
import { type JSONRPCMessage, parseJSONRPCMessage, type Transport } from '@modelcontextprotocol/client';
import { WebSocket } from 'ws';
import { MCP_WEBSOCKET_SUBPROTOCOL } from '../protocol/wire.js';

export class WebSocketClientTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  #ws: WebSocket | undefined;

  constructor(private readonly url: URL) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.url, [MCP_WEBSOCKET_SUBPROTOCOL], { perMessageDeflate: false });
      this.#ws = ws;
      const failed = (error: Error) => reject(error);
      ws.once('error', failed);
      ws.once('unexpected-response', (_request, response) => {
        reject(new Error(`the server answered the WebSocket upgrade with HTTP ${response.statusCode}`));
        response.resume();
      });
      ws.once('open', () => {
        ws.off('error', failed);
        ws.on('error', (error) => this.onerror?.(error));
        resolve();
      });
      ws.on('message', (data) => {
        try {
          this.onmessage?.(parseJSONRPCMessage(JSON.parse(String(data))));
        } catch (error) {
          this.onerror?.(new Error(`A frame from the server is not a JSON-RPC message: ${(error as Error).message}`));
        }
      });
      ws.once('close', () => this.onclose?.());
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== ws.OPEN) return Promise.reject(new Error('the WebSocket is not open'));
    return new Promise((resolve, reject) => ws.send(JSON.stringify(message), (error) => (error === undefined || error === null ? resolve() : reject(error))));
  }

  async close(): Promise<void> {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState === ws.CLOSED) return;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.close(1000);
    await closed;
  }
}
