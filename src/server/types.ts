/**
 * The shapes a library user writes: tool, resource and prompt definitions and
 * the context a tool handler receives.
 *
 * @module
 */
import type {
  CallToolResult,
  InputRequiredResult,
  GetPromptResult,
  PromptArgument,
  ReadResourceResult,
  Resource,
  ServerContext,
  ToolAnnotations,
} from '@modelcontextprotocol/server';
import type { TaskSupport } from '../protocol/wire.js';
import type { JsonSchemaObject } from './jsonSchema.js';
import type { PartialContent, PartialPolicy } from './partial.js';
import type { LoggingLevel } from '../protocol/wire.js';
import type { ResourceBody } from './resourceBody.js';
import type { UriVariables } from './uriTemplate.js';

/** What a tool handler receives besides its arguments. */
export interface ToolContext {
  /** Aborted when the call is cancelled: by the client, by the tool's timeout, or by server shutdown. */
  readonly signal: AbortSignal;
  /**
   * Reports progress. Throttled (see `progressPerSecond`), only strictly
   * increasing values go out, the last value is always delivered before the
   * result. A no-op without a progress token, after cancellation and after the
   * result; it never throws.
   */
  progress(done: number, total?: number, message?: string): void;
  /**
   * Streams output (SEP-2998 partial results). Clients that opted in receive
   * ordered `notifications/tools/partial_result`; others see the latest line
   * in progress messages. Resolves when the transport accepted it: await it to
   * be held back by a slow client. The final result must still be complete.
   * A no-op after cancellation and after the result.
   */
  partial(content: PartialContent, structuredContent?: unknown): Promise<void>;
  /** Registers a cleanup run once on cancellation; cleanups run newest first and are awaited before the request ends. */
  onAbort(cleanup: () => void | Promise<void>): void;
  /**
   * Sends an MCP log message (`notifications/message`) on the call's stream,
   * to a client that set a log level at or below `level` (`logging/setLevel`
   * on 2025 sessions, the envelope's level on 2026-07-28); a no-op for other
   * clients, in tasks, after cancellation and after the result. Needs the
   * server to declare the `logging` capability. Resolves when the stream took
   * it (a slow client holds it back).
   */
  log(level: LoggingLevel, data: unknown, logger?: string): Promise<void>;
  /** The raw SDK handler context, for what sluice does not wrap (sampling, elicitation, logging). */
  readonly mcp: ServerContext;
  /**
   * Keeps a checkpoint of a call running as a task: when the task's process is
   * lost, a resumable tool starts again with it as {@link ToolContext.resumeFrom}.
   * A no-op outside tasks.
   */
  checkpoint(token: string): void;
  /** The last checkpoint, when this call is a task started again after its process was lost. */
  readonly resumeFrom?: string;
  /** The task this call runs as, if it does. */
  readonly taskId?: string;
}

/** What a tool does when the stream its messages go to is full (its client reads too slowly, not at all, or is away). */
export interface SlowConsumerOptions {
  /** Policy for partial results on a full stream; progress always coalesces to the latest value. @defaultValue 'block' */
  readonly partial?: PartialPolicy;
  /** Disconnect a client that took nothing for this long while the stream was full, cancelling the call (ms). @defaultValue off */
  readonly stallTimeoutMs?: number;
}

/**
 * A tool handler may return a full result or just text, or on 2026-07-28 ask
 * for another round (`inputRequired({ inputRequests, requestState })`, with
 * state sealed by `sluice.requestState.mint`).
 */
export type ToolResult = CallToolResult | InputRequiredResult | string;

/** A tool. */
export interface ToolDefinition<Args = Record<string, unknown>> {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  /** JSON Schema of the arguments; validated before the handler runs (bad arguments get -32602). */
  readonly inputSchema?: JsonSchemaObject;
  readonly annotations?: ToolAnnotations;
  /** Progress notifications per second for this tool; 0 = unthrottled. @defaultValue the server's `progressPerSecond` */
  readonly progressPerSecond?: number;
  /**
   * Progress heartbeat for this tool: after this long with no progress sent, a
   * call with a progress token gets one saying it is still running (ms, 0 = off).
   * @defaultValue the server's `progressHeartbeatMs`
   */
  readonly heartbeatMs?: number;
  /** Time the tool may run before it is cancelled (ms). @defaultValue the server's `toolTimeoutMs` */
  readonly timeoutMs?: number;
  /** Slow-consumer behaviour for this tool. @defaultValue the server's `slowConsumer` */
  readonly slowConsumer?: SlowConsumerOptions;
  /**
   * SSE polling (SEP-1699): while the call runs, its 2025-era stream is
   * closed every this many ms and the client resumes it with
   * `Last-Event-ID` (nothing is lost: the session's event log replays).
   * Keeps long calls alive behind proxies that cut long connections.
   * No effect on 2026-07-28 and stdio. @defaultValue off
   */
  readonly closeStreamAfterMs?: number;
  /**
   * Whether the tool may run as a task (SEP-2663 on 2026-07-28, core tasks on
   * 2025-11-25): `optional` lets clients that know tasks get one, `required`
   * refuses clients that do not (-32021 on 2026-07-28, -32601 on 2025-11-25),
   * `never` runs every call in its request. @defaultValue 'never'
   */
  readonly task?: TaskSupport;
  /**
   * Whether a task of this tool whose process was lost (its server stopped or
   * died) is started again, with its last checkpoint in `ctx.resumeFrom`.
   * Otherwise such a task fails, saying why. @defaultValue false
   */
  readonly resumable?: boolean;
  /**
   * Also offer the polling pattern to clients that know no tasks: a
   * `<name>_start` tool that answers at once with a task id, and the
   * `tasks://<id>` resource to poll for the status and the result. @defaultValue false
   */
  readonly polling?: boolean;
  /**
   * Input a task needs before it is created (SEP-2663 with multi-round-trip
   * requests): runs in the `tools/call` request; returning
   * `inputRequired(...)` asks the client, returning nothing creates the task.
   * The task sees the answers of the last round in `ctx.mcp.mcpReq.inputResponses`.
   */
  readonly beforeTask?: (args: Args, ctx: ServerContext) => InputRequiredResult | undefined | Promise<InputRequiredResult | undefined>;
  readonly handler: (args: Args, ctx: ToolContext) => ToolResult | Promise<ToolResult>;
}

/** What a resource's `read` receives. */
export interface ResourceContext {
  /** Aborted when the client cancels or goes away, and on server shutdown. */
  readonly signal: AbortSignal;
  /** The SDK handler context; absent when the read is a raw `resources/stream` over HTTP. */
  readonly mcp?: ServerContext;
}

/**
 * What a resource's `read` returns: a whole result, or a body that sluice
 * answers in windows (`resources/read`) and as raw bytes (`resources/stream`).
 */
export type ResourceReadResult = ReadResourceResult | ResourceBody;

/** A resource with a fixed URI. */
export interface ResourceDefinition {
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  /** Whether `read` returns a body; listings then say so in `_meta` (and clients know to read in windows). */
  readonly streamed?: boolean;
  /** Size in bytes for listings, when known (a function is asked at every listing). */
  readonly size?: number | (() => number | undefined | Promise<number | undefined>);
  readonly read: (uri: string, ctx: ResourceContext) => ResourceReadResult | Promise<ResourceReadResult>;
}

/** A family of resources named by a URI template. */
export interface ResourceTemplateDefinition {
  /** e.g. `logs://{path}`; `{name}` is one segment, `{+name}` or a name in `spanning` may contain `/`. */
  readonly uriTemplate: string;
  /** Variables that may span `/` (sub-folders). */
  readonly spanning?: readonly string[];
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
  /** Whether `read` returns a body; listings then say so in `_meta`. */
  readonly streamed?: boolean;
  /** Lists concrete resources of this template for `resources/list`. */
  readonly list?: (ctx: ServerContext) => Resource[] | Promise<Resource[]>;
  /** Reads one resource; throw `ResourceNotFoundError` when it does not exist. */
  readonly read: (uri: string, variables: UriVariables, ctx: ResourceContext) => ResourceReadResult | Promise<ResourceReadResult>;
}

/** A prompt. */
export interface PromptDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly arguments?: readonly PromptArgument[];
  readonly get: (args: Record<string, string>, ctx: ServerContext) => GetPromptResult | Promise<GetPromptResult>;
}
