/**
 * Runs one tool call: builds its {@link ToolContext}, links every cancellation
 * source to one AbortSignal, enforces the timeout, runs abort cleanups, and
 * turns the outcome into a `CallToolResult`.
 *
 * Lifecycle of a call: running → (finished | aborted). Progress is flushed
 * before a finished call's result; an aborted call sends nothing more.
 *
 * @module
 */
import { ProtocolError, type CallToolResult, type InputRequiredResult } from '@modelcontextprotocol/server';
import type { Clock } from '../flow/clock.js';
import { formatDuration } from '../flow/formatDuration.js';
import { Method, PARTIAL_RESULT_TOKEN_META_KEY, PARTIAL_RESULTS_CAPABILITY, passesLogLevel } from '../protocol/wire.js';
import { PartialEmitter } from './partial.js';
import { ProgressReporter } from './progress.js';
import type { CallChannel, StreamPressure } from './outbound.js';
import type { CallOutcome, CallTracker, CancelCause, CallStream } from './activity.js';
import type { SlowConsumerOptions, ToolContext, ToolDefinition, ToolResult } from './types.js';

export { formatDuration };

/** Why a call's signal was aborted. */
export class ToolTimeoutError extends Error {
  constructor(tool: string, timeoutMs: number) {
    super(`Tool "${tool}" timed out after ${formatDuration(timeoutMs)}`);
    this.name = 'ToolTimeoutError';
  }
}

/** Why a call's signal was aborted: its client took nothing for the stall timeout. */
export class StreamStalledError extends Error {
  constructor(stallTimeoutMs: number) {
    super(`The client took nothing for ${formatDuration(stallTimeoutMs)}: disconnected`);
    this.name = 'StreamStalledError';
  }
}

/** The reason a transport gives when it cancels the calls of a client that went away (as opposed to one that asked). */
export const DISCONNECTED_REASON = 'the client disconnected';

export interface ToolCallOptions {
  /** The client's declared capabilities for this call (envelope on 2026-07-28, initialize on 2025). */
  readonly clientCapabilities: Readonly<Record<string, unknown>> | undefined;
  readonly slowConsumer?: SlowConsumerOptions;
  readonly progressPerSecond: number;
  /** Progress heartbeat after this much silence (ms, 0 = off). @defaultValue 0 */
  readonly heartbeatMs?: number;
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** Aborted on server shutdown. */
  readonly shutdown: AbortSignal;
  /** The task this call runs as. */
  readonly task?: { readonly taskId: string; readonly resumeFrom?: string; checkpoint(token: string): void };
  /** Where the call is reported (`server/activity.ts`) and which stream it writes to. */
  readonly tracker?: { readonly calls: CallTracker; readonly stream: CallStream };
}

export async function runToolCall(
  tool: ToolDefinition,
  args: Record<string, unknown>,
  channel: CallChannel,
  options: ToolCallOptions,
): Promise<CallToolResult | InputRequiredResult> {
  const controller = new AbortController();
  const onUpstreamAbort = (signal: AbortSignal) => () => controller.abort(signal.reason);
  const fromClient = onUpstreamAbort(channel.signal);
  const fromShutdown = onUpstreamAbort(options.shutdown);
  channel.signal.addEventListener('abort', fromClient, { once: true });
  options.shutdown.addEventListener('abort', fromShutdown, { once: true });
  if (channel.signal.aborted) fromClient();
  if (options.shutdown.aborted) fromShutdown();

  const timeoutMs = tool.timeoutMs ?? options.timeoutMs;
  const timer = options.clock.setTimeout(() => controller.abort(new ToolTimeoutError(tool.name, timeoutMs)), timeoutMs);

  const pressure = channel.outbound?.pressure;
  const token = channel.meta?.progressToken as string | number | undefined;
  const reporter = new ProgressReporter(
    token === undefined
      ? undefined
      : async (u) => {
          const notification = {
            method: Method.ProgressNotification,
            params: {
              progressToken: token,
              progress: u.progress,
              ...(u.total !== undefined && { total: u.total }),
              ...(u.message !== undefined && { message: u.message }),
            },
          };
          await pressure?.room(); // a slow client holds progress back; the reporter coalesces meanwhile
          await channel.notify(notification);
        },
    tool.progressPerSecond ?? options.progressPerSecond,
    options.clock,
    tool.heartbeatMs ?? options.heartbeatMs ?? 0,
  );

  const partialToken = channel.meta?.[PARTIAL_RESULT_TOKEN_META_KEY];
  const optedIn =
    (typeof partialToken === 'string' || typeof partialToken === 'number') &&
    options.clientCapabilities?.[PARTIAL_RESULTS_CAPABILITY] !== undefined;
  const partials = new PartialEmitter(
    optedIn ? (partialToken as string | number) : undefined,
    (n) => channel.notify(n),
    { setLatestLine: (line) => reporter.setFallbackMessage(line), chunkProgress: (n, line) => reporter.reportChunk(n, line) },
    pressure,
    options.slowConsumer?.partial,
  );
  const stopPolling = pollStream(channel.outbound?.closeStream, tool.closeStreamAfterMs, options.clock);
  const stopStallWatch = watchForStall(pressure, options.slowConsumer?.stallTimeoutMs, options.clock, (error) => controller.abort(error));
  const tracked = options.tracker?.calls;
  const ended = (outcome: CallOutcome) => {
    if (partials.policy !== 'block') tracked?.dropped(partials.policy, partials.dropped);
    tracked?.end(outcome, outcome === 'cancelled' ? causeOf(controller.signal.reason, options, channel) : undefined);
  };

  const cleanups: Array<() => void | Promise<void>> = [];
  let cleanupsRun: Promise<void> | undefined;
  const runCleanups = () =>
    (cleanupsRun ??= (async () => {
      // Newest first, each once, every one attempted even when another throws.
      for (const cleanup of [...cleanups].reverse()) {
        try {
          await cleanup();
        } catch {
          // A failing cleanup must not keep the others from running.
        }
      }
    })());
  controller.signal.addEventListener('abort', () => {
    reporter.cancel();
    partials.cancel();
    void runCleanups();
  });

  let settled = false;
  const ctx: ToolContext = {
    signal: controller.signal,
    progress: (done, total, message) => {
      tracked?.progress(done, total, message);
      reporter.report({ progress: done, total, message });
    },
    partial: (content, structuredContent) => {
      if (controller.signal.aborted) return Promise.resolve();
      tracked?.output(textBytes(content));
      return partials.emit(content, structuredContent);
    },
    log: (level, data, logger) =>
      controller.signal.aborted || settled || !passesLogLevel(level, channel.logLevel?.())
        ? Promise.resolve()
        : channel.notify({ method: Method.LoggingMessageNotification, params: { level, data, ...(logger !== undefined && { logger }) } }),
    onAbort: (cleanup) => {
      if (controller.signal.aborted) void runCleanupLate(cleanup);
      else cleanups.push(cleanup);
    },
    mcp: channel.mcp,
    checkpoint: (token) => {
      if (!controller.signal.aborted) options.task?.checkpoint(token);
    },
    ...(options.task?.resumeFrom !== undefined && { resumeFrom: options.task.resumeFrom }),
    ...(options.task !== undefined && { taskId: options.task.taskId }),
  };

  try {
    const value = await tool.handler(args, ctx);
    if (controller.signal.aborted) return abortedResult(controller.signal.reason);
    await Promise.all([partials.finish(), reporter.finish()]);
    const result = toCallToolResult(value);
    ended((result as CallToolResult).isError === true ? 'error' : 'ok');
    return result;
  } catch (error) {
    if (controller.signal.aborted) return abortedResult(controller.signal.reason);
    ended('error');
    if (error instanceof ProtocolError) throw error; // the handler chose a JSON-RPC error on purpose
    await Promise.all([partials.finish(), reporter.finish()]);
    return { content: [{ type: 'text', text: error instanceof Error ? error.message : String(error) }], isError: true };
  } finally {
    settled = true;
    if (controller.signal.aborted) ended('cancelled'); // a no-op when the call had already ended
    options.clock.clearTimeout(timer);
    stopPolling();
    stopStallWatch();
    channel.signal.removeEventListener('abort', fromClient);
    options.shutdown.removeEventListener('abort', fromShutdown);
    if (controller.signal.aborted) await runCleanups();
    else reporter.cancel();
  }
}

/**
 * Disconnect after a stall: when the stream stays full with nothing taken for
 * `stallTimeoutMs`, the reader is cut off (its connection closes) and the call is cancelled.
 * Returns the function that stops watching.
 */
function watchForStall(
  pressure: StreamPressure | undefined,
  stallTimeoutMs: number | undefined,
  clock: Clock,
  cancel: (error: StreamStalledError) => void,
): () => void {
  if (pressure === undefined || stallTimeoutMs === undefined || stallTimeoutMs <= 0) return () => {};
  let timer: unknown;
  const check = () => {
    if (pressure.stalledFor() >= stallTimeoutMs) {
      const error = new StreamStalledError(stallTimeoutMs);
      pressure.cut(error.message);
      cancel(error);
      return;
    }
    timer = clock.setTimeout(check, Math.max(10, Math.floor(stallTimeoutMs / 4)));
  };
  timer = clock.setTimeout(check, Math.max(10, Math.floor(stallTimeoutMs / 4)));
  return () => clock.clearTimeout(timer);
}

/** Why a cancelled call was cancelled, from its signal's reason and where the abort came from. */
function causeOf(reason: unknown, options: ToolCallOptions, channel: CallChannel): CancelCause {
  if (reason instanceof ToolTimeoutError) return 'timeout';
  if (reason instanceof StreamStalledError) return 'stall';
  if (options.shutdown.aborted) return 'shutdown';
  // On 2026-07-28, closing the request's stream is how a client cancels, and all the server sees.
  if (options.tracker?.stream === 'exchange') return 'disconnect';
  const text = reason instanceof Error ? reason.message : String(reason);
  return channel.signal.aborted && text.includes(DISCONNECTED_REASON) ? 'disconnect' : 'client';
}

/** The text bytes of a partial result (UTF-16 code units: an estimate for non-ASCII text, exact for ASCII). */
function textBytes(content: string | ReadonlyArray<{ type: string; text?: string }>): number {
  if (typeof content === 'string') return content.length;
  let bytes = 0;
  for (const block of content) if (typeof block.text === 'string') bytes += block.text.length;
  return bytes;
}

async function runCleanupLate(cleanup: () => void | Promise<void>): Promise<void> {
  try {
    await cleanup();
  } catch {
    // Registered after the abort: run it at once, failures ignored like the rest.
  }
}

function abortedResult(reason: unknown): CallToolResult {
  const text = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'The tool call was cancelled';
  return { content: [{ type: 'text', text }], isError: true };
}

/** Normalizes a handler's return value (a request for another round passes as it is). */
export function toCallToolResult(value: ToolResult): CallToolResult | InputRequiredResult {
  return typeof value === 'string' ? { content: [{ type: 'text', text: value }] } : value;
}

/**
 * SSE polling (SEP-1699): closes the call's stream every `everyMs` while it
 * runs; the client resumes with `Last-Event-ID` after the `retry` delay. A
 * no-op where the transport cannot resume (2026-07-28, stdio, no event log).
 * Returns the stop function.
 */
function pollStream(close: (() => void) | undefined, everyMs: number | undefined, clock: Clock): () => void {
  if (close === undefined || everyMs === undefined) return () => {};
  let timer: unknown;
  const arm = () => {
    timer = clock.setTimeout(() => {
      close();
      arm();
    }, everyMs);
  };
  arm();
  return () => clock.clearTimeout(timer);
}
