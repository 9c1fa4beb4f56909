/**
 * Every name sluice puts on the wire: JSON-RPC error codes, HTTP header names,
 * `_meta` keys and protocol revisions. Nothing else in `src/` spells one of
 * these literals; import them from here.
 *
 * @module
 */

/** JSON-RPC 2.0 and MCP error codes sluice answers with. */
export const ErrorCode = {
  /** The body is not valid JSON. */
  ParseError: -32700,
  /** The body is JSON but not a valid JSON-RPC request. */
  InvalidRequest: -32600,
  /** The method does not exist on this server. */
  MethodNotFound: -32601,
  /** Unknown tool, bad arguments, unknown resource, unsafe path. */
  InvalidParams: -32602,
  /** A server-side failure the client cannot fix. */
  InternalError: -32603,
  /** Transport-level rejection (body too large, wrong media type, missing session). */
  TransportError: -32000,
  /** The `Mcp-Session-Id` names no live session (answered with HTTP 404). */
  SessionNotFound: -32001,
  /** Request was refused because the server is shutting down or full. */
  Unavailable: -32002,
  /**
   * `Last-Event-ID` names events that have left the event log (answered with
   * HTTP 410): the stream cannot be resumed; send the request again.
   */
  ReplayExpired: -32010,
  /** SEP-2532: the resource cannot be streamed (`resources/stream`); use `resources/read`. */
  StreamNotSupported: -32003,
  /** SEP-2532: the resource is larger than the client's `maxStreamSize`. */
  ResourceTooLarge: -32004,
  /** The request needs a client capability the client did not declare (2026-07-28 code, used on both eras). */
  MissingClientCapability: -32021,
  /** A resumed read (`Range` with `If-Match`) names a version the resource no longer has (answered with HTTP 412). */
  ResourceChanged: -32011,
  /**
   * The node running a call stopped (presumed dead) before it answered: the
   * call's stream ends with this error, `data.reason` = `owner_lost`. Safe to
   * send the request again.
   */
  CallLost: -32012,
} as const;

/** HTTP header names. */
export const Header = {
  SessionId: 'mcp-session-id',
  ProtocolVersion: 'mcp-protocol-version',
  LastEventId: 'last-event-id',
  Origin: 'origin',
  Host: 'host',
  RetryAfter: 'retry-after',
  /** SEP-2532: the canonical URI of a raw resource stream. */
  ResourceUri: 'mcp-resource-uri',
  Range: 'range',
  ContentRange: 'content-range',
  ContentLength: 'content-length',
  ContentType: 'content-type',
  ContentDisposition: 'content-disposition',
  AcceptRanges: 'accept-ranges',
  CacheControl: 'cache-control',
  /** The version of a raw stream's bytes (files: inode, size, modification time). */
  ETag: 'etag',
  /** A resumption names the version it continues: a changed resource gets 412, never spliced bytes. */
  IfMatch: 'if-match',
} as const;

/** The 2025-era revision that introduced priming events and server-side stream closes (SEP-1699). */
export const RESUMABLE_PROTOCOL_VERSION = '2025-11-25';

/** The stateless protocol revision. */
export const STATELESS_PROTOCOL_VERSION = '2026-07-28';

/** JSON-RPC method names sluice handles or sends itself. */
export const Method = {
  Initialize: 'initialize',
  ToolsList: 'tools/list',
  ToolsCall: 'tools/call',
  ResourcesList: 'resources/list',
  ResourcesTemplatesList: 'resources/templates/list',
  ResourcesRead: 'resources/read',
  /** SEP-2532: a resource's raw bytes as the HTTP response body. */
  ResourcesStream: 'resources/stream',
  ResourcesSubscribe: 'resources/subscribe',
  ResourcesUnsubscribe: 'resources/unsubscribe',
  PromptsList: 'prompts/list',
  PromptsGet: 'prompts/get',
  ProgressNotification: 'notifications/progress',
  CancelledNotification: 'notifications/cancelled',
  /** SEP-2998 partial tool results. */
  PartialResultNotification: 'notifications/tools/partial_result',
  Ping: 'ping',
  InitializedNotification: 'notifications/initialized',
  LoggingSetLevel: 'logging/setLevel',
  LoggingMessageNotification: 'notifications/message',
  CompletionComplete: 'completion/complete',
  /** 2026-07-28 discovery. */
  ServerDiscover: 'server/discover',
  RootsListChangedNotification: 'notifications/roots/list_changed',
  TasksGet: 'tasks/get',
  TasksResult: 'tasks/result',
  TasksList: 'tasks/list',
  TasksCancel: 'tasks/cancel',
  /** SEP-2663: answers to a task's input requests. */
  TasksUpdate: 'tasks/update',
  /** 2025-11-25 core tasks: a task's status changed. */
  TaskStatusNotification: 'notifications/tasks/status',
} as const;

/** SEP-2663: the Tasks extension, declared under `capabilities.extensions` (2026-07-28). */
export const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';

/** 2025-11-25 core tasks: `_meta` key relating a message to its task (`{ taskId }`). */
export const RELATED_TASK_META_KEY = 'io.modelcontextprotocol/related-task';

/** `_meta` key of a task's furthest progress on `tasks/get` answers (`{ progress, total?, message? }`). */
export const TASK_PROGRESS_META_KEY = 'dev.sluice/progress';

/** `_meta` key under which sluice's client hands a `tools/call` answer's task on (see `client/taskHandles.ts`). */
export const TASK_HANDLE_META_KEY = 'dev.sluice/task';

/** How a tool may run as a task (2025-11-25 `execution.taskSupport` spells `never` as `forbidden`). */
export type TaskSupport = 'optional' | 'required' | 'never';

/** SEP-2998: the client capability that allows partial results. */
export const PARTIAL_RESULTS_CAPABILITY = 'partialResults';

/** SEP-2998: the `_meta` key of a call's partial-result token. */
export const PARTIAL_RESULT_TOKEN_META_KEY = 'partialResultToken';

/** SEP-2532: the server capability (under `resources`) that offers `resources/stream`. */
export const RESOURCE_STREAM_CAPABILITY = 'stream';

/** SEP-2532: the client capability that accepts `resources/stream` answers (`{ maxStreamSize? }`). */
export const RESOURCE_STREAMING_CLIENT_CAPABILITY = 'resourceStreaming';

/**
 * `_meta` key of a byte window. On a `resources/read` request:
 * `{ offset, length, readId?, close? }`; on its result:
 * `{ offset, length, next, end, size?, seekable }` (see `server/windowedRead.ts`).
 */
export const WINDOW_META_KEY = 'dev.sluice/window';

/**
 * `_meta` key marking the paging note in a `resources/read` answer: the extra
 * `contents` item telling a client without windows how to read on. A client
 * joining contents leaves out every item where it is `true`.
 */
export const PAGING_NOTE_META_KEY = 'dev.sluice/note';

/** Suffix of the paging note's URI (`<resource>#sluice-note`): never the resource's own URI. */
export const PAGING_NOTE_URI_SUFFIX = '#sluice-note';

/** What a window answer says about itself (`_meta["dev.sluice/window"]` of a `resources/read` result). */
export interface WindowInfo {
  readonly offset: number;
  /** Bytes in this window. */
  readonly length: number;
  /** Offset of the next window. */
  readonly next: number;
  /** Whether this window reaches the end of the resource. */
  readonly end: boolean;
  /** Total bytes, when known. */
  readonly size?: number;
  /** Whether windows may be read in any order and several at a time (random-access bodies). */
  readonly seekable: boolean;
  /** The largest window this server answers (longer requests are cut to it). */
  readonly maxLength?: number;
}

/** `_meta` key on `resources/list` entries of streamed resources: `{ windows: true, size? }`. */
export const STREAMED_META_KEY = 'dev.sluice/streamed';

/** URI query parameters that ask for a window, for clients that cannot set `_meta`. */
export const WINDOW_QUERY = { offset: 'offset', length: 'length' } as const;

/** The `::progress` line prefix script tools print on stdout. */
export const SCRIPT_PROGRESS_PREFIX = '::progress';

/** The `::checkpoint TOKEN` line prefix: a script tool running as a task says where a restart may continue from. */
export const SCRIPT_CHECKPOINT_PREFIX = '::checkpoint';

/** The environment variable that hands a resumed script its last checkpoint token. */
export const CHECKPOINT_ENV = 'SLUICE_CHECKPOINT';

/**
 * `_meta` key the sluice client puts on its own calls so it can tell which
 * call a lost HTTP stream belonged to (servers ignore it).
 */
export const CALL_ID_META_KEY = 'dev.sluice/callId';

/** MCP log levels (RFC 5424 severities), least severe first: a client that set a level gets that one and those after it. */
export const LOGGING_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LoggingLevel = (typeof LOGGING_LEVELS)[number];

/** Whether a message at `level` passes a client's `threshold` (no threshold: the client set none, nothing passes). */
export function passesLogLevel(level: LoggingLevel, threshold: string | undefined): boolean {
  const at = LOGGING_LEVELS.indexOf(threshold as LoggingLevel);
  return at !== -1 && LOGGING_LEVELS.indexOf(level) >= at;
}

/** The WebSocket subprotocol MCP clients offer (`Sec-WebSocket-Protocol: mcp`); sluice accepts it, or none. */
export const MCP_WEBSOCKET_SUBPROTOCOL = 'mcp';
