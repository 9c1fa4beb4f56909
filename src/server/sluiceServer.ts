/**
 * `SluiceServer`: the definition of an MCP server (tools, resources, prompts)
 * and the factory that turns it into SDK v2 `Server` instances.
 *
 * Definitions are validated and compiled once, when registered; the factory
 * only wires handlers to them, so building a fresh instance per 2026-era
 * request stays cheap. We use the SDK's low-level `Server` rather than
 * `McpServer` because we need control it does not give: bad arguments must be
 * a JSON-RPC -32602 (McpServer turns them into an `isError` result), and later
 * layers add streamed resources and partial results to these same handlers.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  CLIENT_CAPABILITIES_META_KEY,
  LOG_LEVEL_META_KEY,
  createRequestStateCodec,
  isInputRequiredResult,
  ProtocolError,
  ResourceNotFoundError,
  Server,
  type McpServerFactory,
  type RequestStateCodec,
  type Resource,
  type ServerCapabilities,
  type ServerContext,
  type Tool,
} from '@modelcontextprotocol/server';
import { DEFAULT_MAX_READ_WINDOW_BYTES, DEFAULT_PROGRESS_HEARTBEAT_MS, DEFAULT_PROGRESS_PER_SECOND, DEFAULT_TOOL_TIMEOUT_MS } from '../defaults.js';
import { InvalidOptionError, requireDuration, requireInteger } from '../errors.js';
import { type Clock, systemClock } from '../flow/clock.js';
import { ErrorCode, Method, RESOURCE_STREAM_CAPABILITY, STREAMED_META_KEY, TASKS_EXTENSION, type TaskSupport } from '../protocol/wire.js';
import { TaskStoreFullError, type TaskRecord } from '../stores/taskStore.js';
import { type ArgumentValidator, compileArgumentValidator } from './jsonSchema.js';
import { sharedFileHandles } from './fileHandles.js';
import { type ReadCursorLimits, ReadCursors } from './readCursors.js';
import { isResourceBody, type ResourceBody } from './resourceBody.js';
import { sdkCallChannel, type CallChannel, type OutboundLookup } from './outbound.js';
import { createTaskResult, executionListing, principalOf, registerTaskHandlers, servesModernEra, taskDecision } from './taskCalls.js';
import { SluiceSdkServer, taskCreated } from './sdkServer.js';
import { legChannel, legContext, notifyStatus } from './taskLeg.js';
import { type LegOutcome, type TaskLeg, TaskRuntime, type TaskRuntimeOptions } from './taskRuntime.js';
import { startTool, TASK_RESOURCE_SCHEME, taskResourceTemplate } from './taskPolling.js';
import { runToolCall } from './toolCall.js';
import { Activity, type CallStream } from './activity.js';
import type {
  PromptDefinition,
  ResourceContext,
  ResourceDefinition,
  ResourceReadResult,
  ResourceTemplateDefinition,
  SlowConsumerOptions,
  ToolDefinition,
} from './types.js';
import { parseReadRequest, readWindowed } from './windowedRead.js';
import { type CompiledUriTemplate, compileUriTemplate } from './uriTemplate.js';

/** Options of a {@link SluiceServer}. */
export interface SluiceServerOptions {
  /** Server name reported to clients. */
  readonly name: string;
  /** Server version reported to clients. */
  readonly version: string;
  readonly instructions?: string;
  /** Progress notifications per request and second (0 = unthrottled). @defaultValue {@link DEFAULT_PROGRESS_PER_SECOND} */
  readonly progressPerSecond?: number;
  /**
   * Progress heartbeat: a call with a progress token that sent no progress
   * for this long gets a notification saying it is still running (ms, 0 = off).
   * @defaultValue {@link DEFAULT_PROGRESS_HEARTBEAT_MS}
   */
  readonly progressHeartbeatMs?: number;
  /** Default tool timeout (ms, ≥ 1). @defaultValue {@link DEFAULT_TOOL_TIMEOUT_MS} */
  readonly toolTimeoutMs?: number;
  /** What tools do when a client reads too slowly. @defaultValue partial results block; no stall timeout */
  readonly slowConsumer?: SlowConsumerOptions;
  /** Capabilities to declare besides those implied by the definitions (e.g. `logging`, `completions`). */
  readonly capabilities?: ServerCapabilities;
  /** Escape hatch: called on every new SDK `Server` to register handlers sluice does not wrap. */
  readonly configure?: (server: Server) => void;
  /** Largest byte window one `resources/read` answers with (bytes, ≥ 4). @defaultValue {@link DEFAULT_MAX_READ_WINDOW_BYTES} */
  readonly maxReadWindowBytes?: number;
  /** Readers of sequential resources kept between windows. */
  readonly readCursors?: ReadCursorLimits;
  /** Time source for throttling and timeouts. @defaultValue the system clock */
  readonly clock?: Clock;
  /**
   * The key that seals 2026-07-28 multi-round-trip `requestState` (at least 32
   * bytes). A client may send the next round to any node, so every node of a
   * service needs the same key (`SLUICE_STATE_KEY` for `sluice serve`).
   * @defaultValue a random key per process (one node only)
   */
  readonly requestStateKey?: string | Uint8Array;
  /** Task TTLs, polling interval and sweeps (the store is the transport's: `stores.tasks`, memory by default). */
  readonly tasks?: TaskRuntimeOptions;
}

/** What a transport knows about a connection's client. */
export interface ConnectionInfo {
  /** The capabilities the client declared at initialize, as sent (2025 era). */
  readonly clientCapabilities?: () => Readonly<Record<string, unknown>> | undefined;
  /** Whether the transport answers `resources/stream` with raw bytes (HTTP): declares `resources.stream` (SEP-2532). */
  readonly resourceStreams?: boolean;
  /** The stream each request's messages are appended to, from whoever runs the calls (its backpressure holds tools back). */
  readonly outbound?: OutboundLookup;
  /** Which kind of stream the connection's calls write to, for {@link SluiceServer.activity}. @defaultValue 'session' */
  readonly stream?: CallStream;
}

/** A resource found by URI: how to read it and what listings say of it. */
export interface ResolvedResource {
  readonly mimeType: string | undefined;
  read(ctx: ResourceContext): Promise<ResourceReadResult>;
}

interface CompiledTool {
  readonly definition: ToolDefinition;
  readonly task: TaskSupport;
  readonly validate: ArgumentValidator | undefined;
  readonly listing: Tool;
}

interface CompiledTemplate {
  readonly definition: ResourceTemplateDefinition;
  readonly matcher: CompiledUriTemplate;
}

const EMPTY_INPUT_SCHEMA = { type: 'object', properties: {} } as const;
const TASK_TEMPLATE = `${TASK_RESOURCE_SCHEME}{taskId}`;

export class SluiceServer {
  readonly options: Readonly<Required<Pick<SluiceServerOptions, 'progressPerSecond' | 'progressHeartbeatMs' | 'toolTimeoutMs' | 'maxReadWindowBytes'>>> &
    SluiceServerOptions;
  readonly #tools = new Map<string, CompiledTool>();
  #taskTools = 0;
  readonly #resources = new Map<string, ResourceDefinition>();
  readonly #templates: CompiledTemplate[] = [];
  readonly #prompts = new Map<string, PromptDefinition>();
  readonly #shutdown = new AbortController();
  readonly #clock: Clock;
  readonly #calls = new Set<Promise<unknown>>();
  readonly #shutdownHooks: Array<() => void> = [];
  readonly #cursors: ReadCursors;
  /**
   * Seals and checks 2026-07-28 `requestState`: a tool returns
   * `inputRequired({ inputRequests, requestState: sluice.requestState.mint(state) })`
   * and reads it back, checked, with `ctx.mcp.mcpReq.requestState()`.
   */
  readonly requestState: RequestStateCodec;
  /** Tasks: long calls as durable handles, in `stores.tasks` (memory until a transport attaches its stores). */
  readonly tasks: TaskRuntime;
  /** What the server is doing now and has done: calls, streams, scripts, totals (for metrics, the dashboard and logs). */
  readonly activity: Activity;

  constructor(options: SluiceServerOptions) {
    const progressPerSecond = options.progressPerSecond ?? DEFAULT_PROGRESS_PER_SECOND;
    if (!(progressPerSecond >= 0) || !Number.isFinite(progressPerSecond)) {
      throw new InvalidOptionError('progressPerSecond', 'must be a finite number >= 0', progressPerSecond);
    }
    const toolTimeoutMs = requireDuration('toolTimeoutMs', options.toolTimeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS, 1);
    const progressHeartbeatMs = requireDuration('progressHeartbeatMs', options.progressHeartbeatMs ?? DEFAULT_PROGRESS_HEARTBEAT_MS, 0);
    // A 4-byte UTF-8 character must fit in a window.
    const maxReadWindowBytes = requireInteger('maxReadWindowBytes', options.maxReadWindowBytes ?? DEFAULT_MAX_READ_WINDOW_BYTES, 4);
    this.options = { ...options, progressPerSecond, progressHeartbeatMs, toolTimeoutMs, maxReadWindowBytes };
    this.#clock = options.clock ?? systemClock;
    this.#cursors = new ReadCursors(this.#clock, options.readCursors);
    // One listener per tool call in flight, removed when it ends: as many as there are calls, not a leak.
    setMaxListeners(0, this.#shutdown.signal);
    const key = options.requestStateKey ?? randomBytes(32);
    if ((typeof key === 'string' ? Buffer.byteLength(key) : key.length) < 32) {
      throw new InvalidOptionError('requestStateKey', 'must be at least 32 bytes', typeof key === 'string' ? `${key.length} characters` : `${key.length} bytes`);
    }
    this.requestState = createRequestStateCodec({ key });
    this.tasks = new TaskRuntime(options.tasks, this.#clock);
    this.activity = new Activity();
    this.tasks.setExecutor({ run: (leg) => this.#runLeg(leg), resumable: (task) => this.#tools.get(String(task.request.params.name))?.definition.resumable === true });
  }

  /** Readers of sequential resources kept for their next window. */
  get parkedReaders(): number {
    return this.#cursors.size;
  }

  /** Tool calls currently running. */
  get inflight(): number {
    return this.#calls.size;
  }

  /** Registers a tool. Throws on a duplicate name or an invalid schema. */
  tool<Args = Record<string, unknown>>(definition: ToolDefinition<Args>): this {
    if (this.#tools.has(definition.name)) throw new InvalidOptionError('tool.name', 'must be unique', definition.name);
    if (definition.timeoutMs !== undefined) requireDuration(`tool ${definition.name}: timeoutMs`, definition.timeoutMs, 1);
    if (definition.heartbeatMs !== undefined) requireDuration(`tool ${definition.name}: heartbeatMs`, definition.heartbeatMs, 0);
    if (definition.closeStreamAfterMs !== undefined) requireDuration(`tool ${definition.name}: closeStreamAfterMs`, definition.closeStreamAfterMs, 1);
    const inputSchema = definition.inputSchema ?? EMPTY_INPUT_SCHEMA;
    const task = definition.task ?? 'never';
    if (!['optional', 'required', 'never'].includes(task)) throw new InvalidOptionError(`tool ${definition.name}: task`, 'must be optional, required or never', task);
    const listing: Tool = {
      name: definition.name,
      description: definition.description,
      inputSchema: inputSchema as Tool['inputSchema'],
      ...(definition.title !== undefined && { title: definition.title }),
      ...(definition.annotations !== undefined && { annotations: definition.annotations }),
      ...executionListing(task),
    };
    if (task !== 'never') this.#taskTools++;
    this.#tools.set(definition.name, {
      definition: definition as unknown as ToolDefinition,
      task,
      validate: definition.inputSchema === undefined ? undefined : compileArgumentValidator(definition.inputSchema),
      listing,
    });
    if (definition.polling === true) {
      if (this.#templates.every((t) => t.definition.uriTemplate !== TASK_TEMPLATE)) this.resourceTemplate(taskResourceTemplate(this.tasks));
      this.tool(startTool(definition as unknown as ToolDefinition, this.tasks));
    }
    return this;
  }

  /** Registers a resource with a fixed URI. */
  resource(definition: ResourceDefinition): this {
    if (this.#resources.has(definition.uri)) throw new InvalidOptionError('resource.uri', 'must be unique', definition.uri);
    this.#resources.set(definition.uri, definition);
    return this;
  }

  /** Registers a resource template. */
  resourceTemplate(definition: ResourceTemplateDefinition): this {
    this.#templates.push({ definition, matcher: compileUriTemplate(definition.uriTemplate, new Set(definition.spanning ?? [])) });
    return this;
  }

  /** Registers a prompt. */
  prompt(definition: PromptDefinition): this {
    if (this.#prompts.has(definition.name)) throw new InvalidOptionError('prompt.name', 'must be unique', definition.name);
    this.#prompts.set(definition.name, definition);
    return this;
  }

  /** Cancels every running tool call and runs the shutdown hooks (server shutdown). Idempotent. */
  abortAll(reason: string = 'The server is shutting down'): void {
    if (this.#shutdown.signal.aborted) return;
    this.#shutdown.abort(new Error(reason));
    void this.tasks.shutdown();
    this.#cursors.closeAll();
    sharedFileHandles.closeIdle();
    for (const hook of this.#shutdownHooks.splice(0)) {
      try {
        hook();
      } catch {
        // One failing hook must not keep the others from running.
      }
    }
  }

  /** Registers cleanup to run once when the server shuts down (e.g. temporary files). */
  onShutdown(hook: () => void): void {
    this.#shutdownHooks.push(hook);
  }

  /**
   * Resolves once no tool call is running, or after `timeoutMs`. After
   * {@link SluiceServer.abortAll} this is how long shutdown waits for the
   * cancelled calls to answer (with an error result) before closing transports.
   */
  async idle(timeoutMs: number): Promise<void> {
    const deadline = this.#clock.now() + timeoutMs;
    const busy = () => [...this.#calls, ...this.tasks.legs()];
    while (busy().length > 0 && this.#clock.now() < deadline) {
      let timer: unknown;
      const tick = new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, Math.max(1, deadline - this.#clock.now()));
      });
      await Promise.race([Promise.allSettled(busy()), tick]);
      this.#clock.clearTimeout(timer);
    }
  }

  /** The capabilities an instance declares (`resources.stream` only where the transport serves raw streams). */
  capabilities(connection: ConnectionInfo = {}): ServerCapabilities {
    const declared = this.options.capabilities ?? {};
    // SEP-2532's `resources.stream` is not in the SDK's types yet; the wire keeps it.
    const stream = connection.resourceStreams === true ? { [RESOURCE_STREAM_CAPABILITY]: true } : {};
    const resources = (this.#hasResources() || declared.resources !== undefined) && { resources: { ...declared.resources, ...stream } };
    const tasks = this.#hasTaskTools() && {
      // 2025-11-25 reads `tasks`, 2026-07-28 the extension; each era's codec sends only its own (see taskCalls.ts).
      tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } },
      extensions: { ...(declared as { extensions?: object }).extensions, [TASKS_EXTENSION]: {} },
    };
    return {
      ...(this.#tools.size > 0 && { tools: {} }),
      ...(this.#prompts.size > 0 && { prompts: {} }),
      ...declared,
      ...resources,
      ...tasks,
    } as ServerCapabilities;
  }

  /** The SDK server factory: `createMcpHandler`, `serveStdio` and sluice's transports call it. */
  readonly factory: McpServerFactory = () => this.createServer();

  /**
   * Builds one SDK `Server` wired to this definition.
   *
   * @param connection - what the transport knows about the client that the SDK
   *   does not keep: the capabilities it declared at initialize (the SDK drops
   *   ones it does not know, such as `partialResults`).
   */
  createServer(connection: ConnectionInfo = {}): Server {
    const server = new SluiceSdkServer(
      { name: this.options.name, version: this.options.version },
      {
        capabilities: this.capabilities(connection),
        requestState: { verify: this.requestState.verify },
        ...(this.options.instructions !== undefined && { instructions: this.options.instructions }),
      },
    );
    const logLevel = this.#logLevels(server);
    if (this.#tools.size > 0) {
      server.setRequestHandler(Method.ToolsList, () => ({ tools: [...this.#tools.values()].map((t) => t.listing) }));
      server.setRequestHandler(Method.ToolsCall, (request, ctx) => {
        const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
        const capabilities = (envelope?.[CLIENT_CAPABILITIES_META_KEY] ??
          connection.clientCapabilities?.() ??
          server.getClientCapabilities()) as Record<string, unknown> | undefined;
        const level = () => (envelope !== undefined ? (envelope[LOG_LEVEL_META_KEY] as string | undefined) : logLevel());
        return this.#callTool(request.params, server, ctx, capabilities, sdkCallChannel(ctx, connection.outbound?.(ctx.mcpReq.id), level), connection.stream ?? 'session');
      });
      if (this.#hasTaskTools()) registerTaskHandlers(server, this.tasks);
    }
    if (this.#hasResources()) {
      const streamable = connection.resourceStreams === true;
      server.setRequestHandler(Method.ResourcesList, (_request, ctx) => this.#listResources(ctx, streamable));
      server.setRequestHandler(Method.ResourcesTemplatesList, () => ({
        resourceTemplates: this.#templates.map(({ definition: d }) => ({
          uriTemplate: d.uriTemplate,
          name: d.name,
          ...(d.title !== undefined && { title: d.title }),
          ...(d.description !== undefined && { description: d.description }),
          ...(d.mimeType !== undefined && { mimeType: d.mimeType }),
          ...(d.streamed === true && streamedListing(undefined, streamable)),
        })),
      }));
      server.setRequestHandler(Method.ResourcesRead, (request, ctx) => this.#readResource(request.params.uri, request.params._meta, ctx));
    }
    if (this.#prompts.size > 0) {
      server.setRequestHandler(Method.PromptsList, () => ({
        prompts: [...this.#prompts.values()].map((p) => ({
          name: p.name,
          description: p.description,
          ...(p.title !== undefined && { title: p.title }),
          ...(p.arguments !== undefined && { arguments: [...p.arguments] }),
        })),
      }));
      server.setRequestHandler(Method.PromptsGet, (request, ctx) =>
        this.#getPrompt(request.params.name, request.params.arguments ?? {}, ctx),
      );
    }
    this.options.configure?.(server);
    return server;
  }

  async #callTool(
    params: { name: string; arguments?: unknown; task?: unknown },
    server: Server,
    ctx: ServerContext,
    clientCapabilities: Record<string, unknown> | undefined,
    channel: CallChannel,
    stream: CallStream,
  ) {
    const { name, arguments: rawArgs } = params;
    const tool = this.#tools.get(name);
    if (tool === undefined) {
      const known = [...this.#tools.keys()].join(', ');
      throw new ProtocolError(ErrorCode.InvalidParams, `Unknown tool "${name}". Available tools: ${known}`, { tool: name });
    }
    const args = rawArgs ?? {};
    if (typeof args !== 'object' || Array.isArray(args)) {
      throw new ProtocolError(ErrorCode.InvalidParams, `Invalid arguments for tool "${name}": arguments must be an object`);
    }
    const problems = tool.validate?.(args) ?? [];
    if (problems.length > 0) {
      throw new ProtocolError(ErrorCode.InvalidParams, `Invalid arguments for tool "${name}": ${problems.join('; ')}`, {
        tool: name,
        problems,
      });
    }
    if (tool.task !== 'never' || params.task !== undefined) {
      const modern = servesModernEra(server);
      if (taskDecision(name, tool.task, ctx, modern, params.task) === 'task') {
        return this.#startTask(tool, args as Record<string, unknown>, server, ctx, modern, params.task as { ttl?: number } | undefined);
      }
    }
    const call = runToolCall(tool.definition, args as Record<string, unknown>, channel, {
      clientCapabilities,
      slowConsumer: { ...this.options.slowConsumer, ...tool.definition.slowConsumer },
      progressPerSecond: this.options.progressPerSecond,
      heartbeatMs: this.options.progressHeartbeatMs,
      timeoutMs: this.options.toolTimeoutMs,
      clock: this.#clock,
      shutdown: this.#shutdown.signal,
      tracker: { calls: this.activity.startCall({ tool: name, stream, requestId: ctx.mcpReq.id, ...(ctx.sessionId !== undefined && { session: ctx.sessionId }) }), stream },
    });
    this.#calls.add(call);
    try {
      return await call;
    } finally {
      this.#calls.delete(call);
    }
  }

  /** Creates the task of a `tools/call` (after any input it needs first) and answers with it. */
  async #startTask(tool: CompiledTool, args: Record<string, unknown>, server: Server, ctx: ServerContext, modern: boolean, asked: { ttl?: number } | undefined) {
    if (modern && tool.definition.beforeTask !== undefined) {
      const needs = await tool.definition.beforeTask(args, ctx);
      if (needs !== undefined) return needs;
    }
    let task: TaskRecord;
    try {
      task = await this.tasks.create({
        request: { method: Method.ToolsCall, params: { name: tool.definition.name, arguments: args } },
        principal: principalOf(ctx),
        ...(ctx.sessionId !== undefined && { session: ctx.sessionId }),
        ...(!modern && { legacy: true }),
        ttlMs: this.tasks.ttlFor(modern ? undefined : asked?.ttl),
        ...(ctx.mcpReq.inputResponses !== undefined && { inputResponses: ctx.mcpReq.inputResponses }),
      });
    } catch (error) {
      if (error instanceof TaskStoreFullError) throw new ProtocolError(ErrorCode.Unavailable, error.message);
      throw error;
    }
    if (!modern) notifyStatus(server, this.tasks, task.taskId);
    return taskCreated(createTaskResult(task, modern));
  }

  /** One leg of a task: the tool's handler, with the task's signal, progress and checkpoints. */
  async #runLeg(leg: TaskLeg): Promise<LegOutcome> {
    const name = String(leg.task.request.params.name);
    const tool = this.#tools.get(name);
    if (tool === undefined) return { kind: 'error', error: { code: ErrorCode.InvalidParams, message: `Tool "${name}" is no longer served` } };
    const mcp = legContext(leg);
    const state = leg.requestState === undefined ? undefined : await this.requestState.verify(leg.requestState, mcp).catch(() => undefined);
    (mcp.mcpReq as { requestState: () => unknown }).requestState = () => state;
    const call = runToolCall(tool.definition, (leg.task.request.params.arguments ?? {}) as Record<string, unknown>, legChannel(leg, mcp), {
      clientCapabilities: undefined,
      progressPerSecond: this.options.progressPerSecond,
      timeoutMs: this.options.toolTimeoutMs,
      clock: this.#clock,
      shutdown: this.#shutdown.signal,
      task: { taskId: leg.task.taskId, checkpoint: leg.checkpoint, ...(leg.resumeFrom !== undefined && { resumeFrom: leg.resumeFrom }) },
      tracker: { calls: this.activity.startCall({ tool: name, stream: 'task', task: leg.task.taskId }), stream: 'task' },
    });
    this.#calls.add(call);
    try {
      const result = await call;
      if (isInputRequiredResult(result)) return { kind: 'input', inputRequests: result.inputRequests as Record<string, unknown>, ...(result.requestState !== undefined && { requestState: result.requestState }) };
      return { kind: 'result', result: result as Record<string, unknown> };
    } catch (error) {
      if (error instanceof ProtocolError) return { kind: 'error', error: { code: error.code, message: error.message, ...(error.data !== undefined && { data: error.data }) } };
      throw error;
    } finally {
      this.#calls.delete(call);
    }
  }

  /**
   * The log level a 2025 client set on this SDK server (one per session or
   * connection), when the server declares `logging`: sluice answers
   * `logging/setLevel` itself so that `ctx.log` sends only to clients that set
   * one (the SDK would send to every client that set none).
   */
  #logLevels(server: Server): () => string | undefined {
    if (this.options.capabilities?.logging === undefined) return () => undefined;
    let level: string | undefined;
    server.setRequestHandler(Method.LoggingSetLevel, (request) => {
      level = request.params.level;
      return {};
    });
    return () => level;
  }

  /** Whether any tool may run as a task (counted once, when tools are registered: this runs per 2026-07-28 request). */
  #hasTaskTools(): boolean {
    return this.#taskTools > 0;
  }

  #hasResources(): boolean {
    return this.#resources.size > 0 || this.#templates.length > 0;
  }

  async #listResources(ctx: ServerContext, streamable: boolean) {
    const resources: Resource[] = [];
    for (const r of this.#resources.values()) {
      const size = typeof r.size === 'function' ? await r.size() : r.size;
      resources.push({
        uri: r.uri,
        name: r.name,
        ...(r.title !== undefined && { title: r.title }),
        ...(r.description !== undefined && { description: r.description }),
        ...(r.mimeType !== undefined && { mimeType: r.mimeType }),
        ...(size !== undefined && { size }),
        ...(r.streamed === true && streamedListing(size, streamable)),
      });
    }
    for (const { definition } of this.#templates) {
      if (definition.list === undefined) continue;
      for (const listed of await definition.list(ctx)) {
        resources.push(definition.streamed === true ? { ...listed, ...streamedListing(listed.size, streamable, listed._meta) } : listed);
      }
    }
    return { resources };
  }

  /**
   * Finds the resource a URI names: a fixed resource first, then the
   * templates in registration order. `undefined` when none matches.
   */
  resolveResource(uri: string): ResolvedResource | undefined {
    const direct = this.#resources.get(uri);
    if (direct !== undefined) return { mimeType: direct.mimeType, read: async (ctx) => direct.read(uri, ctx) };
    for (const { definition, matcher } of this.#templates) {
      const variables = matcher.match(uri);
      if (variables !== undefined) return { mimeType: definition.mimeType, read: async (ctx) => definition.read(uri, variables, ctx) };
    }
    return undefined;
  }

  /**
   * Opens a resource's bytes for a raw stream (`resources/stream`). Throws
   * `ResourceNotFoundError`, or -32003 when its `read` returns a whole result
   * instead of a body (read it with `resources/read`).
   */
  async openResourceBody(uri: string, signal: AbortSignal): Promise<{ body: ResourceBody; mimeType: string }> {
    const resource = this.resolveResource(uri);
    if (resource === undefined) throw new ResourceNotFoundError(uri);
    const result = await resource.read({ signal: AbortSignal.any([signal, this.#shutdown.signal]) });
    if (!isResourceBody(result)) {
      throw new ProtocolError(ErrorCode.StreamNotSupported, `Stream not supported: ${uri} is not a streamed resource; read it with resources/read`, {
        uri,
        suggestion: 'Use resources/read for this resource',
      });
    }
    return { body: result, mimeType: result.mimeType ?? resource.mimeType ?? 'application/octet-stream' };
  }

  async #readResource(uri: string, meta: Readonly<Record<string, unknown>> | undefined, ctx: ServerContext) {
    let read = parseReadRequest(uri, meta);
    let resource = this.resolveResource(read.uri);
    if (resource === undefined && read.uri !== read.requested) {
      // A resource whose own URI carries offset/length: read it as named, not as a window.
      resource = this.resolveResource(read.requested);
      read = { uri: read.requested, requested: read.requested, window: undefined, source: 'none' };
    }
    if (resource === undefined) throw new ResourceNotFoundError(uri);
    const signal = AbortSignal.any([ctx.mcpReq.signal, this.#shutdown.signal]);
    const context: ResourceContext = { signal, mcp: ctx };
    return readWindowed(read, () => resource.read(context), {
      maxWindowBytes: this.options.maxReadWindowBytes,
      mimeType: resource.mimeType,
      cursors: this.#cursors,
    });
  }

  async #getPrompt(name: string, args: Record<string, string>, ctx: ServerContext) {
    const prompt = this.#prompts.get(name);
    if (prompt === undefined) throw new ProtocolError(ErrorCode.InvalidParams, `Unknown prompt "${name}"`, { prompt: name });
    const missing = (prompt.arguments ?? []).filter((a) => a.required === true && args[a.name] === undefined).map((a) => a.name);
    if (missing.length > 0) {
      throw new ProtocolError(ErrorCode.InvalidParams, `Prompt "${name}" is missing required arguments: ${missing.join(', ')}`);
    }
    return prompt.get(args, ctx);
  }
}

/** What a listing says of a streamed resource: its size, `_meta`, and SEP-2532 `streamable` where raw streams are served. */
function streamedListing(size: number | undefined, streamable: boolean, meta?: Record<string, unknown>) {
  return {
    ...(streamable && { streamable: true }),
    _meta: { ...meta, [STREAMED_META_KEY]: { windows: true, ...(size !== undefined && { size }) } },
  };
}
