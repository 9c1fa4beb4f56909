/**
 * `callToolStream`: one tool call as an async iterable of progress events
 * followed by its result.
 *
 * Buffering: the iterator holds at most one progress event (coalesce-latest:
 * a newer one replaces an unread older one) plus the result, so a caller that
 * reads slowly never grows memory and always sees the latest state. Every
 * progress notification that arrived before the result is delivered to
 * `onProgress` (see `ordering.ts`).
 *
 * Outcomes: the result; or `CancelledError` at once when the caller aborts
 * (the SDK tells the server: `notifications/cancelled`, or closing the
 * 2026-07-28 stream); `StreamLostError` at once when the stream dropped with
 * no way to resume; `TimeoutError` when nothing arrived for `timeoutMs`
 * (progress resets it); `RemoteError` for a JSON-RPC error.
 *
 * @module
 */
import { BoundedQueue } from '../flow/boundedQueue.js';
import { ProtocolError, SdkError, SdkErrorCode, type CallToolResult, type Client, type ContentBlock } from '@modelcontextprotocol/client';
import { CancelledError, RemoteError, ReplayExpiredError, StreamLostError, TimeoutError } from '../errors.js';
import type { LossKind } from './streamWatch.js';
import { type TaskHandle, taskHandleOf } from './taskHandles.js';
import type { TaskOps } from './tasks.js';
import { CALL_ID_META_KEY, PARTIAL_RESULT_TOKEN_META_KEY } from '../protocol/wire.js';

export interface ProgressEvent {
  readonly progress: number;
  readonly total?: number | undefined;
  readonly message?: string | undefined;
}

/** One chunk of streamed output (SEP-2998), in `seq` order. */
export interface PartialEvent {
  readonly seq: number;
  readonly content: ContentBlock[];
  readonly structuredContent?: unknown;
}

export type ToolCallEvent =
  | ({ readonly type: 'progress' } & ProgressEvent)
  | ({ readonly type: 'partial' } & PartialEvent)
  | { readonly type: 'result'; readonly result: CallToolResult };

export interface CallStreamOptions {
  readonly signal?: AbortSignal;
  /** Time without any message before the call fails (ms); progress resets it. @defaultValue 60000 */
  readonly timeoutMs?: number;
  /** Called for every progress notification, in order, before the result. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Called for every partial result, in `seq` order, before the result. */
  readonly onPartial?: (event: PartialEvent) => void;
  /**
   * Ask for a task (the server decides on 2026-07-28; a 2025-11-25 server is
   * asked with `params.task`, `ttlMs` its requested TTL). When the answer is a
   * task, the call waits for it, polling at the interval the server suggests,
   * and resolves with the tool's result as if it had not been one.
   */
  readonly task?: boolean | { readonly ttlMs?: number };
  /** Told the task id as soon as the server answered with a task (before waiting for it). */
  readonly onTask?: (task: TaskHandle) => void;
}

/** Partial events kept for an iterator that is not being read; beyond it the oldest go (the result stays complete). */
export const MAX_BUFFERED_PARTIALS = 1024;

export interface ToolCallStream extends AsyncIterable<ToolCallEvent> {
  /** The final result (or the typed failure). */
  readonly result: Promise<CallToolResult>;
  /** Cancels the call; the server is told. Idempotent. */
  cancel(reason?: string): void;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Calls in flight by call id: how a lost stream fails its call, and where partial results go. */
export interface CallRegistry {
  readonly lost: Map<string, (reason: string, kind: LossKind) => void>;
  readonly partial: Map<string, (event: PartialEvent) => void>;
}

export function callToolStream(
  client: Client,
  registry: CallRegistry,
  name: string,
  args: Record<string, unknown>,
  options: CallStreamOptions = {},
  tasks?: TaskOps,
): ToolCallStream {
  const callId = globalThis.crypto.randomUUID();
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let failure: Error | undefined;
  let settleEarly: ((error: Error) => void) | undefined;

  // Iterator state: at most one unread progress event, then the result.
  const pendingProgress = new BoundedQueue<ProgressEvent>(1, 'coalesce-latest');
  const pendingPartials = new BoundedQueue<PartialEvent>(MAX_BUFFERED_PARTIALS, 'drop-oldest');
  let finished: { result: CallToolResult } | { error: Error } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const stop = (error: Error) => {
    if (failure !== undefined || finished !== undefined) return;
    failure = error;
    controller.abort(error);
    settleEarly?.(error);
  };
  const onCallerAbort = () => stop(new CancelledError(reasonText(options.signal?.reason)));
  if (options.signal?.aborted === true) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  registry.lost.set(callId, (reason, kind) => stop(kind === 'expired' ? new ReplayExpiredError(reason) : new StreamLostError(reason)));
  registry.partial.set(callId, (event) => {
    if (failure !== undefined || finished !== undefined) return;
    options.onPartial?.(event);
    pendingPartials.offer(event);
    notify();
  });

  const asTask = options.task !== undefined && options.task !== false && tasks !== undefined;
  const ttl = typeof options.task === 'object' && options.task.ttlMs !== undefined ? { ttl: options.task.ttlMs } : {};
  const onProgress = (event: ProgressEvent) => {
    if (failure !== undefined) return;
    options.onProgress?.(event);
    pendingProgress.offer(event);
    notify();
  };
  const sdkCall = client
    .callTool(
      {
        name,
        arguments: args,
        _meta: { [CALL_ID_META_KEY]: callId, [PARTIAL_RESULT_TOKEN_META_KEY]: callId, ...(asTask && tasks.declaring()) },
        ...(asTask && { task: ttl }),
      } as Parameters<Client['callTool']>[0],
      {
        signal: controller.signal,
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: (p) => onProgress({ progress: p.progress, total: p.total, message: p.message }),
      },
    )
    .then((result) => {
      const handle = taskHandleOf(result as CallToolResult);
      if (handle === undefined || tasks === undefined) return result as CallToolResult;
      options.onTask?.(handle);
      // Stopping the wait cancels the task: the caller gave up on it.
      controller.signal.addEventListener('abort', () => void tasks.cancel(handle.taskId).catch(() => {}), { once: true });
      return tasks.wait(handle.taskId, { signal: controller.signal, onProgress });
    })
    .catch((error: unknown) => {
      throw failure ?? mapError(error, timeoutMs);
    });

  const result = Promise.race([sdkCall, new Promise<never>((_, reject) => (settleEarly = reject))]).finally(() => {
    registry.lost.delete(callId);
    registry.partial.delete(callId);
    options.signal?.removeEventListener('abort', onCallerAbort);
  });
  result.then(
    (value) => {
      finished = { result: value };
      notify();
    },
    (error: Error) => {
      finished = { error };
      notify();
    },
  );
  // The caller may only iterate, or only await `result`: never leave a rejection unhandled.
  sdkCall.catch(() => {});

  return {
    result,
    cancel: (reason = 'cancelled by the caller') => stop(new CancelledError(reason)),
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const partial = pendingPartials.shift();
        if (partial !== undefined) {
          yield { type: 'partial', ...partial };
          continue;
        }
        const event = pendingProgress.shift();
        if (event !== undefined) {
          yield { type: 'progress', ...event };
          continue;
        }
        if (finished !== undefined) {
          if ('error' in finished) throw finished.error;
          yield { type: 'result', result: finished.result };
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

function mapError(error: unknown, timeoutMs: number): Error {
  if (error instanceof ProtocolError) return new RemoteError(error.message, error.code, { cause: error });
  if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return new TimeoutError(timeoutMs, { cause: error });
  if (error instanceof SdkError && error.code === SdkErrorCode.ConnectionClosed) return new StreamLostError('the connection closed', { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'string') return reason;
  return 'aborted';
}
