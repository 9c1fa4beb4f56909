/**
 * A minimal MCP client over fetch for load generation: cheaper than the SDK
 * client, so the driver is not the bottleneck, and identical for every server
 * under test. Speaks the 2025 handshake (with a session when the server gives
 * one) or 2026-07-28 envelopes.
 */
export type Era = '2025-11-25' | '2026-07-28';

const ACCEPT = 'application/json, text/event-stream';
const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench', version: '0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

export class RawClient {
  #id = 0;
  #session: string | undefined;

  private constructor(
    readonly url: string,
    readonly era: Era,
  ) {}

  static async connect(url: string, era: Era, capabilities: Record<string, unknown> = {}): Promise<RawClient> {
    const client = new RawClient(url, era);
    if (era === '2025-11-25') {
      const init = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: client.#id++,
          method: 'initialize',
          params: { protocolVersion: era, capabilities, clientInfo: { name: 'bench', version: '0' } },
        }),
      });
      client.#session = init.headers.get('mcp-session-id') ?? undefined;
      await init.text();
      const ack = await fetch(url, { method: 'POST', headers: client.#headers(), body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) });
      await ack.text();
    }
    return client;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      'content-type': 'application/json',
      accept: ACCEPT,
      'mcp-protocol-version': this.era,
      ...(this.#session !== undefined && { 'mcp-session-id': this.#session }),
      ...extra,
    };
  }

  /** Calls a tool and returns the raw response text (JSON or SSE). Throws on a non-2xx status or a missing result. */
  async callTool(name: string, args: Record<string, unknown>): Promise<string> {
    const response = await this.#postToolCall(name, args, {}, {});
    const text = await response.text();
    if (!response.ok || !text.includes('"result"')) throw new Error(`tools/call failed: HTTP ${response.status} ${text.slice(0, 200)}`);
    return text;
  }

  /** Starts a tool call and returns the response without reading its body (a client that stopped reading). */
  startStalled(name: string, args: Record<string, unknown>, meta: Record<string, unknown>, capabilities: Record<string, unknown>): Promise<Response> {
    return this.#postToolCall(name, args, meta, capabilities);
  }

  #postToolCall(name: string, args: Record<string, unknown>, meta: Record<string, unknown>, capabilities: Record<string, unknown>): Promise<Response> {
    const modern = this.era === '2026-07-28';
    const envelope = modern ? { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': capabilities } : {};
    return fetch(this.url, {
      method: 'POST',
      headers: this.#headers(modern ? { 'mcp-method': 'tools/call', 'mcp-name': name } : {}),
      body: JSON.stringify({ jsonrpc: '2.0', id: this.#id++, method: 'tools/call', params: { name, arguments: args, _meta: { ...meta, ...envelope } } }),
    });
  }

  /** One JSON-RPC request (2026-07-28 envelope with `capabilities`); resolves with its result, throws on an error. */
  async rpc(method: string, params: Record<string, unknown>, capabilities: Record<string, unknown>, name?: string): Promise<Record<string, unknown>> {
    const modern = this.era === '2026-07-28';
    const envelope = modern ? { ...ENVELOPE, 'io.modelcontextprotocol/clientCapabilities': capabilities } : {};
    const response = await fetch(this.url, {
      method: 'POST',
      headers: this.#headers(modern ? { 'mcp-method': method, ...(name !== undefined && { 'mcp-name': name }) } : {}),
      body: JSON.stringify({ jsonrpc: '2.0', id: this.#id++, method, params: { ...params, _meta: envelope } }),
    });
    const text = await response.text();
    // A JSON body, or SSE whose last data line is the response.
    const json = text.startsWith('{') ? text : (text.split('\n').filter((line) => line.startsWith('data: ')).at(-1)?.slice(6) ?? '');
    const message = JSON.parse(json) as { result?: Record<string, unknown>; error?: { message: string } };
    if (message.result === undefined) throw new Error(`${method} failed: HTTP ${response.status} ${message.error?.message ?? text.slice(0, 200)}`);
    return message.result;
  }

  async close(): Promise<void> {
    if (this.#session !== undefined) {
      await fetch(this.url, { method: 'DELETE', headers: this.#headers() }).then((r) => r.text()).catch(() => {});
    }
  }
}
