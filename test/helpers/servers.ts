/** Real servers on loopback port 0 for integration tests, and clients for them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { SluiceServer } from '../../src/server/sluiceServer.js';
import type { ToolDefinition } from '../../src/server/types.js';
import { buildServer, serveConfig } from '../../src/runner/buildServer.js';
import { loadConfig, parseConfig } from '../../src/runner/config.js';
import { serveHttp, type RunningHttpServer, type ServeHttpOptions } from '../../src/transports/http/nodeServer.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE_CONFIG = join(ROOT, 'examples/sluice.yaml');
/** The `sluice` command as installed: the bundle `npm run build` writes (scripts/bundle-cli.mjs). */
export const CLI = join(ROOT, 'dist/bin/sluice.mjs');

/** Serves the bundled example over HTTP on a free port. */
export async function startExample(options: ServeHttpOptions = {}): Promise<RunningHttpServer> {
  return serveHttp(buildServer(await loadConfig(EXAMPLE_CONFIG)), { port: 0, ...options });
}

/** Serves a config given as text (paths relative to `dir`). */
export async function startConfig(
  text: string,
  dir: string,
  options: ServeHttpOptions = {},
): Promise<RunningHttpServer & { sluice: SluiceServer }> {
  return serveConfig(parseConfig(text, join(dir, 'sluice.yaml')), { port: 0, ...options });
}

/** An SDK v2 client speaking the 2025 handshake (`legacy`) or pinned to 2026-07-28 (`modern`). */
export async function v2Client(url: string, era: 'legacy' | 'modern'): Promise<Client> {
  const client = new Client(
    { name: 'test', version: '0' },
    { versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : 'legacy' } },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

/** A temporary folder removed by the returned function. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A raw JSON-RPC POST to the endpoint. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
} as const;

/** Reads an SSE or JSON response and returns its JSON-RPC messages. */
export async function messagesOf(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    return text
      .split('\n')
      .filter((l) => l.startsWith('data:') && l.slice(5).trim() !== '')
      .map((l) => JSON.parse(l.slice(5)));
  }
  return text === '' ? [] : [JSON.parse(text)];
}

/**
 * A raw 2026-07-28 `tools/call`: one POST with the per-request envelope and
 * the standard headers. `meta` adds `_meta` keys (progressToken,
 * partialResultToken); `capabilities` is the envelope's client capabilities.
 */
export function modernToolCall(
  url: string,
  tool: string,
  options: { args?: Record<string, unknown>; meta?: Record<string, unknown>; capabilities?: Record<string, unknown>; id?: number } = {},
): Promise<Response> {
  return post(
    url,
    {
      jsonrpc: '2.0',
      id: options.id ?? 1,
      method: 'tools/call',
      params: {
        name: tool,
        arguments: options.args ?? {},
        _meta: {
          ...options.meta,
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '0' },
          'io.modelcontextprotocol/clientCapabilities': options.capabilities ?? {},
        },
      },
    },
    { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': tool },
  );
}

/**
 * A config (YAML text) with the `ticker` script tool: `count` numbered lines,
 * one every `delay` ms, each after a `::progress` line; progress unthrottled.
 * `closeStreamAfter` turns on SSE polling; `extra` is appended (e.g. resources).
 */
export function tickerConfig(options: { closeStreamAfter?: string; extra?: string } = {}): string {
  const script = join(ROOT, 'test/fixtures/scripts/ticker.mjs');
  return `
progress: { perSecond: 0 }
tools:
  - name: ticker
    description: prints numbered lines slowly
    command: node
    args: ["${script}", "{{count}}", "{{delay}}"]
    parameters: { count: { type: integer }, delay: { type: integer } }
${options.closeStreamAfter === undefined ? '' : `    closeStreamAfter: ${options.closeStreamAfter}\n`}${options.extra ?? ''}`;
}

/** A tool that reports progress 1 and then runs until cancelled; `onAbort` hears each cancellation it saw. */
export function untilCancelledTool(name: string, onAbort: () => void = () => {}): ToolDefinition {
  return {
    name,
    description: 'runs until cancelled',
    handler: (_args, ctx) =>
      new Promise((_resolve, reject) => {
        ctx.progress(1);
        ctx.signal.addEventListener('abort', () => {
          onAbort();
          reject(ctx.signal.reason);
        });
      }),
  };
}
