/**
 * Every default sluice uses, in one place.
 *
 * Code, TSDoc `@defaultValue` tags and the README's defaults table all refer to
 * these constants; `test/defaults.test.ts` fails when the README table and this
 * file disagree. Names follow `DEFAULT_<NAME>_<UNIT>`.
 *
 * @module
 */

/** Host an HTTP server binds to unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

/** TCP port `sluice serve` listens on. */
export const DEFAULT_PORT = 3001;

/** Path of the MCP endpoint on the HTTP server. */
export const DEFAULT_MCP_PATH = '/mcp';

/** Progress notifications sent per request and second, at most (0 = unthrottled). The last value is always sent. */
export const DEFAULT_PROGRESS_PER_SECOND = 5;

/** Largest chunk a raw resource stream yields (overridable with `SLUICE_CHUNK_SIZE`). */
export const DEFAULT_CHUNK_SIZE_BYTES = 64 * 1024;

/**
 * Bytes a client asks for per window of a windowed `resources/read`
 * (overridable with `SLUICE_CHUNK_SIZE`): the largest whose base64 answer,
 * as one JSON line, stays under V8's 128 KiB regular-object limit, so no
 * window's string is allocated in the large-object space. Fewer, larger
 * windows cut the fixed cost per request on both sides (measured in
 * docs/benchmarks.md: 100 MiB over stdio).
 */
export const DEFAULT_WINDOW_SIZE_BYTES = 94 * 1024;

/** Chunks in flight per streamed read. */
export const DEFAULT_CHUNKS_IN_FLIGHT = 4;

/** Unread bytes an outbound stream log holds (a client reading slowly, not at all, or away) before a call's producers wait. */
export const DEFAULT_STREAM_HIGH_WATER_BYTES = 1024 * 1024;

/** Events kept per stream in the 2025-era event log. */
export const DEFAULT_EVENT_LOG_MAX_EVENTS = 5_000;

/** Age after which events leave the 2025-era event log. */
export const DEFAULT_EVENT_LOG_MAX_AGE_MS = 5 * 60 * 1000;

/** Bytes kept per stream in the 2025-era event log. */
export const DEFAULT_EVENT_LOG_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Streams whose events a 2025-era session keeps (every POST opens one); the oldest stream goes
 * first. Most streams are finished and delivered; this bounds what a busy session holds for
 * resumption (each kept stream holds its messages for up to the event log's age).
 */
export const DEFAULT_EVENT_LOG_MAX_STREAMS = 100;

/**
 * Bytes a 2025-era session's event log keeps over all its streams; the oldest streams go first
 * (their resumption then gets 410). Bounds what many finished calls hold until the session ends.
 */
export const DEFAULT_EVENT_LOG_MAX_SESSION_BYTES = 32 * 1024 * 1024;

/** Idle time after which a 2025-era session is ended. */
export const DEFAULT_SESSION_TTL_MS = 30 * 60 * 1000;

/**
 * Quiet time (nothing in flight, no stream read) after which a 2025-era
 * session's transport and SDK server are released until its next request;
 * its record and stream log are kept.
 */
export const DEFAULT_SESSION_HIBERNATE_MS = 30_000;

/** Live 2025-era sessions, at most. */
export const DEFAULT_MAX_SESSIONS = 10_000;

/** Interval of the SSE keepalive comment on open streams. */
export const DEFAULT_KEEPALIVE_MS = 15_000;

/** `retry:` hint sent in the priming event of 2025-era SSE streams. */
export const DEFAULT_SSE_RETRY_MS = 1_000;

/** Client: delay before the first attempt to resume a dropped stream (then doubling, with jitter, never under the server's `retry`). */
export const DEFAULT_RECONNECT_INITIAL_DELAY_MS = 250;

/** Client: longest delay between two attempts to resume a dropped stream. */
export const DEFAULT_RECONNECT_MAX_DELAY_MS = 5_000;

/** Client: attempts in a row to resume a dropped stream before the call fails. */
export const DEFAULT_RECONNECT_MAX_ATTEMPTS = 5;

/** Time a tool may run before it is cancelled. */
export const DEFAULT_TOOL_TIMEOUT_MS = 5 * 60 * 1000;

/** Grace between SIGTERM and SIGKILL when a script tool is stopped. */
export const DEFAULT_KILL_GRACE_MS = 5_000;

/**
 * Largest message sluice sends unless the client asked for more (a window it named): the first
 * window, the default window and tool results are sized to fit once encoded. Strict clients
 * (the Python SDK) refuse any SSE event larger than this.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Script output kept whole in a result; beyond it, a head/tail excerpt and the full output spooled. */
export const DEFAULT_INLINE_RESULT_MAX_BYTES = 512 * 1024;

/** Time a spooled run output (`runs://ID/stdout`) is kept. */
export const DEFAULT_SPOOL_TTL_MS = 60 * 60 * 1000;

/** Bytes one spooled run output keeps at most; past it the file is cut and the result says so. */
export const DEFAULT_SPOOL_MAX_RUN_BYTES = 256 * 1024 * 1024;

/** Bytes all spooled run outputs keep together at most; the oldest finished ones are removed first. */
export const DEFAULT_SPOOL_MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

/** Script processes running at once over all script tools; further calls wait. */
export const DEFAULT_MAX_CONCURRENT_SCRIPTS = 16;

/** Script tool calls waiting for a free slot at most; past it a call gets a "busy" error result. */
export const DEFAULT_MAX_QUEUED_SCRIPTS = 64;

/**
 * Progress heartbeat: a call with a progress token that has reported nothing for this long gets a
 * progress notification (value still increasing) saying it is still running, so clients that reset
 * their timeout only on progress do not give up on a long silent call (0 = off).
 */
export const DEFAULT_PROGRESS_HEARTBEAT_MS = 30_000;

/** Largest HTTP request body accepted on `/mcp` (413 beyond it). */
export const DEFAULT_MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;

/** Time an HTTP request's headers, and then its body, may take to arrive (408 beyond it). */
export const DEFAULT_REQUEST_BODY_TIMEOUT_MS = 10_000;

/** Bytes of HTTP request bodies buffered at once over all connections (503 beyond it). */
export const DEFAULT_MAX_BUFFERED_REQUEST_BYTES = 64 * 1024 * 1024;

/** Longest single stdout line of a script tool kept whole; longer lines are split. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/** Tail of a failing script's stderr quoted in its error result. */
export const DEFAULT_STDERR_TAIL_BYTES = 4 * 1024;

/** A script's stderr lines sent as MCP log messages per second, at most (to clients that set a log level). */
export const DEFAULT_STDERR_LOG_LINES_PER_SECOND = 10;

/** A script's stderr lines sent at once before the per-second rate applies. */
export const DEFAULT_STDERR_LOG_BURST_LINES = 20;

/** Characters of one stderr line kept in a log message; the rest is cut. */
export const DEFAULT_STDERR_LOG_LINE_CHARS = 1024;

/** Largest byte window one `resources/read` answers with when the client names its window. */
export const DEFAULT_MAX_READ_WINDOW_BYTES = 1024 * 1024;

/**
 * Bytes of the window a client gets when it names none (and the default length of a URI window):
 * sized so the encoded answer fits in {@link DEFAULT_MAX_MESSAGE_BYTES} (it is cut further when
 * escaping would make it larger).
 */
export const DEFAULT_READ_WINDOW_BYTES = 512 * 1024;

/**
 * Quiet time after which a paced collection that settled is followed by one
 * more (`flow/gcPacer.ts`): the one during which V8 shrinks its young generation.
 */
export const DEFAULT_QUIET_COLLECT_AFTER_MS = 5_000;

/**
 * Bytes a client reads in windows of `resources/read` between two minor
 * collections, where the runtime exposes `gc`. Closer than for raw streams:
 * a window leaves more garbage per byte (its message, its base64, the SDK's
 * parse), and collecting it sooner keeps the client's growth low. Measured
 * on stdio, against every 8 MiB: 5-18 MiB against 12-27 MiB for 100 MiB,
 * 18 against 26-34 MiB for 1 GiB, in the same time.
 */
export const DEFAULT_WINDOW_READ_COLLECT_EVERY_BYTES = 2 * 1024 * 1024;

/**
 * Bytes of windows of `resources/read` a server answers between two full
 * collections done at once, where the runtime exposes `gc`: what a window
 * leaves in the old generation is little, but adds up over a long read.
 */
export const DEFAULT_FULL_COLLECT_EVERY_BYTES = 64 * 1024 * 1024;

/** The `everyBytes` of the shared `major` pacer, where the runtime exposes `gc` (the session registry counts released sessions into it, as bytes). */
export const DEFAULT_COLLECT_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * Bytes of resource data streamed (server or client; raw streams and
 * windows) between two minor collections, where the runtime exposes `gc`: a
 * stream's garbage is young and a scavenge is cheap, so collecting often
 * keeps a reader's peak growth low (the bench's large-resources rows show it).
 */
export const DEFAULT_MINOR_COLLECT_EVERY_BYTES = 8 * 1024 * 1024;

/**
 * Bytes `sluice read -o FILE` lets queue for the disk before it stops reading
 * the network: large enough that the file stream writes in batches
 * (measured: 1 GiB to disk went from about 200 to about 400 MiB/s over 16 KiB).
 */
export const DEFAULT_OUTPUT_FILE_BUFFER_BYTES = 1024 * 1024;

/** Idle time an open file handle is kept for the next window of a read. */
export const DEFAULT_FILE_HANDLE_IDLE_MS = 1_000;

/** Idle open file handles kept at most (the longest idle is closed first). */
export const DEFAULT_MAX_IDLE_FILE_HANDLES = 64;

/** Idle time after which the reader kept for the next window of a sequential resource is closed. */
export const DEFAULT_READ_CURSOR_TTL_MS = 60_000;

/** Readers of sequential resources kept between windows, at most (the longest idle goes first). */
export const DEFAULT_MAX_READ_CURSORS = 256;

/** Time `sluice serve` waits for in-flight work after SIGINT/SIGTERM before it exits. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

/** Redis key and channel prefix of a service (`--store redis://…`). */
export const DEFAULT_REDIS_PREFIX = 'sl:';

/** A node silent this long is presumed dead and the calls it ran are ended with an error (ms); the ending follows within a fifth more. */
export const DEFAULT_NODE_TIMEOUT_MS = 10_000;

/** `Retry-After` of a 503 answered while the session store is unreachable (seconds). */
export const DEFAULT_STORE_RETRY_AFTER_SECONDS = 1;

/** Tasks a task store holds (the oldest finished ones go first; running ones are never dropped). */
export const DEFAULT_MAX_TASKS = 10_000;

/** Bytes a task store holds over all tasks, results included. */
export const DEFAULT_MAX_TASK_BYTES = 256 * 1024 * 1024;

/** How long a task and its result are kept from its creation, when the client asks for nothing else. */
export const DEFAULT_TASK_TTL_MS = 60 * 60_000;

/** The longest task TTL a client may ask for (longer requests are cut to it). */
export const DEFAULT_MAX_TASK_TTL_MS = 24 * 60 * 60_000;

/** The polling interval a task suggests to its client. */
export const DEFAULT_TASK_POLL_INTERVAL_MS = 1_000;

/** How often a node writes a running task's progress to the store, at most (ms between writes). */
export const DEFAULT_TASK_REPORT_INTERVAL_MS = 500;

/** How often a node looks for lost tasks to adopt, and for cancellations asked on other nodes. */
export const DEFAULT_TASK_SWEEP_MS = 1_000;

/** Tasks per `tasks/list` page (2025-11-25). */
export const DEFAULT_TASK_LIST_PAGE = 50;

/** A script tool whose `timeout` is at least this long runs as a task for clients that know tasks, unless its `task:` says otherwise. */
export const DEFAULT_SCRIPT_TASK_MIN_TIMEOUT_MS = 60_000;
