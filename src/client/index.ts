/**
 * `mcp-sluice/client`: connect to any MCP server over HTTP or stdio.
 *
 * @module
 */
export { connect, type CallOptions, type ConnectOptions, type Era, type SluiceClient } from './connect.js';
export { nodeFetch, nodeBody, type FetchLike } from './nodeFetch.js';
export { CHUNK_SIZE_ENV, chunkSizeOf, type ReadMode, type ReconnectAttempt, type ReadStats, type ReadStreamOptions, type ResourceStream } from './readStream.js';
export type { CallStreamOptions, PartialEvent, ProgressEvent, ToolCallEvent, ToolCallStream } from './callStream.js';
export type { TaskHandle } from './taskHandles.js';
export { TaskOps, type TaskStatus, type TaskView, type TaskWaitOptions } from './tasks.js';
export { parseTarget, splitCommandLine, STDIO_PREFIX, type Target } from './target.js';
export { CancelledError, RemoteError, ReplayExpiredError, ResourceChangedError, StreamLostError, TargetError, TimeoutError } from '../errors.js';
