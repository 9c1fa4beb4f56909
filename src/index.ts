/**
 * `mcp-sluice`: flow-controlled streaming for MCP servers on the official SDK v2.
 *
 * @module
 */
export {
  DEFAULT_CHUNK_SIZE_BYTES,
  DEFAULT_CHUNKS_IN_FLIGHT,
  DEFAULT_MAX_READ_WINDOW_BYTES,
  DEFAULT_HOST,
  DEFAULT_KEEPALIVE_MS,
  DEFAULT_KILL_GRACE_MS,
  DEFAULT_MAX_REQUEST_BODY_BYTES,
  DEFAULT_MAX_SESSIONS,
  DEFAULT_MCP_PATH,
  DEFAULT_PORT,
  DEFAULT_PROGRESS_PER_SECOND,
  DEFAULT_SESSION_TTL_MS,
  DEFAULT_TOOL_TIMEOUT_MS,
} from './defaults.js';
export { BufferFullError, ConfigError, InvalidOptionError, RemoteError, SluiceError, TargetError, type SluiceErrorCode } from './errors.js';
export { type Clock, systemClock } from './flow/clock.js';
export { ProgressThrottle, type ProgressUpdate } from './flow/progressThrottle.js';
export { ErrorCode, TASKS_EXTENSION, type TaskSupport } from './protocol/wire.js';
export {
  CursorCutError,
  EventsLostError,
  type AppendOptions,
  type EventLog,
  type EventLogLimits,
  type EventLogOptions,
  type EventLogStore,
  type LogCursor,
  type LogEvent,
  type ReplayVerdict,
  type StreamPressure,
} from './stores/eventLog.js';
export type { SessionRecord, SessionStore } from './stores/sessionStore.js';
export { memoryStores, type StoreHealth, type Stores } from './stores/stores.js';
export { singleNode, type ClaimOutcome, type Cluster, type ClusterHandlers } from './stores/cluster.js';
export { MemoryEventLog, memoryEventLogs } from './stores/memory/memoryEventLog.js';
export { MemorySessionStore } from './stores/memory/memorySessionStore.js';
export { MemoryTaskStore } from './stores/memory/memoryTaskStore.js';
export { JournaledTaskStore } from './stores/file/journaledTaskStore.js';
export {
  TERMINAL_STATUSES,
  TaskStoreFullError,
  type AnswerOutcome,
  type NewTask,
  type TaskProgress,
  type TaskReport,
  type TaskPage,
  type TaskRecord,
  type TaskRequest,
  type TaskStatus,
  type TaskStore,
  type TaskStoreLimits,
  type TaskUpdate,
  type TransitionOutcome,
} from './stores/taskStore.js';
export type { JsonSchemaObject } from './server/jsonSchema.js';
export { SluiceServer, type SluiceServerOptions } from './server/sluiceServer.js';
export { TaskRuntime, type TaskRuntimeOptions, type CancelOutcome } from './server/taskRuntime.js';
export { ToolTimeoutError } from './server/toolCall.js';
export { fileBody, type RandomAccessBody, type ResourceBody, type StreamedBody } from './server/resourceBody.js';
export { FileHandleCache } from './server/fileHandles.js';
export type { ByteSource } from './flow/byteReader.js';
export type {
  PromptDefinition,
  ResourceContext,
  ResourceDefinition,
  ResourceReadResult,
  ResourceTemplateDefinition,
  ToolContext,
  ToolDefinition,
  ToolResult,
} from './server/types.js';
export { createHttpHandler, type HttpHandler, type HttpHandlerOptions } from './transports/http/handler.js';
export { serveHttp, type RunningHttpServer, type ServeHttpOptions } from './transports/http/nodeServer.js';
export type { SessionLimits } from './transports/http/sessions.js';
export { serveStdio, type RunningStdioServer, type ServeStdioOptions } from './transports/stdio.js';
export { loadConfig, parseConfig, type FileResourceConfig, type ScriptToolConfig, type SluiceConfig } from './runner/config.js';
export { buildServer, httpOptionsOf, serveConfig } from './runner/buildServer.js';
