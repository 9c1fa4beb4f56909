/**
 * The load generator's WebSocket client: one connection, `tools/call` with
 * the 2026-07-28 per-request envelope (no initialize), answers matched by id.
 * The same shape as `RawClient` (bench/lib/rawClient.ts), for the small-calls
 * rows over WebSocket.
 */
import { WebSocket } from 'ws';

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

export class WsRawClient {
  #id = 0;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const pending = this.#pending.get(message.id);
      this.#pending.delete(message.id);
      if (message.error !== undefined) pending?.reject(new Error(message.error.message));
      else pending?.resolve(message.result);
    });
    ws.once('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('the connection closed'));
      this.#pending.clear();
    });
  }

  static connect(url: string): Promise<WsRawClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ['mcp'], { perMessageDeflate: false });
      ws.once('open', () => resolve(new WsRawClient(ws)));
      ws.once('error', reject);
    });
  }

  callTool(name: string, args: Record<string, unknown>): Promise<unknown> {
    const id = this.#id++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, _meta: ENVELOPE } }));
    });
  }

  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await closed;
  }
}
