/**
 * `connect(target)`: an SDK v2 client connected to an HTTP URL or a stdio
 * command, with the calls the CLI needs. Streaming calls arrive with the
 * streaming-tool-calls and large-resources work; this is the thin base.
 *
 * @module
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { CallToolResult, ReadResourceResult, Tool } from '@modelcontextprotocol/client';
import { DEFAULT_RECONNECT_INITIAL_DELAY_MS, DEFAULT_RECONNECT_MAX_ATTEMPTS, DEFAULT_RECONNECT_MAX_DELAY_MS } from '../defaults.js';
import { RemoteError } from '../errors.js';
import { backoffDelay, type BackoffPolicy } from '../flow/backoff.js';
import { z } from 'zod';
import { Method, PARTIAL_RESULTS_CAPABILITY, RESOURCE_STREAMING_CLIENT_CAPABILITY, STATELESS_PROTOCOL_VERSION } from '../protocol/wire.js';
import { callToolStream, type CallRegistry, type CallStreamOptions, type PartialEvent, type ToolCallStream } from './callStream.js';
import { deliverNotificationsBeforeResponses } from './ordering.js';
import { type ReconnectAttempt, readResourceStream, type ReadStreamOptions, type ResourceStream } from './readStream.js';
import { remote } from './remote.js';
import { tapServerCapabilities } from './serverCapabilities.js';
import { tapTaskHandles } from './taskHandles.js';
import { TaskOps } from './tasks.js';
import { type FetchLike, nodeFetch } from './nodeFetch.js';
import { watchingFetch } from './streamWatch.js';
import { parseTarget } from './target.js';

/** Which protocol era the client speaks. */
export type Era = 'auto' | 'legacy' | 'modern';

export interface ConnectOptions {
  /** `auto` probes for 2026-07-28 and falls back; `legacy` speaks 2025-11-25; `modern` insists on 2026-07-28. @defaultValue 'auto' */
  readonly era?: Era;
  readonly clientInfo?: { readonly name: string; readonly version: string };
  /** Extra environment for a stdio server. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Resuming dropped HTTP streams (2025 era: `Last-Event-ID`; resource reads:
   * `Range` or the window again): exponential backoff with jitter, never
   * sooner than the server's `retry`, at most `maxAttempts` in a row; then
   * the call fails with `StreamLostError`.
   */
  readonly reconnect?: Partial<BackoffPolicy>;
  /** Told before each attempt to resume a dropped stream (the CLI prints it). */
  readonly onReconnect?: (attempt: ReconnectAttempt) => void;
  /**
   * What HTTP requests go through. @defaultValue {@link nodeFetch}
   * (`node:http`): it starts in a fraction of the time and memory of Node's
   * `fetch` (which compiles a WebAssembly parser on its first request) and
   * hands raw resource streams their bytes without a web stream. Pass
   * `fetch` (or your own) to go through undici instead, e.g. behind a proxy
   * set with `setGlobalDispatcher`.
   */
  readonly fetch?: FetchLike;
}


export type CallOptions = CallStreamOptions;

export interface SluiceClient {
  readonly sdk: Client;
  listTools(): Promise<Tool[]>;
  /** Calls a tool and resolves with its result; progress goes to `options.onProgress`. */
  callTool(name: string, args: Record<string, unknown>, options?: CallOptions): Promise<CallToolResult>;
  /** Calls a tool as an async iterable of progress events followed by the result. */
  callToolStream(name: string, args: Record<string, unknown>, options?: CallOptions): ToolCallStream;
  readResource(uri: string, options?: { readonly signal?: AbortSignal; readonly timeoutMs?: number }): Promise<ReadResourceResult>;
  /** Reads a resource of any size as an async iterable of bytes, in bounded memory (see `readStream.ts`). */
  readResourceStream(uri: string, options?: ReadStreamOptions): ResourceStream;
  /** Tasks: read, wait for (by id alone, even from another process), cancel, list (2025-11-25). */
  readonly tasks: TaskOps;
  close(): Promise<void>;
}

const STDERR_TAIL_CHARS = 2000;

/** `notifications/tools/partial_result` params (SEP-2998); unknown fields pass through. */
const PARTIAL_RESULT_PARAMS = z.looseObject({
  partialResultToken: z.union([z.string(), z.number()]),
  seq: z.number().int().nonnegative(),
  content: z.array(z.looseObject({ type: z.string() })),
  structuredContent: z.unknown().optional(),
  final: z.boolean().optional(),
});

export async function connect(target: string, options: ConnectOptions = {}): Promise<SluiceClient> {
  const parsed = parseTarget(target);
  const era = options.era ?? 'auto';
  const clientInfo = options.clientInfo ?? { name: 'sluice', version: '0' };
  const capabilities = {
    // SEP-2998: we accept partial results (each call also carries its partialResultToken).
    [PARTIAL_RESULTS_CAPABILITY]: {},
    // SEP-2532: we accept raw resource streams.
    [RESOURCE_STREAMING_CLIENT_CAPABILITY]: {},
  };
  const client = new Client(clientInfo, {
    versionNegotiation: { mode: era === 'modern' ? { pin: '2026-07-28' } : era },
    capabilities: capabilities as Record<string, object>,
  });
  const registry: CallRegistry = { lost: new Map(), partial: new Map() };
  client.setNotificationHandler(Method.PartialResultNotification, { params: PARTIAL_RESULT_PARAMS }, (params) => {
    const { partialResultToken, seq, content, structuredContent } = params;
    const event: PartialEvent = { seq, content: content as PartialEvent['content'], ...(structuredContent !== undefined && { structuredContent }) };
    registry.partial.get(String(partialResultToken))?.(event);
  });
  let stderrTail = '';
  const policy: BackoffPolicy = {
    initialDelayMs: options.reconnect?.initialDelayMs ?? DEFAULT_RECONNECT_INITIAL_DELAY_MS,
    maxDelayMs: options.reconnect?.maxDelayMs ?? DEFAULT_RECONNECT_MAX_DELAY_MS,
    factor: options.reconnect?.factor ?? 2,
    maxAttempts: options.reconnect?.maxAttempts ?? DEFAULT_RECONNECT_MAX_ATTEMPTS,
  };
  const httpFetch = options.fetch ?? nodeFetch;
  const transport =
    parsed.kind === 'http'
      ? new StreamableHTTPClientTransport(parsed.url, {
          fetch: watchingFetch((callId, reason, kind) => registry.lost.get(callId)?.(reason, kind), policy.maxAttempts, httpFetch),
          // The SDK's own backoff is zeroed so that the delay it hands the scheduler is the server's
          // `retry` (or 0): our scheduler makes that the floor of a jittered exponential backoff.
          reconnectionOptions: { initialReconnectionDelay: 0, maxReconnectionDelay: 0, reconnectionDelayGrowFactor: 1, maxRetries: policy.maxAttempts },
          reconnectionScheduler: (reconnect, serverRetryMs, attempt) => {
            const delayMs = backoffDelay(policy, attempt, serverRetryMs);
            options.onReconnect?.({ attempt: attempt + 1, maxAttempts: policy.maxAttempts, delayMs });
            const timer = setTimeout(reconnect, delayMs);
            return () => clearTimeout(timer);
          },
        })
      : parsed.kind === 'websocket'
        ? // Loaded only for a ws:// target: the `ws` library takes 30-40 ms to load (measured), which other targets do not pay.
          new (await import('./webSocketTransport.js')).WebSocketClientTransport(parsed.url)
        : new StdioClientTransport({
            command: parsed.command,
            args: [...parsed.args],
            stderr: 'pipe',
            ...(options.env !== undefined && { env: { ...process.env, ...options.env } as Record<string, string> }),
          });
  if (transport instanceof StdioClientTransport) {
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
  }
  const serverCapabilities = tapServerCapabilities(transport);
  try {
    await client.connect(transport);
    deliverNotificationsBeforeResponses(transport);
    tapTaskHandles(transport);
  } catch (error) {
    await client.close().catch(() => {});
    const detail = stderrTail.trim() === '' ? '' : ` (server stderr: ${stderrTail.trim().split('\n').slice(-3).join(' | ')})`;
    throw new RemoteError(`Cannot connect to ${target}: ${(error as Error).message}${detail}`, undefined, { cause: error });
  }

  const http = transport instanceof StreamableHTTPClientTransport ? transport : undefined;
  const readConnection = {
    client,
    url: parsed.kind === 'http' ? parsed.url : undefined,
    fetch: httpFetch,
    sessionId: () => http?.sessionId,
    serverCapabilities,
    capabilities,
    reconnect: policy,
    ...(options.onReconnect !== undefined && { onReconnect: options.onReconnect }),
    clientInfo,
  };

  const tasks = new TaskOps(client, () => (client.getNegotiatedProtocolVersion() ?? '') >= STATELESS_PROTOCOL_VERSION, capabilities);
  return {
    sdk: client,
    tasks,
    listTools: async () => (await remote(client.listTools())).tools,
    callTool: (name, args, call = {}) => callToolStream(client, registry, name, args, call, tasks).result,
    callToolStream: (name, args, call = {}) => callToolStream(client, registry, name, args, call, tasks),
    readResource: (uri, call = {}) =>
      remote(
        client.readResource(
          { uri },
          { ...(call.signal !== undefined && { signal: call.signal }), timeout: call.timeoutMs ?? 60_000 },
        ),
      ),
    readResourceStream: (uri, read) => readResourceStream(readConnection, uri, read),
    close: async () => {
      // End a 2025-era HTTP session explicitly instead of leaving it to the server's idle TTL.
      if (transport instanceof StreamableHTTPClientTransport && transport.sessionId !== undefined) {
        await transport.terminateSession().catch(() => {});
      }
      await client.close();
    },
  };
}
